"""URLs of the Users DRF service: one read-only viewset on a DefaultRouter.

The DefaultRouter adds the format suffix routes (`/users.json`, `/users/3.json`) and an API
root at `/`, as DRF services have.
"""

from rest_framework.routers import DefaultRouter

from users import views

router = DefaultRouter(trailing_slash=True)
router.register("users", views.UserViewSet)

urlpatterns = router.urls
