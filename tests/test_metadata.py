"""DRF's OPTIONS metadata (mockserver/http/metadata.py), held to a real DRF's answers.

`CAPTURE` builds a small Django project with a ModelViewSet of every common field kind,
asks drf-spectacular for its schema (with and without COMPONENT_SPLIT_REQUEST) and asks
DRF itself for its OPTIONS answers; the mock, loaded with that schema, must give the same
bodies.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from helpers_api import make_state

from mockserver.http.metadata import field_info, metadata, serializer_info

MODELS = """
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Maker(models.Model):
    name = models.CharField(max_length=40)


class Part(models.Model):
    name = models.CharField(max_length=40)


class Gadget(models.Model):
    STATUS = [("draft", "Draft"), ("live", "Live now")]
    SIZES = [(1, "Small"), (2, "Large")]

    name = models.CharField(max_length=80)
    nickname = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True, help_text="Free notes.")
    code = models.SlugField(max_length=30, unique=True)
    sku = models.UUIDField()
    price = models.DecimalField(max_digits=8, decimal_places=2)
    weight = models.FloatField(null=True, validators=[MinValueValidator(0), MaxValueValidator(5)])
    stock = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_public = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=STATUS, default="draft")
    size = models.IntegerField(choices=SIZES, null=True, blank=True)
    email = models.EmailField()
    website = models.URLField(blank=True)
    released = models.DateField(null=True, blank=True)
    opens = models.TimeField(null=True)
    maker = models.ForeignKey(Maker, null=True, on_delete=models.SET_NULL, verbose_name="made by")
    parts = models.ManyToManyField(Part, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
"""

CAPTURE = '''
import json
import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="capture",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF="__main__",
    INSTALLED_APPS=[
        "django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
        "rest_framework.authtoken", "drf_spectacular", "gadgets",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    REST_FRAMEWORK={
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    },
    SPECTACULAR_SETTINGS={
        "COMPONENT_SPLIT_REQUEST": sys.argv[1] == "split", "TITLE": "Gadgets", "VERSION": "1",
    },
)
django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework import routers, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gadgets.models import Gadget, Maker, Part


class MakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Maker
        fields = ["id", "name"]


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Part
        fields = ["id", "name"]


class GadgetSerializer(serializers.ModelSerializer):
    maker_detail = MakerSerializer(source="maker", read_only=True)
    secret = serializers.CharField(write_only=True, required=False, max_length=12)

    class Meta:
        model = Gadget
        fields = [
            "id", "maker_detail", "name", "nickname", "notes", "code", "sku", "price",
            "weight", "stock", "score", "is_public", "status", "size", "email", "website",
            "released", "opens", "secret", "data", "created_at", "updated_at", "maker", "parts",
        ]

    def create(self, validated_data):
        validated_data.pop("secret", None)
        return super().create(validated_data)


class MakerViewSet(viewsets.ModelViewSet):
    """Who makes gadgets."""
    queryset = Maker.objects.all()
    serializer_class = MakerSerializer


class PartViewSet(viewsets.ModelViewSet):
    queryset = Part.objects.all()
    serializer_class = PartSerializer


class GadgetViewSet(viewsets.ModelViewSet):
    """Gadgets, written and read."""
    queryset = Gadget.objects.all()
    serializer_class = GadgetSerializer


router = routers.DefaultRouter()
router.register("makers", MakerViewSet)
router.register("parts", PartViewSet)
router.register("gadgets", GadgetViewSet)
urlpatterns = router.urls

call_command("migrate", run_syncdb=True, verbosity=0)
Token.objects.create(user=User.objects.create(username="staff"), key="a" * 40)
Gadget.objects.create(
    name="g", code="g", sku="5b3f7c1e-0f4e-4c57-9d1c-3c1a8e2b9f10", price="1.00", score=1,
    email="a@b.co",
)
client = APIClient()
token = {"HTTP_AUTHORIZATION": "Token " + "a" * 40}
schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
print(json.dumps({
    "spec": json.loads(OpenApiJsonRenderer().render(schema)),
    "anonymous list": client.options("/gadgets/").json(),
    "list": client.options("/gadgets/", **token).json(),
    "detail": client.options("/gadgets/1/", **token).json(),
    "missing detail": client.options("/gadgets/99/", **token).json(),
    "maker list": client.options("/makers/", **token).json(),
}))
'''


@pytest.fixture(scope="module", params=["split", "single"])
def real(request, tmp_path_factory) -> dict:
    """What a real DRF answered, and its drf-spectacular schema, with the request
    components split from the response ones or not."""
    where = tmp_path_factory.mktemp("drf")
    (where / "gadgets").mkdir()
    (where / "gadgets" / "__init__.py").write_text("")
    (where / "gadgets" / "models.py").write_text(MODELS)
    (where / "capture.py").write_text(CAPTURE)
    done = subprocess.run(
        [sys.executable, "capture.py", request.param],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    captured = json.loads(done.stdout)
    (where / "openapi.json").write_text(json.dumps(captured["spec"]))
    captured["state"] = make_state(spec=str(where / "openapi.json"), size=3)
    return captured


def _route(state, path: str):
    return state.route(path).route


@pytest.mark.parametrize(
    ("case", "path", "authenticated", "record_exists"),
    [
        ("list", "/gadgets/", True, True),
        ("anonymous list", "/gadgets/", False, True),
        ("detail", "/gadgets/1/", True, True),
        ("missing detail", "/gadgets/99/", True, False),
        ("maker list", "/makers/", True, True),
    ],
    ids=["list: POST", "anonymous: no actions", "detail: PUT", "no record: no PUT", "other"],
)
def test_the_same_body_as_a_real_drf(real, case, path, authenticated, record_exists):
    found = metadata(real["state"], _route(real["state"], path), authenticated, record_exists)
    assert found == real[case]
    assert list(found.get("actions", {}).values()) == list(real[case].get("actions", {}).values())
    for ours, theirs in zip(
        found.get("actions", {}).values(), real[case].get("actions", {}).values(), strict=True
    ):
        # Field order and each field's key order, as DRF renders them.
        assert list(ours) == list(theirs)
        assert [list(f) for f in ours.values()] == [list(f) for f in theirs.values()]


def test_the_real_answers_have_what_is_compared(real):
    """The capture is not vacuous: every field kind the mock names is in it."""
    fields = real["list"]["actions"]["POST"]
    kinds = {field["type"] for field in fields.values()}
    assert kinds == {
        "integer", "nested object", "string", "slug", "decimal", "float", "boolean",
        "choice", "email", "url", "date", "time", "datetime", "field",
    }  # fmt: skip
    assert fields["secret"] == {
        "type": "string", "required": False, "read_only": False, "label": "Secret",
        "max_length": 12,
    }  # fmt: skip
    assert "actions" not in real["anonymous list"] and "actions" not in real["missing detail"]
    assert list(real["detail"]["actions"]) == ["PUT"]


# -- a route with no writes, or a write nobody may make -------------------------------------


def test_a_read_only_route_has_no_actions():
    state = make_state(users=5)
    found = metadata(state, _route(state, "/users/"), authenticated=True)
    assert found == {
        "name": "User List",
        "description": found["description"],
        "renders": ["application/json"],
        "parses": [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ],
    }
    assert metadata(state, _route(state, "/users/1/"), True)["name"] == "User Instance"


def test_a_method_not_in_allow_has_no_action(real):
    route = _route(real["state"], "/gadgets/")
    assert "actions" in metadata(real["state"], route, True)
    narrowed = dataclasses.replace(route, allow=b"GET, HEAD, OPTIONS")
    assert "actions" not in metadata(real["state"], narrowed, True)


# -- one field at a time --------------------------------------------------------------------

FIELDS = [
    (
        "string with blank mark",
        {"type": "string", "minLength": 1, "maxLength": 5},
        {"type": "string", "max_length": 5},
    ),
    ("real min length", {"type": "string", "minLength": 3}, {"type": "string", "min_length": 3}),
    ("uuid", {"type": "string", "format": "uuid"}, {"type": "string"}),
    ("ip", {"type": "string", "format": "ipv4"}, {"type": "string"}),
    ("file", {"type": "string", "format": "binary"}, {"type": "file upload"}),
    ("duration", {"type": "string", "format": "duration"}, {"type": "duration"}),
    ("any", {}, {"type": "field"}),
    (
        "list of strings",
        {"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 4},
        {
            "type": "list",
            "max_length": 4,
            "child": {"type": "string", "required": True, "read_only": False, "max_length": 3},
        },
    ),
    (
        "multiple choice",
        {"type": "array", "items": {"enum": ["a", "b"], "description": "* `a` - A\n* `b` - Bee"}},
        {
            "type": "multiple choice",
            "choices": [{"value": "a", "display_name": "A"}, {"value": "b", "display_name": "Bee"}],
        },
    ),
    (
        "nullable blank choice",
        {
            "nullable": True,
            "oneOf": [{"enum": ["x"], "type": "string"}, {"enum": [""]}, {"enum": [None]}],
        },
        {"type": "choice", "choices": [{"value": "x", "display_name": "x"}]},
    ),
    (
        "choice with help text",
        {"enum": [1], "description": "How big.\n\n* `1` - One"},
        {
            "type": "choice",
            "help_text": "How big.",
            "choices": [{"value": 1, "display_name": "One"}],
        },
    ),
    (
        "dict field",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {
            "type": "nested object",
            "child": {"type": "integer", "required": True, "read_only": False},
        },
    ),
    (
        "decimal no whole digits",
        {"type": "string", "format": "decimal", "pattern": r"^-?0?(?:\.\d{0,3})?$"},
        {"type": "decimal", "max_digits": 3, "decimal_places": 3},
    ),
    ("titled", {"type": "integer", "title": "Made by"}, {"type": "integer", "label": "Made by"}),
]


@pytest.mark.parametrize(
    ("prop", "expected"), [case[1:] for case in FIELDS], ids=[case[0] for case in FIELDS]
)
def test_field_info(prop, expected):
    found = field_info(prop, "f", required=False, read_only=False)
    label = {} if "label" in expected else {"label": "F"}
    whole = {"required": False, "read_only": False, **label, **expected}
    assert found == {k: whole[k] for k in found}
    assert set(found) == set(whole)


def test_a_relation_is_a_field_without_choices():
    prop = {"type": "integer", "enum": [1, 2]}
    assert field_info(prop, "maker", False, False, relation=True) == {
        "type": "field", "required": False, "read_only": False, "label": "Maker",
    }  # fmt: skip


def test_write_only_fields_sit_where_the_request_puts_them():
    request = {
        "properties": {
            "username": {"type": "string"},
            "password": {"type": "string", "writeOnly": True},
        },
        "required": ["username", "password"],
    }
    response = {
        "properties": {"id": {"type": "integer", "readOnly": True}, "username": {"type": "string"}}
    }
    assert list(serializer_info(request, response)) == ["id", "username", "password"]
    assert serializer_info(request, response)["password"]["required"] is True


def test_an_items_that_is_no_schema_is_a_list_of_anything():
    # vulnerablecode's `Purls.purls` says `items: string` (found by Schemathesis: OPTIONS
    # on its bulk_search answered 500).
    info = field_info({"type": "array", "items": "string"}, "purls", False, read_only=False)
    assert info["type"] == "list"
