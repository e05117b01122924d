"""The shop's models. Every value is loaded from an export (load_export sets even the server-set
times); products are written through the API too, so theirs are `auto_now_add` / `auto_now`.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class Tag(models.Model):
    name = models.CharField(max_length=30)
    color = models.CharField(max_length=7)

    class Meta:
        ordering = ["id"]


class Product(models.Model):
    STATUS_CHOICES = [("draft", "Draft"), ("active", "Active"), ("retired", "Retired")]

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    # Unique: DRF's ModelSerializer adds a UniqueValidator ("product with this sku already
    # exists."), which no generated spec can say (the overlay's `x-resource: {unique: [sku]}`).
    sku = models.UUIDField(unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.PositiveIntegerField()
    is_available = models.BooleanField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES)
    category = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True)
    email = models.EmailField()
    website = models.URLField(blank=True)
    released = models.DateField(null=True)
    rating = models.FloatField(null=True, validators=[MinValueValidator(0), MaxValueValidator(5)])
    # Server-set, so read-only in the serializer: the time of the create, of the last save.
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]


class SiteSettings(models.Model):
    site_name = models.CharField(max_length=60)
    currency = models.CharField(max_length=3)
    maintenance = models.BooleanField()
    max_cart_items = models.PositiveIntegerField()
    support_email = models.EmailField()

    class Meta:
        ordering = ["id"]


class Bundle(models.Model):
    """Served by its `uuid` only: the integer key stays inside, as in many real APIs."""

    uuid = models.UUIDField(unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, on_delete=models.SET_NULL, related_name="bundles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="bundles")
    weight = models.FloatField()
    rating = models.FloatField(null=True, validators=[MinValueValidator(0), MaxValueValidator(5)])
    created = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class Review(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    body = models.TextField(blank=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["id"]
