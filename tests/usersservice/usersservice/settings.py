"""Settings of the Users DRF service; the SQLite file comes from $USERSSERVICE_DB."""

import os
import tempfile

SECRET_KEY = "usersservice-reference-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "users",
]

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

ROOT_URLCONF = "usersservice.urls"
WSGI_APPLICATION = "usersservice.wsgi.application"
AUTH_USER_MODEL = "users.User"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get(
            "USERSSERVICE_DB", os.path.join(tempfile.gettempdir(), "usersservice.sqlite3")
        ),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

USE_TZ = True
TIME_ZONE = "UTC"
APPEND_SLASH = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "users.pagination.UserPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Users API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "User profiles: username, email, status and consent flags, groups and permissions."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
}
