"""The shop's paginations: pages of 20, limit/offset for bundles, a cursor for reviews."""

from rest_framework.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class BundlePagination(LimitOffsetPagination):
    # LimitOffsetPagination's default limit is the PAGE_SIZE setting, which this service
    # leaves unset: without a default_limit a request with no `limit` would not be paginated.
    default_limit = 10
    max_limit = 50


class ReviewPagination(CursorPagination):
    # A cursor needs a fixed, mostly unique ordering: the newest review first.
    ordering = "-created"
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100
