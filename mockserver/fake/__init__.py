"""Fake data: deterministic, realistic values for any schema, by (seed, resource, field, i).

Owns the x-faker language (`fakerules.py`) and its compiler (`datagen.py`), the hashed
draws and vocabularies (`draws.py`), and values for any schema drf-spectacular writes
(`sample.py`, walking the schema with `walk.py`, with the numbers and texts of
`scalars.py`). No global random state. It may import `contract`, never `engine` or `http`.
"""
