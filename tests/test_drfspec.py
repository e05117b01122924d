"""The mock on an unannotated drf-spectacular spec (tests/drfservice/openapi.yaml).

It starts with no annotation file, serves every resource the spec describes (lists with
page, limit/offset and cursor pagination, details by id, slug and uuid, a nested route,
`@action`s, a singleton, an inline schema, a no-body view, behind Token, session and JWT
auth), answers every read Schemathesis (every check, every phase) sends to the strict mode
with no failure, and its served /openapi.json adds DRF's real error answers while
/openapi.yaml stays the file. Its writes (the products' create, update and delete, and
simplejwt's POST /api/token/) are performed, and Schemathesis finds no failure on them
either.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from helpers_drf import SERVICE_DIR, SHOP_OVERLAY
from helpers_server import SCHEMATHESIS_CONFIG, SCHEMATHESIS_ENV, MockServer, run_bounded

pytestmark = [pytest.mark.slow, pytest.mark.contract]

SPEC = SERVICE_DIR / "openapi.yaml"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
AUTH = {"Authorization": f"Token {TOKEN}"}


@pytest.fixture(scope="module")
def mock(tmp_path_factory) -> Iterator[MockServer]:
    # The service's unique sku, which no spec says (the write differential's overlay).
    overlay = tmp_path_factory.mktemp("overlay") / "overlay.json"
    overlay.write_text(json.dumps(SHOP_OVERLAY))
    server = MockServer(
        "--spec", str(SPEC), "--overlay", str(overlay), "--size", "60", "--token", TOKEN,
        "--no-access-log",
    ).wait()  # fmt: skip
    try:
        yield server
    finally:
        server.stop()


def test_it_starts_with_no_annotation_and_lists_every_collection(mock):
    # No extension key anywhere (`application/x-www-form-urlencoded` is a media type).
    assert re.findall(r"^ *x-[\w-]+:", SPEC.read_text(), re.M) == [], "unannotated"
    banner = mock.output
    assert (
        "serving 60 bundles, 60 categories, 60 products, 60 reviews, settings and 60 tags" in banner
    )
    for path in ("/bundles/", "/categories/", "/products/", "/reviews/", "/settings/", "/tags/"):
        assert re.search(rf"^  {re.escape(path)} +", banner, re.M), banner
    # How each of the 23 operations is served (`mockserver check` lists them one by one).
    assert (
        "  served:     23 operations: 5 collection, 6 detail, 1 singleton, 1 nested "
        "collection, 3 action, 1 generated from its schema, 1 no response body, 1 create, "
        "2 update, 1 delete, 1 login; 1 parameter accepted, "
        "not modelled"
    ) in banner.splitlines()
    # A key for each scheme: Token, the session cookie, and simplejwt's Bearer JWT.
    assert re.search(r"^  tokenAuth: +Authorization: Token [0-9a-f]{40}$", banner, re.M)
    assert re.search(r"^  jwtAuth: +Authorization: Bearer ey[\w.-]+ ", banner, re.M)


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


# What each GET answers besides its 200, as DRF does: 404 for a path's record or value, a
# page or a cursor (limit/offset never: past the end is an empty page); 401 with the first
# authenticator's challenge unless the operation is open (`/ping/`).
NOT_FOUND = {
    "/categories/",
    "/products/",
    "/products/featured/",
    "/reviews/",
    "/categories/{category_slug}/products/",
}
CHALLENGE = {"/reviews/": 'Bearer realm="api"', "/reviews/{id}/": 'Bearer realm="api"'}


def test_the_served_json_adds_drf_errors_and_the_yaml_is_the_file(mock):
    yaml_text = httpx.get(f"{mock.base}/openapi.yaml").content
    assert yaml_text == SPEC.read_bytes()
    served = httpx.get(f"{mock.base}/openapi.json").json()
    original = yaml.safe_load(SPEC.read_text())
    gets = [path for path, item in original["paths"].items() if "get" in item]
    assert len(gets) == 18 and set(original["paths"]) - set(gets) == {"/api/token/"}
    for path in gets:
        assert set(original["paths"][path]["get"]["responses"]) == {"200"}  # spectacular's
        responses = served["paths"][path]["get"]["responses"]
        expected = {"200", "400", "406"}
        if "{" in path or path in NOT_FOUND:
            expected.add("404")
        if path != "/ping/":
            expected.add("401")
            challenge = responses["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"]
            assert challenge == [CHALLENGE.get(path, "Token")], path
        assert set(responses) == expected, path
    # A write documents what DRF answers (tests/test_writedocs.py says how), simplejwt's
    # login its 401 with its challenge.
    token = served["paths"]["/api/token/"]["post"]["responses"]
    assert set(token) == {"200", "400", "401", "406", "415"}
    # No mock control in it: the served JSON is real behaviour only.
    assert "__code" not in json.dumps(served) and "Prefer" not in json.dumps(served)


def test_schemathesis_finds_no_failure_on_the_strict_mock(mock, tmp_path):
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        SCHEMATHESIS_CONFIG,
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
    # Every method; each case in a session of its own (tests/schemathesis_sessions.py).
    # The sku is unique (SHOP_OVERLAY): a scenario's records each get their own.
    env = {**SCHEMATHESIS_ENV, "MOCK_UNIQUE": "sku"}
    returncode, output = run_bounded(command, tmp_path, 300, env=env)
    summary = re.findall(r"^=+ (.+?) =+$", output, re.M)
    print(f"\n[schemathesis, drf-spectacular spec] {summary[-1] if summary else output[-300:]}")
    assert returncode == 0, output
    ran = json.loads(report.read_text())
    assert ran["failures"] == [] and ran["errors"] == [], ran
    assert ran["operations"]["total"] == 23
    assert ran["operations"]["selected"] == ran["operations"]["tested"] == 23
    assert ran["test_cases"]["with_failures"] == ran["test_cases"]["errored"] == 0
    assert {phase: state["status"] for phase, state in ran["phases"].items()} == {
        "examples": "skip",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }
