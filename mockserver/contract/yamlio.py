"""YAML reading that keeps dates as text, refuses what would take the process down (an
alias bomb, an anchor inside itself, a number of thousands of digits, an endless file), and
turns every such problem and every syntax error into a one-line ConfigError."""

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

# The largest file read: authentik's spec, the largest of tests/realspecs, is 1.7 MB. A
# device or a pipe without end (`--spec /dev/zero`) stops here instead of filling memory.
MAX_BYTES = 64 << 20
# Aliases (`*name`) repeat their anchor's nodes without writing them again: nine anchors of
# nine aliases each are 9^9 nodes (the "billion laughs"). A document may unfold to ALIAS_RATIO
# times the nodes it writes, or ALIAS_FLOOR nodes, whichever is more; beyond, it is refused
# (go-yaml, behind Kubernetes, bounds aliases the same way).
ALIAS_RATIO = 10
ALIAS_FLOOR = 1_000_000
# CPython refuses to convert integers of more than 4300 digits (CVE-2020-10735); a spec
# holding one is refused with its line instead of a ValueError from the constructor.
MAX_DIGITS = 4300


class _TextDatesLoader(_SAFE):
    """A safe loader without the timestamp resolver: `2020-01-01` stays the string the spec
    types; an integer of more than MAX_DIGITS digits is a YAML error at its line."""

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"an integer of {len(node.value):,} characters (at most {MAX_DIGITS:,})",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TextDatesLoader.add_constructor("tag:yaml.org,2002:int", _TextDatesLoader.construct_yaml_int)
# Entries remembered before aliases were bounded may hold a bomb: a new name leaves them
# unread.
_ENTRY_VERSION = "2"


def read_bounded(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, or ConfigError when it cannot be read or holds more than `limit`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
    if len(data) > limit:
        raise ConfigError(str(path), f"is larger than {limit >> 20} MB")
    return data


def load_yaml(path: Path, text: str | bytes | None = None, parsed: Path | None = None):
    """Parse a YAML file, naming the file and the line when it is broken. `parsed`: a
    directory that remembers documents already parsed, by their bytes' digest (libyaml
    still takes two seconds on a spec of a thousand operations; reading it back, 50 ms)."""
    data = read_bounded(path) if text is None else text
    data = data.encode() if isinstance(data, str) else data
    try:
        remembered = _remembered(parsed, data)
        if remembered is not None:
            return remembered
        document = _parse(data)
        _remember(parsed, data, document)
        return document
    except (yaml.YAMLError, _Refused) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), f"is not valid YAML{where}: {problem}") from None
    except RecursionError:  # a nesting libyaml takes and the constructor cannot
        raise ConfigError(str(path), "is not valid YAML: nested too deep") from None


class _Refused(Exception):
    """A document the loader will not build; `problem_mark` is where, as PyYAML's errors."""

    def __init__(self, problem: str, mark):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def _parse(data: bytes):
    """The document, composed first and built only when its aliases are bounded."""
    loader = _TextDatesLoader(data)
    try:
        node = loader.get_single_node()
        # An anchor needs `&`: a document without one (any JSON spec) has no alias at all.
        if node is not None and b"&" in data:
            _check_aliases(node)
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _check_aliases(root) -> None:
    """Raise _Refused when the aliases unfold the document past the bound, or an anchor
    holds an alias of itself (`a: &a [*a]`, a value that would contain itself).

    Each node is walked once (an alias is the very node of its anchor): its unfolded size is
    1 + its children's, remembered by identity; a node met again while its own children are
    still being walked is inside itself.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    written = 0
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _Refused("an anchor holds an alias of itself", node.start_mark)
        written += 1
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _Refused("an anchor holds an alias of itself", child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))
    total, bound = sizes[id(root)], max(ALIAS_FLOOR, ALIAS_RATIO * written)
    if total > bound:
        raise _Refused(
            f"its aliases unfold {written:,} nodes into {total:,} (at most {bound:,})", None
        )


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _entry(parsed: Path, data: bytes) -> Path:
    return parsed / f"{hashlib.sha256(data).hexdigest()[:32]}.{_ENTRY_VERSION}.marshal"


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
