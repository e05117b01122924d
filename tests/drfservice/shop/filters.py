"""The bundles' FilterSet: a lookup across a relation and a filter of its own method."""

import django_filters
from django.db.models import Q
from django_filters import rest_framework as filters

from shop.models import Bundle


# django-filter's DRF FilterSet, as its documentation has DRF services use: its booleans read
# `true`, `false`, `1` and `0` (BooleanWidget), where a plain FilterSet's NullBooleanSelect
# would read `True`, `2` and `3` too and drop `1`.
class BundleFilter(filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name or description contains")

    class Meta:
        model = Bundle
        # `category__slug` follows the foreign key: django-filter names the filter after
        # the lookup path and types it from the target field (a SlugField).
        fields = {
            "category__slug": ["exact"],
            "weight": ["gte", "lte"],
            "rating": ["gte", "isnull"],
        }

    def filter_q(self, queryset, name, value):
        # A method filter runs only for a non-empty value (Filter.filter's EMPTY_VALUES).
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))
