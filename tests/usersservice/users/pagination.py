"""Pages of 20 by default, `limit` up to 100, `page` a number or `last`."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from users.mutants import MUTANT


class UserPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100

    def get_page_size(self, request):
        if MUTANT == "page_size_ignored":  # mutant: `limit` is ignored
            return self.page_size
        return super().get_page_size(request)

    def get_next_link(self):
        if MUTANT == "next_drops_param":  # mutant: `next` keeps only page and limit
            if not self.page.has_next():
                return None
            url = self.request.build_absolute_uri(self.request.path)
            limit = self.request.query_params.get(self.page_size_query_param)
            if limit is not None:
                url = replace_query_param(url, self.page_size_query_param, limit)
            return replace_query_param(url, self.page_query_param, self.page.next_page_number())
        return super().get_next_link()

    def get_paginated_response(self, data):
        count = self.page.paginator.count
        if MUTANT == "count_wrong":  # mutant: `count` is one too many
            count += 1
        return Response(
            {
                "count": count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
