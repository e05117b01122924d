"""The HTTP edge: sockets, the ASGI pipeline, and every answer the client sees.

Owns the server (uvicorn, its limits, one send per answer, workers, reloads), the
pipeline declared once in `app.py` (edge: access log, CORS, last-resort 500, the mock's
endpoints; negotiation: faults and `Prefer`; the API step: route, admit, parse, answer),
the one writer of every answer (`answer.py`), admission (format, 406, authentication with
`auth.py` and the JWTs of `webtoken.py`), a write's body read by DRF's parsers
(`parsers.py`), the login views (`logins.py`), OPTIONS (`metadata.py`), and the served
documents (`docs.py` and `writedocs.py` with the serializer fields' checks of
`fieldschemas.py`, `ui.py`). It is the only wing that imports uvicorn, Starlette or
Connexion. It may import `engine`, `contract`, `fake` and the package's top-level modules
(`settings`, `state`, `errors`, `processes`).
"""
