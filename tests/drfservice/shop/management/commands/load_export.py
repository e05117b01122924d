"""`manage.py load_export --token KEY FILE...`: load API exports with their ids, and a token."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from shop.models import Category, Product, SiteSettings, Tag

# The API path of each export, in the order the rows must be created (targets of FKs first).
MODELS = {
    "/categories/": Category,
    "/tags/": Tag,
    "/products/": Product,
    "/settings/": SiteSettings,
}
SINGLETON_ID = 1  # SiteSettingsView serves the row with this id


def to_instance(model, record):
    """An unsaved instance from one record as the API serves it (M2M values left out)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.name not in record:
            continue
        value = record[field.name]
        if field.is_relation:
            values[field.attname] = value
        else:
            values[field.attname] = None if value is None else field.to_python(value)
    if model is SiteSettings:
        values.setdefault("id", SINGLETON_ID)
    return model(**values)


class Command(BaseCommand):
    help = "Load JSON exports ({'path': '/products/', 'records': [...]}) and an API token."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="the key of user 'api''s token")
        parser.add_argument("files", nargs="+", help="JSON exports, one API path each")

    @transaction.atomic
    def handle(self, *args, token, files, **options):
        exports = {}
        for name in files:
            with open(name, encoding="utf-8") as file:
                document = json.load(file)
            if document.get("path") not in MODELS:
                raise CommandError(f"{name}: unknown path {document.get('path')!r}")
            exports.setdefault(document["path"], []).extend(document["records"])

        for path, model in MODELS.items():
            records = exports.get(path, [])
            model.objects.bulk_create([to_instance(model, record) for record in records])
            if model is Product:
                through = Product.tags.through
                through.objects.bulk_create(
                    through(product_id=record["id"], tag_id=tag)
                    for record in records
                    for tag in record.get("tags", [])
                )
            self.stdout.write(f"{path}: {len(records)} records")

        user, _ = get_user_model().objects.get_or_create(username="api")
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user, key=token)
