"""The shop's views: products read and written (a ModelViewSet), read-only categories, tags,
bundles, reviews and the settings singleton, a category's products, two actions of products and
one of tags, two plain APIViews.
"""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from shop.filters import BundleFilter
from shop.models import Bundle, Category, Product, Review, SiteSettings, Tag
from shop.pagination import BundlePagination, ReviewPagination
from shop.serializers import (
    BundleSerializer,
    CategorySerializer,
    ProductSerializer,
    ProductSummarySerializer,
    ReviewSerializer,
    SiteSettingsSerializer,
    TagSerializer,
)


class ProductViewSet(viewsets.ModelViewSet):
    """Products, read and written by the holders of a token."""

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
        "rating",
        "updated",
    ]

    # drf-spectacular reads an action as one object unless told it answers a list.
    @extend_schema(responses=ProductSerializer(many=True))
    @action(detail=False)
    def featured(self, request):
        """The available, active products, filtered and paginated as the list is."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.filter(is_available=True, status="active"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @action(detail=True, serializer_class=ProductSummarySerializer)
    def summary(self, request, pk=None):
        """One product in a few figures."""
        return Response(self.get_serializer(self.get_object()).data)


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

    # `/tags/popular/` is routed before `/tags/{id}/` (DRF's router puts list actions
    # first), while drf-spectacular's sorted paths write it after.
    @extend_schema(responses=TagSerializer(many=True), filters=False)
    @action(detail=False)
    def popular(self, request):
        """The tags of at least one product, the most used first."""
        tags = Tag.objects.annotate(uses=Count("product")).filter(uses__gt=0)
        return Response(self.get_serializer(tags.order_by("-uses", "id"), many=True).data)


class SiteSettingsView(generics.RetrieveAPIView):
    queryset = SiteSettings.objects.all()
    serializer_class = SiteSettingsSerializer

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=1)
        self.check_object_permissions(self.request, obj)
        return obj


class CategoryProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The products of one category, as drf-nested-routers routes them."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name", "price"]

    def get_queryset(self):
        # Scoped by the parent's slug from the URL; an unknown slug is an empty list.
        return super().get_queryset().filter(category__slug=self.kwargs["category_slug"])


class BundleViewSet(viewsets.ReadOnlyModelViewSet):
    """Bundles by their uuid, paginated by limit and offset."""

    queryset = Bundle.objects.select_related("category").prefetch_related("tags")
    serializer_class = BundleSerializer
    lookup_field = "uuid"
    pagination_class = BundlePagination
    filterset_class = BundleFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "weight", "rating", "created"]


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Reviews, newest first behind a cursor; a JSON Web Token or an API token."""

    queryset = Review.objects.all()
    serializer_class = ReviewSerializer
    # The first class answers the challenge of a 401: `Bearer realm="api"`.
    authentication_classes = [JWTAuthentication, TokenAuthentication]
    pagination_class = ReviewPagination
    # No OrderingFilter: the cursor's ordering is fixed.
    filter_backends = [DjangoFilterBackend]
    filterset_fields = {"product": ["exact"], "score": ["exact", "gte"]}


class StatsView(APIView):
    """How many rows each list has."""

    # An inline schema, as projects write for answers without a serializer.
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(
            {
                "products": Product.objects.count(),
                "categories": Category.objects.count(),
                "tags": Tag.objects.count(),
                "bundles": Bundle.objects.count(),
                "reviews": Review.objects.count(),
            }
        )


class PingView(APIView):
    """A health check, open to anyone."""

    # No serializer and no annotation: drf-spectacular writes "No response body".
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"status": "ok"})
