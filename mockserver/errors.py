"""Errors as data: each carries its HTTP status and DRF body, or its exit code.

Every error here pickles whole (type, message and fields), because the dataset is built in
worker processes and a worker's error must reach the CLI or the reloader as it was raised.
An exception is unpickled as `type(error)(*error.args)` with its `__dict__` set after, so
`args` must be exactly the constructor's arguments.
"""

from __future__ import annotations

from dataclasses import dataclass


class ApiError(Exception):
    """An answer other than 200, with the body the real service gives.

    >>> ApiError.detail(404, "Invalid page.").body
    {'detail': 'Invalid page.'}
    """

    def __init__(self, status: int, body: dict | list, headers: dict[str, str] | None = None):
        super().__init__(status, body, headers)
        self.status = status
        self.body = body
        self.headers = headers or {}

    @classmethod
    def detail(cls, status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
        return cls(status, {"detail": message}, headers)

    @classmethod
    def invalid(cls, problems: dict[str, list[str]]) -> ApiError:
        """400 in DRF's validation shape: one key per parameter, a list of messages each."""
        return cls(400, problems)


class ConfigError(Exception):
    """Bad spec, fixture or setting: stops startup with exit code 2 and names the place."""

    exit_code = 2

    def __init__(self, source: str, message: str):
        super().__init__(source, message)
        self.source = source
        self.message = message

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True)
class Finding:
    """Something a spec has that the mock serves without modelling it: a warning that
    `mockserver check` prints (and `--strict` fails on), never a reason to refuse the spec.

    >>> str(Finding("openapi.yaml", "paths /a/ get parameter 'q': accepted, not modelled"))
    "openapi.yaml: paths /a/ get parameter 'q': accepted, not modelled"
    """

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"
