"""URLs of the reference DRF service: viewsets (products written too), a nested one, plain views.

A DefaultRouter, as DRF services use: it adds the format suffix routes (`/products.json`,
`/products/3.json`) and an API root at `/`, which drf-spectacular leaves out of the spec.
drf-nested-routers adds `/categories/{category_slug}/products/`, its kwarg named
`<lookup>_<the parent's lookup_field>`; simplejwt's view hands out tokens at `/api/token/`.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter
from rest_framework_nested.routers import NestedDefaultRouter
from rest_framework_simplejwt.views import TokenObtainPairView

from shop import views

router = DefaultRouter(trailing_slash=True)
router.register("products", views.ProductViewSet)
router.register("categories", views.CategoryViewSet)
router.register("tags", views.TagViewSet)
router.register("bundles", views.BundleViewSet)
router.register("reviews", views.ReviewViewSet)

# A DefaultRouter for the format suffixes as on the parent; its own API root would only
# be a second pattern for `/`, after the parent's.
category_router = NestedDefaultRouter(router, "categories", lookup="category")
category_router.include_root_view = False
category_router.register("products", views.CategoryProductViewSet, basename="category-products")

urlpatterns = [
    *router.urls,
    *category_router.urls,
    path("settings/", views.SiteSettingsView.as_view(), name="settings"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("ping/", views.PingView.as_view(), name="ping"),
    path("api/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
]
