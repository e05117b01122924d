"""The User serializer: the User schema's fields, in its (alphabetical) property order."""

from rest_framework import serializers

from users.models import User
from users.mutants import MUTANT


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "attributes",
            "attributes_kwargs",
            "avatar",
            "call_allowed",
            "date_joined",
            "date_of_birth",
            "email",
            "email_allowed",
            "first_name",
            "gender",
            "groups",
            "id",
            "is_active",
            "is_anonymized",
            "is_staff",
            "is_superuser",
            "language_code",
            "last_login",
            "last_name",
            "localized_attributes",
            "localized_attributes_kwargs",
            "modified_date",
            "phone",
            "pk",
            "sms_allowed",
            "user_permissions",
            "user_type",
            "username",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if MUTANT == "field_type":  # mutant: id rendered as a string
            data["id"] = str(data["id"])
        return data
