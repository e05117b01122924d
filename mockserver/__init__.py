"""A spec-driven mock of Django REST Framework APIs that behaves like the real service."""

import warnings

# Connexion imports Starlette's test client at import time, which warns that it prefers
# another HTTP client; the served app never uses the test client.
warnings.filterwarnings("ignore", message=r".*httpx.*starlette\.testclient.*")

__version__ = "0.1.0"
