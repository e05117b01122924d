"""The custom user model; every value is loaded from an export (no defaults, no auto_now)."""

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models


class User(AbstractBaseUser, PermissionsMixin):
    """The fields of `components/schemas/User` in openapi/users.yaml.

    AbstractBaseUser brings `password` and `last_login` (nullable); PermissionsMixin brings
    `is_superuser`, `groups` and `user_permissions`.
    """

    GENDER_CHOICES = [("male", "Male"), ("female", "Female")]
    USER_TYPE_CHOICES = [("guest", "Guest"), ("registered", "Registered")]

    username = models.CharField(max_length=150, unique=True)
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=20)
    language_code = models.CharField(max_length=10)
    avatar = models.URLField(max_length=500, null=True, blank=True)
    gender = models.CharField(max_length=6, choices=GENDER_CHOICES, null=True, blank=True)
    user_type = models.CharField(max_length=10, choices=USER_TYPE_CHOICES)
    date_of_birth = models.DateField(null=True, blank=True)
    date_joined = models.DateTimeField()
    modified_date = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_anonymized = models.BooleanField(default=False)
    email_allowed = models.BooleanField(default=False)
    sms_allowed = models.BooleanField(default=False)
    call_allowed = models.BooleanField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    attributes_kwargs = models.JSONField(default=dict, blank=True)
    localized_attributes = models.JSONField(default=dict, blank=True)
    localized_attributes_kwargs = models.JSONField(default=dict, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]
