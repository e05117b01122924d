"""A spec's `$ref`s and shape, checked once before anything follows them.

A spec may come from another team, so nothing in it may make the mock read a file, fetch a
URL, loop or nest without end. Every `$ref` of the document (in schemas, examples and
extensions alike, since Connexion's `resolve_refs` follows them all) must be text pointing
inside the document (`#/components/schemas/Tag`) at something that is there; a file beside
the spec (`other.yaml#/Tag`), a `file:` or `http:` URL is refused, its text shortened and
its target never opened: drf-spectacular writes one self-contained document, and a spec in
several files is bundled first (`redocly bundle`, `swagger-cli bundle`). A chain of
references that comes back to its start (`A: {$ref: B}`, `B: {$ref: A}`) is a schema that is
only itself, which has no value: refused too. A schema that contains itself further down
(`Tag.children: [Tag]`) is recursive, valid and common, and Spec.resolve bounds it.
"""

from __future__ import annotations

from mockserver.errors import ConfigError

# Deepest nesting of the document: real specs stay under 20 levels. Deeper, walks that
# recurse (the validators', orjson's at 255) would fail where the spec cannot be named.
MAX_DEPTH = 64
_SHOWN = 60  # characters of a refused `$ref` shown in its error line


def check(source: str, document: dict) -> None:
    """Raise ConfigError naming the first problem's place: a `$ref` that is not text, points
    outside the document or nowhere, or comes back to itself; a path template whose braces
    do not pair; a nesting deeper than MAX_DEPTH.

    >>> check("s.yaml", {"paths": {}, "components": {"schemas": {  # doctest: +ELLIPSIS
    ...     "A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}})
    Traceback (most recent call last):
    ...
    mockserver.errors.ConfigError: s.yaml: components schemas A: $ref cycle #/components/...
    >>> check("s.yaml", {"paths": {"/a/": {"get": {  # doctest: +ELLIPSIS
    ...     "responses": {"200": {"$ref": "file:///etc/passwd"}}}}}})
    Traceback (most recent call last):
    ...
    mockserver.errors.ConfigError: s.yaml: paths /a/ get responses 200: $ref 'file:///etc...
    """
    paths = document.get("paths")
    for template in paths if isinstance(paths, dict) else ():
        if not _pairs(str(template)):
            raise ConfigError(source, f"paths {str(template)[:_SHOWN]!r}: braces do not pair")
    stack: list[tuple[object, tuple]] = [(document, ())]  # walked in the document's order
    while stack:
        node, place = stack.pop()
        if len(place) > MAX_DEPTH:
            where = " ".join(str(p) for p in place[:8])
            raise ConfigError(source, f"{where} ...: nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            if "$ref" in node:
                _check_ref(source, document, node["$ref"], place)
            stack.extend((value, (*place, key)) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((node[i], (*place, i)) for i in range(len(node) - 1, -1, -1))


def target(document: dict, ref: str):
    """What a local `$ref` points at (RFC 6901: `~1` is `/`, `~0` is `~`; an array's item by
    its index); KeyError when nothing is there.

    >>> target({"a": {"b/c": [1, 2]}}, "#/a/b~1c/1")
    2
    """
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def followed(document: dict, node):
    """`node` itself, or what its local `$ref` points at, followed until it is no reference;
    None where a reference points nowhere or back at itself (a served document is read
    whole, past the checks a spec passed at load).

    >>> document = {"c": {"A": {"$ref": "#/c/B"}, "B": {"type": "string"}, "L": {"$ref": "#/c/L"}}}
    >>> followed(document, {"$ref": "#/c/A"}), followed(document, {"$ref": "#/c/L"})
    ({'type': 'string'}, None)
    >>> followed(document, {"$ref": "#/c/X"}), followed(document, 5)
    (None, 5)
    """
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return None
        seen.add(ref)
        try:
            node = target(document, ref)
        except KeyError:
            return None
    return node


def _check_ref(source: str, document: dict, ref, place: tuple) -> None:
    where = " ".join(str(p) for p in place) or "the top level"
    if not isinstance(ref, str):
        raise ConfigError(source, f"{where}: $ref is no text (like '#/components/schemas/Tag')")
    # The chain starts at the node's own place, so that a cycle is named from where it is met.
    own = "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in place)
    chain = [own, ref]
    while True:
        shown = ref if len(ref) <= _SHOWN else ref[: _SHOWN - 3] + "..."
        if not ref.startswith("#/"):
            raise ConfigError(
                source,
                f"{where}: $ref {shown!r} points outside the spec (only '#/...' references "
                "inside it are followed)",
            )
        try:
            found = target(document, ref)
        except KeyError:
            raise ConfigError(source, f"{where}: $ref {shown!r} points nowhere") from None
        ref = found.get("$ref") if isinstance(found, dict) else None
        if not isinstance(ref, str):
            return  # a value, or a `$ref` that is no text: reported at its own place
        if ref in chain:
            # Reported at the first reference of the cycle, once, whichever place met it.
            start = chain.index(ref)
            cycle = " -> ".join([*chain[start:], ref])
            first = chain[start][2:].replace("/", " ").replace("~1", "/").replace("~0", "~")
            raise ConfigError(
                source,
                f"{first}: $ref cycle {cycle} (a schema that is only itself has no value)",
            )
        chain.append(ref)


def _pairs(template: str) -> bool:
    """Whether every `{` of a path template closes before the next `{` or `/`.

    >>> _pairs("/t/{id}/x/"), _pairs("/t/{id/"), _pairs("/t/id}/"), _pairs("/t/{a{b}}/")
    (True, False, False, False)
    """
    inside = False
    for char in template:
        if char == "{":
            if inside:
                return False
            inside = True
        elif char == "}":
            if not inside:
                return False
            inside = False
        elif char == "/" and inside:
            return False
    return not inside
