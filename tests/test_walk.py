"""One value's walk down a schema (mockserver/fake/walk.py): the smallest value when it is
asked for, and the names a `required` list holds. mockserver/fake/sample.py's tests
(tests/test_sample.py) walk every shape through `sample`."""

from __future__ import annotations

import pytest

from mockserver.fake.sample import Sampler
from mockserver.fake.walk import Walk, as_mapping, required_names

OBJECT = {
    "type": "object",
    "required": ["a"],
    "properties": {"a": {"type": "integer", "minimum": 3, "maximum": 3}, "b": {"type": "string"}},
}


def _walk(schema: dict, least: bool) -> object:
    return Walk(Sampler(), b"1/k|", least).value(schema, "", 0, (), "", None)


@pytest.mark.parametrize(
    ("schema", "least", "expected"),
    [
        pytest.param(OBJECT, True, {"a": 3}, id="smallest object: its required properties"),
        pytest.param({"type": "string", "nullable": True}, True, None, id="smallest nullable"),
        pytest.param({"type": "array", "items": {"type": "integer"}}, True, [], id="smallest list"),
        pytest.param({"type": "integer", "minimum": 7, "maximum": 7}, False, 7, id="one integer"),
        pytest.param({"const": "x", "type": "integer"}, False, "x", id="a const, whatever type"),
        pytest.param(["not", "a schema"], False, None, id="no schema: nothing"),
    ],
)
def test_a_walk_makes_the_value_it_is_asked_for(schema, least, expected):
    assert _walk(schema, least) == expected


def test_a_walk_is_the_same_for_the_same_prefix():
    full = _walk(OBJECT, False)
    assert set(full) == {"a", "b"} and full == _walk(OBJECT, False)


@pytest.mark.parametrize(
    ("required", "expected"),
    [
        pytest.param(["a", "b"], ["a", "b"], id="a list of names"),
        pytest.param("labels", [], id="a published spec's `required: labels`: none"),
        pytest.param(["a", 1, None], ["a"], id="what is no name is left out"),
        pytest.param(None, [], id="absent"),
    ],
)
def test_the_names_a_required_list_holds(required, expected):
    assert required_names(required) == expected


@pytest.mark.parametrize(
    ("node", "expected"),
    [pytest.param({"a": 1}, {"a": 1}, id="a mapping"), pytest.param([1], {}, id="a list: none")],
)
def test_a_mapping_or_none(node, expected):
    assert as_mapping(node) == expected
