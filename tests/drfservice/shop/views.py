"""The shop's read-only views: products, categories, tags and the settings singleton."""

from django.shortcuts import get_object_or_404
from rest_framework import generics, viewsets

from shop.models import Category, Product, SiteSettings, Tag
from shop.serializers import (
    CategorySerializer,
    ProductSerializer,
    SiteSettingsSerializer,
    TagSerializer,
)


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = {
        "id": ["exact", "in", "gt", "gte", "lt", "lte"],
        "name": [
            "exact",
            "iexact",
            "contains",
            "icontains",
            "startswith",
            "istartswith",
            "endswith",
            "iendswith",
        ],
        "price": ["exact", "gt", "gte", "lt", "lte", "range"],
        "stock": ["exact", "gte", "lte"],
        "is_available": ["exact"],
        "status": ["exact", "in"],
        "category": ["exact", "isnull"],
        "tags": ["exact"],
        "created": ["exact", "gt", "gte", "lt", "lte", "date"],
        "released": ["exact", "isnull", "gt", "lt"],
        "sku": ["exact"],
        "email": ["iexact"],
    }
    search_fields = ["name", "slug", "description", "email", "website"]
    ordering_fields = [
        "id",
        "name",
        "slug",
        "description",
        "sku",
        "price",
        "stock",
        "is_available",
        "status",
        "category",
        "email",
        "website",
        "created",
        "released",
    ]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    lookup_field = "slug"
    filterset_fields = {
        "name": ["exact", "icontains"],
        "slug": ["exact"],
        "created": ["gte", "lt"],
    }
    search_fields = ["name", "slug", "description"]
    ordering_fields = ["id", "name", "slug", "description", "created"]


class TagViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    pagination_class = None
    filterset_fields = {"name": ["exact", "icontains"], "color": ["exact"]}
    search_fields = ["name", "color"]
    ordering_fields = ["id", "name", "color"]


class SiteSettingsView(generics.RetrieveAPIView):
    queryset = SiteSettings.objects.all()
    serializer_class = SiteSettingsSerializer

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=1)
        self.check_object_permissions(self.request, obj)
        return obj
