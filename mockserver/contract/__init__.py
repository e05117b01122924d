"""The contract: the spec as the code reads it, and what DRF's conventions say it means.

Owns loading and validating the spec (`spec.py`, `overlay.py`, `yamlio.py`, its `$ref`s and
shape checked before anything follows them in `references.py`, the packaged files of
`packaged.py`), what each operation serves (`resource.py`: collections, details, nested
lists, actions, singletons, generated bodies, creates, updates, deletes), the names DRF and
django-filter give things (`conventions.py`), security schemes (`security.py`), the login
views a spec documents (`loginviews.py`), JSON Schema and column kinds (`schema.py`),
date-times as Django reads and DRF writes them (`timefmt.py`), the fixtures (`fixtures.py`)
and the compatibility report (`compatibility.py`). It imports nothing of the other wings
(of the package's root: `errors`, `processes`, and `settings.MAX_SIZE`, the bound of a
collection's size).
"""
