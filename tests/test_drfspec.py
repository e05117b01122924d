"""The mock on an unannotated drf-spectacular spec (tests/drfservice/openapi.yaml).

It starts with no annotation file, serves every resource the spec describes, answers what
Schemathesis (every check, every phase) sends to the strict mode with no failure, and its
served /openapi.json adds DRF's real error answers while /openapi.yaml stays the file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from helpers_drf import SERVICE_DIR
from helpers_server import MockServer

pytestmark = [pytest.mark.slow, pytest.mark.contract]

SPEC = SERVICE_DIR / "openapi.yaml"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
AUTH = {"Authorization": f"Token {TOKEN}"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    server = MockServer(
        "--spec", str(SPEC), "--size", "60", "--token", TOKEN, "--no-access-log"
    ).wait()
    try:
        yield server
    finally:
        server.stop()


def test_it_starts_with_no_annotation_and_lists_every_collection(mock):
    assert "x-" not in "".join(re.findall(r"\bx-[a-z-]+", SPEC.read_text())), "unannotated"
    banner = mock.output
    assert "serving 60 categories, 60 products, settings and 60 tags" in banner
    for path in ("/categories/", "/products/", "/settings/", "/tags/"):
        assert re.search(rf"^  {re.escape(path)} +", banner, re.M), banner


def test_each_shape_is_served(mock):
    page = httpx.get(f"{mock.base}/products/?page_size=2", headers=AUTH)
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 60 and len(body["results"]) == 2
    assert body["next"] == f"{mock.base}/products/?page=2&page_size=2"
    tags = httpx.get(f"{mock.base}/tags/", headers=AUTH).json()
    assert isinstance(tags, list) and [t["id"] for t in tags] == list(range(1, 61))
    slug = httpx.get(f"{mock.base}/categories/", headers=AUTH).json()["results"][4]["slug"]
    one = httpx.get(f"{mock.base}/categories/{slug}/", headers=AUTH)
    assert one.status_code == 200 and one.json()["id"] == 5
    missing = httpx.get(f"{mock.base}/categories/no-such-slug/", headers=AUTH)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "No Category matches the given query."},
    )
    settings = httpx.get(f"{mock.base}/settings/", headers=AUTH)
    assert settings.status_code == 200 and set(settings.json()) == {
        "site_name",
        "currency",
        "maintenance",
        "max_cart_items",
        "support_email",
    }


def test_every_relation_points_at_a_record_that_exists(mock):
    products = httpx.get(f"{mock.base}/products/?page_size=100", headers=AUTH).json()["results"]
    for product in products:
        assert product["category"] is None or 1 <= product["category"] <= 60
        assert all(1 <= tag <= 60 for tag in product["tags"])
        assert product["tags"] == sorted(set(product["tags"]))
    assert any(p["category"] is None for p in products)
    assert any(p["tags"] for p in products)


def test_the_served_json_adds_drf_errors_and_the_yaml_is_the_file(mock):
    yaml_text = httpx.get(f"{mock.base}/openapi.yaml").content
    assert yaml_text == SPEC.read_bytes()
    served = httpx.get(f"{mock.base}/openapi.json").json()
    original = yaml.safe_load(SPEC.read_text())
    for path, item in original["paths"].items():
        assert set(item["get"]["responses"]) == {"200"}  # drf-spectacular's: 200 only
        responses = served["paths"][path]["get"]["responses"]
        expected = {"200", "400", "401", "406"}
        if "{" in path or path in ("/products/", "/categories/"):
            expected.add("404")
        assert set(responses) == expected, path
        assert responses["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Token"]
    # No mock control in it: the served JSON is real behaviour only.
    assert "__code" not in json.dumps(served) and "Prefer" not in json.dumps(served)


def test_schemathesis_finds_no_failure_on_the_strict_mock(mock, tmp_path):
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{mock.base}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "-H",
        f"Authorization: Token {TOKEN}",
        "--generation-deterministic",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    summary = re.findall(r"^=+ (.+?) =+$", output, re.M)
    print(f"\n[schemathesis, drf-spectacular spec] {summary[-1] if summary else output[-300:]}")
    assert process.returncode == 0, output
    ran = json.loads(report.read_text())
    assert ran["failures"] == [] and ran["errors"] == [], ran
    assert ran["operations"]["tested"] == ran["operations"]["total"] == 7
    assert ran["test_cases"]["with_failures"] == ran["test_cases"]["errored"] == 0
    assert {phase: state["status"] for phase, state in ran["phases"].items()} == {
        "examples": "skip",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }
