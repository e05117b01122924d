"""`manage.py load_export --token KEY [--password PW] FILE...`: load API exports as served.

Each file is `{"path": "/products/", "records": [...]}`: one list path of the API (a nested
one as its template, `/categories/{category_slug}/products/`, or as a real path) and the
records it serves, as `mockserver export --path` writes them. The rows keep the keys they
are served with, so the service answers with the same records: a bundle, served by its
`uuid` only, gets its integer key from its place in the export (the list's order), and a
nested object (a bundle's `category`, its `tags`) is the related row, created from it when
no list of that model has it. Server-set times (`auto_now_add`, `auto_now`) keep the exported
values, as `loaddata` keeps a fixture's.
"""

import contextlib
import json
import re
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from shop.models import Bundle, Category, Product, Review, SiteSettings, Tag

# The list paths, the model their records are rows of, and the field each record is named
# by (its lookup; None for the singleton). Models come in the order their rows are made:
# the targets of foreign keys first. A nested list and a list action serve rows of another
# list again: a record met twice is loaded once.
SOURCES = [
    ("/categories/", Category, "id"),
    ("/tags/", Tag, "id"),
    ("/tags/popular/", Tag, "id"),
    ("/products/", Product, "id"),
    ("/categories/{category_slug}/products/", Product, "id"),
    ("/products/featured/", Product, "id"),
    ("/bundles/", Bundle, "uuid"),
    ("/reviews/", Review, "id"),
    ("/settings/", SiteSettings, None),
]
KEYS = {model: key for _, model, key in SOURCES}
ORDER = list(KEYS)
SINGLETON_ID = 1  # SiteSettingsView serves the row with this id


def source(path):
    """(place in SOURCES, model, key field) of an export's path, or None; a template's
    `{...}` matches one segment: "/categories/books/products/" is a source of products.
    """
    for place, (template, model, key) in enumerate(SOURCES):
        parts = re.split(r"\{[^}]*\}", template)
        if re.fullmatch("[^/]+".join(map(re.escape, parts)), path):
            return place, model, key
    return None


def identity(model, record):
    """The value that names `record` among its model's rows, comparable across exports."""
    key = KEYS[model]
    if key is None:
        return SINGLETON_ID
    value = record[key]
    return str(uuid.UUID(str(value))) if key == "uuid" else value


def relations(model):
    """The foreign keys and many-to-many fields of `model` that reach a loaded model."""
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model in KEYS
    ]


class Rows:
    """The records of each model by identity, first come first kept, in the order given."""

    def __init__(self, stderr):
        self.by_model = {model: {} for model in ORDER}
        self.stderr = stderr

    def add(self, model, record, origin):
        rows = self.by_model[model]
        name = identity(model, record)
        if name not in rows:
            rows[name] = record
        elif rows[name] != record:
            # The service can serve only one of them; the differential shows which differs.
            self.stderr.write(f"warning: {origin}: {model.__name__} {name} differs, first kept")

    def add_nested(self, model, record, origin):
        """The related rows that `record` carries as objects, where no list gave them."""
        for field in relations(model):
            value = record.get(field.name)
            nested = value if isinstance(value, list) else [value]
            for item in nested:
                if isinstance(item, dict):
                    self.add(field.related_model, item, f"{origin} {field.name}")
                    self.add_nested(field.related_model, item, origin)


def reference(model, value, pks):
    """The primary key a relation's value (a key, or the related record itself) points at."""
    if isinstance(value, dict):
        value = identity(model, value)
    return pks[model].get(value, value) if KEYS[model] != "id" else value


def primary_key(model, name, record, number):
    """A record's own `id`; the singleton's fixed one; else its place in the export, so
    that the default ordering (`id`) is the order the list was served in."""
    if "id" in record:
        return record["id"]
    return name if KEYS[model] is None else number


def to_instance(model, record, pk, pks):
    """An unsaved row of `record` with primary key `pk` (many-to-many values left out)."""
    values = {"id": pk}
    for field in model._meta.concrete_fields:
        if field.name not in record or field.primary_key:
            continue
        value = record[field.name]
        if field.is_relation:
            value = None if value is None else reference(field.related_model, value, pks)
            values[field.attname] = value
        else:
            values[field.attname] = None if value is None else field.to_python(value)
    return model(**values)


@contextlib.contextmanager
def exported_times():
    """The `auto_now_add` / `auto_now` fields of the loaded models leave a row's value alone
    meanwhile: DateTimeField.pre_save sets them on every insert that is not `raw`, and
    bulk_create's is not (loaddata's is)."""
    fields = [
        field
        for model in ORDER
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Command(BaseCommand):
    help = "Load JSON exports ({'path': '/products/', 'records': [...]}) and user 'api'."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="the key of user 'api''s token")
        parser.add_argument("--password", help="user 'api''s password (for a JWT)")
        parser.add_argument("files", nargs="+", help="JSON exports, one API path each")

    @transaction.atomic
    @exported_times()
    def handle(self, *args, token, password, files, **options):
        documents = []
        for name in files:
            with open(name, encoding="utf-8") as file:
                document = json.load(file)
            found = source(str(document.get("path")))
            if found is None:
                raise CommandError(f"{name}: unknown path {document.get('path')!r}")
            documents.append((*found[:2], document))
            self.stdout.write(f"{document['path']}: {len(document['records'])} records")

        rows = Rows(self.stderr)
        # The lists first, in SOURCES' order, then the objects nested in their records.
        documents.sort(key=lambda item: item[0])
        for _, model, document in documents:
            for record in document["records"]:
                rows.add(model, record, document["path"])
        for _, model, document in documents:
            for record in document["records"]:
                rows.add_nested(model, record, document["path"])

        pks = {}
        for model in ORDER:
            records = rows.by_model[model]
            pks[model] = {
                name: primary_key(model, name, record, number)
                for number, (name, record) in enumerate(records.items(), start=1)
            }
            model.objects.bulk_create(
                to_instance(model, record, pks[model][name], pks)
                for name, record in records.items()
            )
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                source_column = f"{field.m2m_field_name()}_id"
                target_column = f"{field.m2m_reverse_field_name()}_id"
                through.objects.bulk_create(
                    through(
                        **{
                            source_column: pks[model][name],
                            target_column: reference(field.related_model, target, pks),
                        }
                    )
                    for name, record in records.items()
                    for target in record.get(field.name, [])
                )
            self.stdout.write(f"{model.__name__}: {len(records)} rows")

        user, _ = get_user_model().objects.get_or_create(username="api")
        if password is not None:
            user.set_password(password)
            user.save()
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user, key=token)
