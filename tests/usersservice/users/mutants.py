"""The mutant this process runs as: `USERSSERVICE_MUTANT`, empty for the correct service.

Each mutant breaks one behaviour, in one `if MUTANT == "<name>":` branch at the place where
that behaviour lives (`grep -rn 'MUTANT ==' users/`).
"""

import os

from django.core.exceptions import ImproperlyConfigured

NAMES = {
    "filter_ignored": "filters.py: the is_active filter ignores its value",
    "ordering_reversed": "filters.py: sort orders the other way round",
    "count_wrong": "pagination.py: count is one more than the real count",
    "next_drops_param": "pagination.py: next links keep only page and limit",
    "page_size_ignored": "pagination.py: limit is ignored (always 20)",
    "field_type": "serializers.py: id is rendered as a string",
    "not_found_body": 'views.py: the detail 404 body is {"error": "not found"}',
    "no_www_authenticate": "views.py: 401 answers lack the WWW-Authenticate header",
    "detail_differs": "views.py: a detail's email is upper-cased",
}

MUTANT = os.environ.get("USERSSERVICE_MUTANT", "").strip()
if MUTANT and MUTANT not in NAMES:
    raise ImproperlyConfigured(
        f"USERSSERVICE_MUTANT={MUTANT!r} is none of: {', '.join(sorted(NAMES))}"
    )
