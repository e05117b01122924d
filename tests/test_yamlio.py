"""Reading YAML: dates stay text, errors name the line, a parsed document is remembered."""

from __future__ import annotations

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
