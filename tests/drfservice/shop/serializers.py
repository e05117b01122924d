"""The shop's ModelSerializers: plain ones, a bundle's nested ones, and a product's summary."""

from django.db.models import Avg
from rest_framework import serializers

from shop.models import Bundle, Category, Product, Review, SiteSettings, Tag


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "created"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = [
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
            "tags",
            "email",
            "website",
            "created",
            "released",
            "rating",
            "updated",
        ]


class SiteSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = SiteSettings
        fields = ["site_name", "currency", "maintenance", "max_cart_items", "support_email"]


class BundleSerializer(serializers.ModelSerializer):
    # Nested read-only serializers: the related rows themselves, not their keys.
    category = CategorySerializer(read_only=True, allow_null=True)
    tags = TagSerializer(many=True, read_only=True)

    class Meta:
        model = Bundle
        fields = ["uuid", "name", "description", "category", "tags", "weight", "rating", "created"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "product", "author", "score", "body", "created"]


class ProductSummarySerializer(serializers.ModelSerializer):
    """A product in a few figures."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    tag_count = serializers.IntegerField(source="tags.count", read_only=True)
    review_count = serializers.IntegerField(source="reviews.count", read_only=True)
    average_score = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "price", "category", "tag_count", "review_count", "average_score"]

    def get_average_score(self, product) -> float | None:
        return product.reviews.aggregate(average=Avg("score"))["average"]
