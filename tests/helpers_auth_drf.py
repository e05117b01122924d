"""Real DRF, simplejwt and drf-spectacular answering authentication cases, for test_auth.py.

Run as a script (`python tests/helpers_auth_drf.py < cases.json`) in a process of its own,
since it configures Django: one APIView per list of authentication classes, the users and
keys of the mock's fixtures (persona 1 active, 2 inactive, 4 active; each key is also its
user's password and the key of a session of that user), simplejwt signing with the
mock's secret, so that the JWTs the mock issues are valid here too.

Input: {"secret": str, "cases": [[view, {header: value}], ...]}. Output: {"schema": the
drf-spectacular document, "answers": [[status, body, WWW-Authenticate or null], ...]}.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

# The views: their authentication classes and whether anonymous reads are allowed.
VIEWS = {
    "token": (["token"], "IsAuthenticated"),
    "bearer_token": (["bearer_token"], "IsAuthenticated"),
    "jwt": (["jwt"], "IsAuthenticated"),
    "basic": (["basic"], "IsAuthenticated"),
    "session": (["session"], "IsAuthenticated"),
    "apikey": (["apikey"], "IsAuthenticated"),
    "token_session": (["token", "session"], "IsAuthenticated"),
    "session_token": (["session", "token"], "IsAuthenticated"),
    "session_basic": (["session", "basic"], "IsAuthenticated"),
    "jwt_token": (["jwt", "token"], "IsAuthenticated"),
    "token_jwt": (["token", "jwt"], "IsAuthenticated"),
    "basic_jwt": (["basic", "jwt"], "IsAuthenticated"),
    "apikey_token": (["apikey", "token"], "IsAuthenticated"),
    "token_open": (["token", "session"], "AllowAny"),
    "jwt_open": (["jwt"], "IsAuthenticatedOrReadOnly"),
}
USERS = {  # id: (username, key, is_active)
    1: ("admin", "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", True),
    2: ("sleepy", "6f1ed002ab5595859014ebf0951522d9c0c1c1f7", False),
    4: ("ayse", "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1", True),
}


def configure(secret: str) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="not the signing key",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "rest_framework",
            "rest_framework.authtoken",
            "drf_spectacular",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"},
        SIMPLE_JWT={"SIGNING_KEY": secret},
        USE_TZ=True,
    )
    import django

    django.setup()


def views():
    """The URL patterns: `/v/<name>/` for each of VIEWS."""
    from django.urls import path
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
    from drf_spectacular.plumbing import build_bearer_security_scheme_object
    from rest_framework import authentication, exceptions, permissions
    from rest_framework.authtoken.models import Token
    from rest_framework.response import Response
    from rest_framework.views import APIView
    from rest_framework_simplejwt.authentication import JWTAuthentication

    class BearerTokenAuthentication(authentication.TokenAuthentication):
        keyword = "Bearer"

    class ApiKeyAuthentication(authentication.BaseAuthentication):
        """What the mock does for a custom apiKey header (auth.INVALID_API_KEY)."""

        def authenticate(self, request):
            key = request.headers.get("X-API-Key", "").strip()
            if not key:
                return None
            token = Token.objects.select_related("user").filter(key=key).first()
            if token is None:
                raise exceptions.AuthenticationFailed("Invalid API key.")
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed("User inactive or deleted.")
            return token.user, token

    class ApiKeyScheme(OpenApiAuthenticationExtension):
        target_class = ApiKeyAuthentication
        name = "apiKeyAuth"

        def get_security_definition(self, auto_schema):
            return {"type": "apiKey", "in": "header", "name": "X-API-Key"}

    class BearerScheme(OpenApiAuthenticationExtension):
        """A Token subclass named apart: drf-spectacular gives every subclass `tokenAuth`."""

        target_class = BearerTokenAuthentication
        name = "bearerAuth"

        def get_security_definition(self, auto_schema):
            return build_bearer_security_scheme_object("Authorization", "Bearer")

    classes = {
        "token": authentication.TokenAuthentication,
        "bearer_token": BearerTokenAuthentication,
        "jwt": JWTAuthentication,
        "basic": authentication.BasicAuthentication,
        "session": authentication.SessionAuthentication,
        "apikey": ApiKeyAuthentication,
    }
    patterns = []
    for name, (names, permission) in VIEWS.items():

        def get(self, request):
            return Response({"user": request.user.pk})

        view = type(
            f"View_{name}",
            (APIView,),
            {
                "authentication_classes": [classes[n] for n in names],
                "permission_classes": [getattr(permissions, permission)],
                "get": get,
            },
        )
        patterns.append(path(f"v/{name}/", view.as_view()))
    return patterns


urlpatterns: list = []


def load_users() -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    for user_id, (username, key, active) in USERS.items():
        user = User.objects.create_user(username, password=key, id=user_id, is_active=active)
        Token.objects.create(key=key, user=user)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        Session.objects.create(
            session_key=key,
            session_data=SessionStore().encode(data),
            expire_date=timezone.now() + timedelta(days=1),
        )


def main() -> None:
    given = json.load(sys.stdin)
    configure(given["secret"])
    urlpatterns.extend(views())
    load_users()
    from django.test import Client
    from drf_spectacular.generators import SchemaGenerator

    client = Client()
    answers = []
    for view, headers in given["cases"]:
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        response = client.get(f"/v/{view}/", **meta)
        answers.append([response.status_code, response.json(), response.get("WWW-Authenticate")])
    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    json.dump({"schema": schema, "answers": answers}, sys.stdout, default=str)


if __name__ == "__main__":
    main()
