"""The read-only users endpoint: `/users/` and `/users/{id}/`."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.response import Response

from users.filters import SortFilter, UserFilter
from users.models import User
from users.mutants import MUTANT
from users.serializers import UserSerializer


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    # The list applies the filters, `sort` and pagination; the detail applies the filters too
    # (DRF's get_object filters the queryset). No docstring: DRF would show it as the OPTIONS
    # answer's `description`, which the mock gives empty.

    queryset = User.objects.prefetch_related("groups", "user_permissions")
    serializer_class = UserSerializer
    filter_backends = [DjangoFilterBackend, SortFilter]
    filterset_class = UserFilter
    ordering = ["id"]

    def retrieve(self, request, *args, **kwargs):
        try:
            response = super().retrieve(request, *args, **kwargs)
        except Http404:
            if MUTANT == "not_found_body":  # mutant: a detail 404 body of its own
                return Response({"error": "not found"}, status=404)
            raise
        if MUTANT == "detail_differs":  # mutant: the detail's email differs from the list's
            response.data["email"] = response.data["email"].upper()
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if MUTANT == "no_www_authenticate" and response.status_code == 401:
            del response["WWW-Authenticate"]  # mutant: a 401 without WWW-Authenticate
        return response
