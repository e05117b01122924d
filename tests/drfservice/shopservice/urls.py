"""URLs of the reference DRF service: three read-only viewsets and the settings singleton.

A DefaultRouter, as DRF services use: it adds the format suffix routes (`/products.json`,
`/products/3.json`) and an API root at `/`, which drf-spectacular leaves out of the spec.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from shop import views

router = DefaultRouter(trailing_slash=True)
router.register("products", views.ProductViewSet)
router.register("categories", views.CategoryViewSet)
router.register("tags", views.TagViewSet)

urlpatterns = [
    *router.urls,
    path("settings/", views.SiteSettingsView.as_view(), name="settings"),
]
