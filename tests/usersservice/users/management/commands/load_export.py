"""`manage.py load_export --token KEY FILE`: load the mock's users with their ids, and a token.

FILE is the JSON array that `python -m mockserver export --size N --cache-dir ''` writes:
the users as the API serves them. The groups and permissions get the ids of
`fixtures/groups.yaml` and `fixtures/permissions.yaml`; KEY becomes the token of user 1.
"""

import json
from pathlib import Path

import yaml
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from users.models import User

FIXTURES = Path(__file__).resolve().parents[5] / "fixtures"
TOKEN_OWNER = 1  # the staff persona, active
SKIPPED = {"pk", "groups", "user_permissions"}  # not columns: pk is id, M2M come after


def to_user(record):
    """An unsaved User from one record as the API serves it (M2M values left out)."""
    values = {}
    for field in User._meta.concrete_fields:
        if field.name in SKIPPED or field.name not in record:
            continue
        value = record[field.name]
        values[field.attname] = None if value is None else field.to_python(value)
    values["password"] = make_password(None)  # unusable: no `password=` value matches it
    return User(**values)


class Command(BaseCommand):
    help = "Load a JSON array of users (the mock's export), groups, permissions and a token."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="the key of user 1's token")
        parser.add_argument(
            "--fixtures", default=str(FIXTURES), help="the directory of groups/permissions.yaml"
        )
        parser.add_argument("file", help="a JSON array of users")

    @transaction.atomic
    def handle(self, *args, token, fixtures, file, **options):
        with open(file, encoding="utf-8") as stream:
            records = json.load(stream)
        if not isinstance(records, list):
            raise CommandError(f"{file}: not a JSON array of users")
        fixtures = Path(fixtures)
        groups = yaml.safe_load((fixtures / "groups.yaml").read_text(encoding="utf-8"))
        permissions = yaml.safe_load((fixtures / "permissions.yaml").read_text(encoding="utf-8"))

        Group.objects.all().delete()
        Group.objects.bulk_create(Group(id=row["id"], name=row["name"]) for row in groups)
        # migrate made Django's own permissions; these take the fixtures' ids instead.
        Permission.objects.all().delete()
        content_types = {
            "group": ContentType.objects.get_for_model(Group),
            "user": ContentType.objects.get_for_model(User),
        }
        Permission.objects.bulk_create(
            Permission(
                id=row["id"],
                name=row["name"],
                codename=row["codename"],
                content_type=content_types[row["codename"].rsplit("_", 1)[-1]],
            )
            for row in permissions
        )

        User.objects.bulk_create(to_user(record) for record in records)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=record["id"], group_id=group)
            for record in records
            for group in record.get("groups", [])
        )
        User.user_permissions.through.objects.bulk_create(
            User.user_permissions.through(user_id=record["id"], permission_id=permission)
            for record in records
            for permission in record.get("user_permissions", [])
        )
        if not User.objects.filter(id=TOKEN_OWNER).exists():
            raise CommandError(f"{file}: no user {TOKEN_OWNER} to own the token")
        Token.objects.filter(user_id=TOKEN_OWNER).delete()
        Token.objects.create(user_id=TOKEN_OWNER, key=token)
        self.stdout.write(
            f"/users/: {len(records)} records, {len(groups)} groups, {len(permissions)} permissions"
        )
