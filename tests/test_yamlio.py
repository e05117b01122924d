"""Reading YAML: dates stay text, errors name the line, a parsed document is remembered."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

import pytest

from mockserver.contract.yamlio import load_yaml
from mockserver.errors import ConfigError


def test_dates_stay_text(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("example: 2024-01-01\n")
    assert load_yaml(path) == {"example": "2024-01-01"}


def test_a_broken_file_names_the_line(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert str(caught.value).startswith(f"{path}: is not valid YAML (line ")


def test_a_parsed_document_is_remembered_and_a_damaged_memory_is_not_believed(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("paths: {/a/: {get: {responses: {200: {description: ok}}}}}\n")
    parsed = tmp_path / "parsed"
    first = load_yaml(path, parsed=parsed)
    (entry,) = parsed.iterdir()
    assert (
        load_yaml(path, parsed=parsed)
        == first
        == {"paths": {"/a/": {"get": {"responses": {200: {"description": "ok"}}}}}}
    )
    entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")  # damaged: parsed again
    assert load_yaml(path, parsed=parsed) == first


def _bomb(depth: int, width: int = 9) -> str:
    """Anchors nested `depth` deep, each of `width` aliases of the one before: width**depth
    leaves from a few lines (the "billion laughs")."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _bomb(9),
            "is not valid YAML: its aliases unfold 28 nodes into 490,329,064 (at most 1,000,000)",
            id="item 6: nine anchors of nine aliases",
        ),
        pytest.param(
            "info:\n  x-self: &s\n    me: *s\n",
            "is not valid YAML (line 2, column 11): an anchor holds an alias of itself",
            id="item 9: a mapping anchor holding its own alias",
        ),
        pytest.param(
            "x: &s [*s]\n",
            "is not valid YAML (line 1, column 4): an anchor holds an alias of itself",
            id="item 9: a list anchor holding its own alias",
        ),
        pytest.param(
            "maximum: " + "9" * 5001 + "\n",
            "is not valid YAML (line 1, column 10): an integer of 5,001 characters (at most 4,300)",
            id="item 9: an integer of 5,001 digits",
        ),
    ],
)
def test_a_hostile_document_is_one_line(tmp_path, text, message):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_yaml(path, parsed=tmp_path / "parsed")
    assert str(caught.value) == f"{path}: {message}"
    assert not (tmp_path / "parsed").exists()  # never remembered


def test_aliases_within_the_bound_load_as_shared_values(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(_bomb(4) + "ok: *a3\n")
    document = load_yaml(path)
    assert document["ok"] is document["a3"]
    assert len(document["a3"]) == 9 and document["a3"][0][0][0] == ["lol"] * 9


def test_a_file_without_end_stops_at_the_bound():
    """Item 9: `--spec /dev/zero` read MAX_BYTES and one more, not until memory ran out."""
    with pytest.raises(ConfigError) as caught:
        load_yaml(Path("/dev/zero"))
    assert str(caught.value) == "/dev/zero: is larger than 64 MB"


def test_an_entry_remembered_before_aliases_were_bounded_is_not_read(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(_bomb(9))
    data = path.read_bytes()
    old = tmp_path / "parsed" / f"{hashlib.sha256(data).hexdigest()[:32]}.marshal"
    old.parent.mkdir()
    payload = marshal.dumps({"remembered": True})
    old.write_bytes(hashlib.sha256(payload).digest() + payload)
    with pytest.raises(ConfigError, match="aliases unfold"):
        load_yaml(path, parsed=tmp_path / "parsed")
