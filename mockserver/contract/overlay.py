"""Annotations kept apart from a spec that is generated upstream: an OpenAPI Overlay 1.0 file.

A team that regenerates its spec with `manage.py spectacular` keeps the mock's refinements
(`x-faker`, `x-resource`, `x-filter`, `x-fixtures`) in an overlay, so the upstream file
stays untouched (`mockserver serve --spec openapi.yaml --overlay mock-overlay.yaml`):

    overlay: 1.0.0
    info: {title: Shop mock annotations, version: "1"}
    actions:
      - target: $.paths['/products/'].get
        update: {x-resource: {size: 200, search: [name]}}
      - target: $.components.schemas.Product.properties.name
        update: {x-faker: {faker: catch_phrase}}

Each action's `target` is a JSONPath (RFC 9535) that must select something. `update` is
merged into each selected object (objects merge key by key, lists are appended), `remove:
true` deletes what is selected. Actions apply in order. The mock serves the upstream file as
it is; the overlay only changes how the mock reads it.
"""

from __future__ import annotations

import copy
from pathlib import Path

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse
from jsonpath_ng.jsonpath import Fields, Index

from mockserver.contract.yamlio import load_yaml
from mockserver.errors import ConfigError


def apply(document: dict, path: Path) -> dict:
    """`document` with the overlay at `path` applied (a copy; ConfigError on a bad overlay)."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not str(raw.get("overlay", "")).startswith("1."):
        raise ConfigError(str(path), "is not an OpenAPI Overlay 1.x document (`overlay: 1.0.0`)")
    actions = raw.get("actions")
    if not isinstance(actions, list) or not actions:
        raise ConfigError(str(path), "actions: needs a list of at least one action")
    result = copy.deepcopy(document)
    for number, action in enumerate(actions, start=1):
        where = f"actions[{number}]"
        if not isinstance(action, dict) or "target" not in action:
            raise ConfigError(str(path), f"{where}: needs a `target`")
        if ("update" in action) == bool(action.get("remove")):
            raise ConfigError(
                str(path), f"{where}: needs exactly one of `update` or `remove: true`"
            )
        try:
            matches = parse(str(action["target"])).find(result)
        # jsonpath-ng raises its own errors, and a bare Exception for some syntax errors.
        except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
            message = " ".join(str(exc).split())
            raise ConfigError(str(path), f"{where} target: {message}") from None
        if not matches:
            raise ConfigError(str(path), f"{where} target {action['target']!r} selects nothing")
        if action.get("remove"):
            _remove(matches)
            continue
        for match in matches:
            if isinstance(match.value, dict) and isinstance(action["update"], dict):
                merge(match.value, action["update"])
            elif isinstance(match.value, list):
                match.value.extend(copy.deepcopy(_as_list(action["update"])))
            else:
                raise ConfigError(
                    str(path), f"{where}: `update` must be a mapping for {action['target']!r}"
                )
    return result


def merge(into: dict, update: dict) -> None:
    """Overlay's merge: objects key by key, lists appended, anything else replaced.

    >>> doc = {"a": {"b": 1, "l": [1]}}
    >>> merge(doc, {"a": {"c": 2, "l": [2]}})
    >>> doc
    {'a': {'b': 1, 'l': [1, 2], 'c': 2}}
    """
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key].extend(copy.deepcopy(value))
        else:
            into[key] = copy.deepcopy(value)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _remove(matches) -> None:
    """Delete every match: keys from their objects, items from their lists (by position,
    the highest first, so that no removal shifts another)."""
    positions: dict[int, tuple[list, set[int]]] = {}
    for match in matches:
        parent = match.context.value if match.context is not None else None
        if isinstance(match.path, Fields) and isinstance(parent, dict):
            for name in match.path.fields:
                parent.pop(name, None)
        elif isinstance(match.path, Index) and isinstance(parent, list):
            indices = getattr(match.path, "indices", None) or [match.path.index]
            positions.setdefault(id(parent), (parent, set()))[1].update(indices)
    for items, chosen in positions.values():
        for index in sorted(chosen, reverse=True):
            if -len(items) <= index < len(items):
                del items[index]
