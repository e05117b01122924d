"""YAML reading that keeps dates as text and turns syntax errors into ConfigError."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from pathlib import Path

import yaml

from mockserver.errors import ConfigError

# libyaml's parser where PyYAML has it (its wheels do): ten times faster on the spec, which
# counts at every start. Same safe constructor and resolver either way.
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDatesLoader(_SAFE):
    """A safe loader without the timestamp resolver: `2020-01-01` stays the string the spec
    types."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path, text: str | bytes | None = None, parsed: Path | None = None):
    """Parse a YAML file, naming the file and the line when it is broken. `parsed`: a
    directory that remembers documents already parsed, by their bytes' digest (libyaml
    still takes two seconds on a spec of a thousand operations; reading it back, 50 ms)."""
    try:
        if text is None:
            text = path.read_bytes()
        data = text.encode() if isinstance(text, str) else text
        remembered = _remembered(parsed, data)
        if remembered is not None:
            return remembered
        document = yaml.load(data, Loader=_TextDatesLoader)  # a SafeLoader subclass
        _remember(parsed, data, document)
        return document
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), f"is not valid YAML{where}: {problem}") from None


def _entry(parsed: Path, data: bytes) -> Path:
    return parsed / f"{hashlib.sha256(data).hexdigest()[:32]}.marshal"


def _remembered(parsed: Path | None, data: bytes):
    """The document parsed from `data` before, if its entry is whole; else None. An entry is
    the sha256 of its payload, then the payload (marshal: the document holds only text,
    numbers, booleans, None, lists and mappings, since dates stay text)."""
    if parsed is None:
        return None
    try:
        stored = _entry(parsed, data).read_bytes()
    except OSError:
        return None
    digest, payload = stored[:32], stored[32:]
    if hashlib.sha256(payload).digest() != digest:
        return None  # damaged: parsed again, and written anew
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def _remember(parsed: Path | None, data: bytes, document) -> None:
    if parsed is None:
        return
    try:
        payload = marshal.dumps(document)
    except ValueError:  # an object marshal cannot write: not remembered
        return
    entry = _entry(parsed, data)
    with contextlib.suppress(OSError):  # a read-only or full disk: parsed next time too
        parsed.mkdir(parents=True, exist_ok=True)
        temp = entry.with_suffix(f".tmp{os.getpid()}")
        temp.write_bytes(hashlib.sha256(payload).digest() + payload)
        temp.replace(entry)
