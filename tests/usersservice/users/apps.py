"""The users app's configuration."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
