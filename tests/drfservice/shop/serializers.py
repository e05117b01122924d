"""Plain ModelSerializers of the shop's models."""

from rest_framework import serializers

from shop.models import Category, Product, SiteSettings, Tag


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
        ]


class SiteSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = SiteSettings
        fields = ["site_name", "currency", "maintenance", "max_cart_items", "support_email"]
