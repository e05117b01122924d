"""The engine: a query string read as django-filter reads it, and records answered from it.

Owns parsing (`params.py`: strict and lenient), filtering, searching and ordering
(`query.py`: pure functions over numpy columns), DRF's paginators (`pagination.py`,
`cursor.py`), the handlers that turn a view into bytes (`handlers.py`), the datasets they
read (`store.py`, cached on disk by `cache.py`), and writes: DRF's serializer validation
(`serializer.py`, with Django's address checks in `addresses.py`), create, update and
destroy (`writes.py`), a session's records over the datasets (`records.py`), and where the
sessions' change sets live (`sessions.py` in memory or a state file, `sharedstore.py` in
Redis). Plain Python: a test calls it without a server. It may import `contract`, `fake`
and the package's `errors` and `processes`, never `http`.
"""
