"""Django's SQLite backend, with text lookups as on PostgreSQL, where DRF services run.

SQLite's LIKE ignores ASCII case and its UPPER() knows only ASCII, so on a stock SQLite
`name__contains` would match "ABC" for "abc" and `name__icontains` would not fold "Ş".
On PostgreSQL, Django's `contains`, `startswith` and `endswith` are case-sensitive LIKEs,
and their `i` forms compare `UPPER()` of both sides, Unicode-aware. Here the connection
turns on `PRAGMA case_sensitive_like`, replaces UPPER() with Python's str.upper, and the
`i` lookups wrap both sides in UPPER(), as Django's PostgreSQL operations do.
"""

from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def lookup_cast(self, lookup_type, internal_type=None):
        if lookup_type in ("iexact", "icontains", "istartswith", "iendswith"):
            return "UPPER(%s)"
        return super().lookup_cast(lookup_type, internal_type)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    operators = {
        **base.DatabaseWrapper.operators,
        "iexact": "LIKE UPPER(%s) ESCAPE '\\'",
        "icontains": "LIKE UPPER(%s) ESCAPE '\\'",
        "istartswith": "LIKE UPPER(%s) ESCAPE '\\'",
        "iendswith": "LIKE UPPER(%s) ESCAPE '\\'",
    }

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_function("UPPER", 1, _upper, deterministic=True)
        connection.execute("PRAGMA case_sensitive_like = ON")
        return connection


def _upper(value):
    return None if value is None else str(value).upper()
