"""The engine: a query string read as django-filter reads it, and records answered from it.

Owns parsing (`params.py`: strict and lenient), filtering, searching and ordering
(`query.py`: pure functions over numpy columns), DRF's paginators (`pagination.py`,
`cursor.py`), the handlers that turn a view into bytes (`handlers.py`), and the datasets they
read (`store.py`, cached on disk by `cache.py`). Plain Python: a test calls it without a
server. It may import `contract` and `fake`, never `http`.
"""
