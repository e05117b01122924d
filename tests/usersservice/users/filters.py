"""The query parameters of `/users/`: django-filter filters, and `sort`.

Filters are django-filter's defaults for the model fields (as `filterset_fields` would make
them), except `is_active` (a method, so that its mutant has a place) and the four JSON
fields: SQLite has no `contains` on a JSONField, so containment is PostgreSQL's `@>`
evaluated in Python over the queryset.
"""

from django import forms
from django.db.models import F
from django_filters import rest_framework as filters
from rest_framework.filters import OrderingFilter

from users.models import User
from users.mutants import MUTANT


def contains(value, wanted) -> bool:
    """PostgreSQL's jsonb `value @> wanted`: every key of `wanted`, with a contained value."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            key in value and contains(value[key], sub) for key, sub in wanted.items()
        )
    if isinstance(wanted, list):
        if not isinstance(value, list):
            return False
        return all(any(contains(item, sub) for item in value) for sub in wanted)
    if isinstance(value, bool) or isinstance(wanted, bool):  # jsonb: true is not 1
        return type(value) is type(wanted) and value == wanted
    if isinstance(value, (dict, list)):
        return False
    return value == wanted


class JSONContainsFilter(filters.Filter):
    """`?attributes={"confirm": true}`: the records whose field contains the JSON value."""

    field_class = forms.JSONField

    def filter(self, qs, value):
        if value is None:  # absent or empty: no filter
            return qs
        ids = [
            pk for pk, stored in qs.values_list("id", self.field_name) if contains(stored, value)
        ]
        return qs.filter(id__in=ids)


class UserFilter(filters.FilterSet):
    is_active = filters.BooleanFilter(method="filter_is_active")
    attributes = JSONContainsFilter(field_name="attributes")
    attributes_kwargs = JSONContainsFilter(field_name="attributes_kwargs")
    localized_attributes = JSONContainsFilter(field_name="localized_attributes")
    localized_attributes_kwargs = JSONContainsFilter(field_name="localized_attributes_kwargs")

    class Meta:
        model = User
        fields = {
            "id": ["exact", "gt", "gte", "lt", "lte"],
            "call_allowed": ["exact"],
            "date_joined": ["exact"],
            "date_of_birth": ["exact"],
            "email": ["exact"],
            "email_allowed": ["exact"],
            "first_name": ["exact"],
            "gender": ["exact"],
            "groups": ["exact"],
            "is_anonymized": ["exact"],
            "is_staff": ["exact"],
            "is_superuser": ["exact"],
            "language_code": ["exact"],
            "last_login": ["exact"],
            "last_name": ["exact"],
            "modified_date": ["exact", "gt", "gte", "lt", "lte"],
            "password": ["exact"],
            "phone": ["exact"],
            "sms_allowed": ["exact"],
            "user_permissions": ["exact"],
            "user_type": ["exact"],
            "username": ["exact"],
        }

    def filter_is_active(self, queryset, name, value):
        if MUTANT == "filter_ignored":  # mutant: is_active ignores its value
            return queryset
        return queryset.filter(is_active=value)


# The fields `sort` accepts: the record's fields that are neither objects nor lists.
SORTABLE = [
    "avatar",
    "call_allowed",
    "date_joined",
    "date_of_birth",
    "email",
    "email_allowed",
    "first_name",
    "gender",
    "id",
    "is_active",
    "is_anonymized",
    "is_staff",
    "is_superuser",
    "language_code",
    "last_login",
    "last_name",
    "modified_date",
    "phone",
    "pk",
    "sms_allowed",
    "user_type",
    "username",
]


class SortFilter(OrderingFilter):
    """DRF's OrderingFilter on `sort`, with PostgreSQL's nulls and ties by ascending id.

    PostgreSQL sorts nulls as larger than any value (last ascending, first descending);
    SQLite the other way, so each term says where its nulls go.
    """

    ordering_param = "sort"
    ordering_fields = SORTABLE

    def filter_queryset(self, request, queryset, view):
        terms = []
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            terms = self.remove_invalid_fields(queryset, fields, view, request)
        expressions = []
        for term in terms:
            descending = term.startswith("-")
            if MUTANT == "ordering_reversed":  # mutant: sort orders the other way round
                descending = not descending
            name = term.removeprefix("-")
            field = F("id" if name == "pk" else name)
            expressions.append(
                field.desc(nulls_first=True) if descending else field.asc(nulls_last=True)
            )
        return queryset.order_by(*expressions, F("id").asc())
