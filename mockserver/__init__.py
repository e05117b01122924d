"""A spec-driven mock of Django REST Framework APIs that behaves like the real service.

The front door: what a program that embeds the mock needs, loaded on first use so that
`mockserver --help` and a start stay quick.

    >>> import mockserver
    >>> state = mockserver.load(mockserver.Settings(size=5, cache_dir=""))
    >>> app = mockserver.create_app(state)

The package's wings, each a folder: `http` (the HTTP edge), `engine` (queries and answers),
`contract` (the spec and DRF's conventions), `fake` (generated data) and `tools` (verify,
proxy, the pytest plugin); `cli`, `settings`, `state` and `errors` tie them together, and
`processes` keeps the children they start from outliving the server.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = [
    "ApiError",
    "ConfigError",
    "Settings",
    "Spec",
    "State",
    "__version__",
    "create_app",
    "load",
    "main",
    "reset",
]

_WHERE = {
    "ApiError": "mockserver.errors",
    "ConfigError": "mockserver.errors",
    "Settings": "mockserver.settings",
    "Spec": "mockserver.contract.spec",
    "State": "mockserver.state",
    "create_app": "mockserver.http.app",
    "load": "mockserver.state",
    "main": "mockserver.cli",
    "reset": "mockserver.tools.pytest_plugin",
}


def __getattr__(name: str):
    """A name of `__all__`, imported when first asked for (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
