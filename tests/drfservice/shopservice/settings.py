"""Settings of the reference DRF service; the SQLite file comes from $DRFSERVICE_DB."""

import os
import tempfile

SECRET_KEY = "drfservice-reference-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "shop",
]

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

ROOT_URLCONF = "shopservice.urls"
WSGI_APPLICATION = "shopservice.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "shopservice.pgtext",  # SQLite, text compared as on PostgreSQL
        "NAME": os.environ.get(
            "DRFSERVICE_DB", os.path.join(tempfile.gettempdir(), "drfservice.sqlite3")
        ),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# User "api"'s password is checked once per JSON Web Token asked for: the fast hasher of
# Django's own test settings, not PBKDF2's million iterations.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

USE_TZ = True
TIME_ZONE = "UTC"
APPEND_SLASH = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "shop.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "A small shop: products read and written; categories, tags and settings read.",
    "SERVE_INCLUDE_SCHEMA": False,
}
