"""A spec's `$ref`s and shape, checked before anything follows them (issue 16, items 7-9)."""

from __future__ import annotations

import pytest

from mockserver.contract import references
from mockserver.errors import ConfigError

TAG = {"type": "object", "properties": {"id": {"type": "integer"}}}


def _doc(ref, schemas=None, paths=None) -> dict:
    schema = ref if isinstance(ref, dict) else {"$ref": ref}
    answer = {"200": {"description": "", "content": {"application/json": {"schema": schema}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths or {"/a/": {"get": {"responses": answer}}},
        "components": {"schemas": {"Tag": TAG, **(schemas or {})}},
    }


PLACE = "paths /a/ get responses 200 content application/json schema"
OUTSIDE = "points outside the spec (only '#/...' references inside it are followed)"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            _doc("file:///etc/passwd"),
            f"{PLACE}: $ref 'file:///etc/passwd' {OUTSIDE}",
            id="item 8: a file URL",
        ),
        pytest.param(
            _doc("http://10.255.255.1/spec.yaml#/Tag"),
            f"{PLACE}: $ref 'http://10.255.255.1/spec.yaml#/Tag' {OUTSIDE}",
            id="item 8: an http URL",
        ),
        pytest.param(
            _doc("other.yaml#/Tag"),
            f"{PLACE}: $ref 'other.yaml#/Tag' {OUTSIDE}",
            id="item 8: a file beside it",
        ),
        pytest.param(
            _doc("missing.yaml"),
            f"{PLACE}: $ref 'missing.yaml' {OUTSIDE}",
            id="item 9: a missing relative file",
        ),
        pytest.param(
            _doc("../" * 30 + "etc/passwd"),
            f"{PLACE}: $ref '{('../' * 30)[:57]}...' {OUTSIDE}",
            id="item 8: a long ref is shortened",
        ),
        pytest.param(
            _doc({"example": {"$ref": "file:///etc/passwd"}}),
            f"{PLACE} example: $ref 'file:///etc/passwd' {OUTSIDE}",
            id="item 8: in an example, which Connexion's resolve_refs follows too",
        ),
        pytest.param(
            _doc("#/components/schemas/Nope"),
            f"{PLACE}: $ref '#/components/schemas/Nope' points nowhere",
            id="a local ref to nothing",
        ),
        pytest.param(
            _doc({"$ref": {"type": "string"}}),
            f"{PLACE}: $ref is no text (like '#/components/schemas/Tag')",
            id="a $ref that is no text",
        ),
        pytest.param(
            _doc("#/components/schemas/A", {"A": {"$ref": "#/components/schemas/A"}}),
            "components schemas A: $ref cycle #/components/schemas/A -> #/components/schemas/A "
            "(a schema that is only itself has no value)",
            id="item 7: a schema that is only itself",
        ),
        pytest.param(
            _doc(
                "#/components/schemas/Tag",
                {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
            ),
            "components schemas A: $ref cycle #/components/schemas/A -> #/components/schemas/B "
            "-> #/components/schemas/A (a schema that is only itself has no value)",
            id="item 7: two schemas that are only each other, even unused",
        ),
        pytest.param(
            _doc("#/components/schemas/Tag", paths={"/t/{id/": {}}),
            "paths '/t/{id/': braces do not pair",
            id="item 9: a path parameter without its closing brace",
        ),
        pytest.param(
            _doc("#/components/schemas/Tag", paths={"/t/{a{b}}/": {}}),
            "paths '/t/{a{b}}/': braces do not pair",
            id="item 9: braces inside braces",
        ),
        pytest.param(
            {**_doc("#/components/schemas/Tag"), "x-deep": [[[[[[[[[[]]]]]]]]]] * 1},
            None,
            id="a nesting within the bound",
        ),
    ],
)
def test_check(document, message):
    if message is None:
        references.check("s.yaml", document)
        return
    with pytest.raises(ConfigError) as caught:
        references.check("s.yaml", document)
    assert str(caught.value) == f"s.yaml: {message}"


def test_a_nesting_past_the_bound_is_refused():
    deep: list = []
    for _ in range(references.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ConfigError) as caught:
        references.check("s.yaml", {"paths": {}, "x-deep": deep})
    assert str(caught.value) == (
        f"s.yaml: x-deep 0 0 0 0 0 0 0 ...: nested deeper than {references.MAX_DEPTH} levels"
    )


@pytest.mark.parametrize(
    ("ref", "found"),
    [
        pytest.param("#/components/schemas/Tag", TAG, id="a schema"),
        pytest.param("#/paths/~1a~1/get/responses/200/description", "", id="~1 is a slash"),
        pytest.param("#/x/1", "b", id="an array's item"),
    ],
)
def test_target(ref, found):
    assert references.target({**_doc("#/components/schemas/Tag"), "x": ["a", "b"]}, ref) == found


SERVED = {
    "components": {
        "schemas": {
            "Alias": {"$ref": "#/components/schemas/Price"},
            "Price": {"type": "string", "format": "decimal"},
            "Loop": {"$ref": "#/components/schemas/Back"},
            "Back": {"$ref": "#/components/schemas/Loop"},
        }
    }
}
FOLLOWED = [
    ("no reference: the node", {"type": "integer"}, {"type": "integer"}),
    ("one step", {"$ref": "#/components/schemas/Price"}, SERVED["components"]["schemas"]["Price"]),
    ("two steps", {"$ref": "#/components/schemas/Alias"}, SERVED["components"]["schemas"]["Price"]),
    ("a loop: nothing", {"$ref": "#/components/schemas/Loop"}, None),
    ("pointing nowhere: nothing", {"$ref": "#/components/schemas/Gone"}, None),
    ("another document: nothing", {"$ref": "other.yaml#/Price"}, None),
    ("no object: itself", None, None),
]


@pytest.mark.parametrize(("node", "found"), [f[1:] for f in FOLLOWED], ids=[f[0] for f in FOLLOWED])
def test_followed(node, found):
    assert references.followed(SERVED, node) == found
