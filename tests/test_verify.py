"""`mockserver verify` against real DRF services: the correct ones pass, each mutant is caught
and named by what it breaks; the run is bounded and sends only GET, HEAD and OPTIONS."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from xml.etree import ElementTree

import httpx
import pytest
from helpers_drf import SERVICE_DIR, SHOP_OVERLAY, DrfService
from helpers_server import ROOT, MockServer, cli_env
from helpers_users_drf import UsersService, mock_export

from mockserver.contract.spec import Spec

pytestmark = pytest.mark.slow

TOKEN = "0123456789abcdef0123456789abcdef01234567"
SHOP_SPEC = SERVICE_DIR / "openapi.yaml"
# Each mutant of tests/usersservice, and the check that must name it.
MUTANTS = {
    "filter_ignored": "count",
    "ordering_reversed": "order",
    "count_wrong": "count",
    "next_drops_param": "links",
    "field_type": "schema",
    "not_found_body": "error body",
    "no_www_authenticate": "header",
    "detail_differs": "detail",
    "page_size_ignored": "links",
}


def verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "verify", "--token", TOKEN, *args],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def checks(stdout: str) -> set[str]:
    """The check kinds of the summary's count lines (`  count: 6`)."""
    return {
        line.strip().rsplit(":", 1)[0]
        for line in stdout.splitlines()[1:]
        if line.startswith("  ") and not line.strip().startswith("[")
    }


@pytest.fixture(scope="module")
def users():
    """The Users service, correct, and the database its mutants start from."""
    with UsersService(mock_export(60), TOKEN) as service:
        yield service


def test_the_correct_users_service_keeps_the_contract(users, tmp_path):
    junit, report = tmp_path / "verify.xml", tmp_path / "verify.json"
    result = verify("--upstream", users.url, "--junit-xml", str(junit), "--json", str(report))
    print(result.stdout.splitlines()[0])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].endswith(" requests, 0 violations")
    assert json.loads(report.read_text())["violations"] == []
    suite = ElementTree.parse(junit).getroot()
    assert (suite.tag, suite.get("failures")) == ("testsuite", "0")


def test_the_correct_shop_service_keeps_its_generated_contract(tmp_path):
    # What the spec cannot say (the paginators' page sizes), as the differential says it.
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps(SHOP_OVERLAY))
    spec = Spec.load(SHOP_SPEC)
    exports = {
        path: json.loads(
            subprocess.run(
                [sys.executable, "-m", "mockserver", "export", "--spec", str(SHOP_SPEC),
                 "--path", path, "--size", "30", "--cache-dir", ""],
                cwd=ROOT, env=cli_env(), capture_output=True, check=True,
            ).stdout
        )
        for path in spec.resources
    }  # fmt: skip
    with DrfService(exports, TOKEN) as service:
        result = verify(
            "--upstream", service.url, "--spec", str(SHOP_SPEC), "--overlay", str(overlay)
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].endswith(" requests, 0 violations")


def test_each_mutant_is_caught_and_named(users, tmp_path):
    """Every mutant at once (each run is mostly waiting on its service), 200 requests each:
    the broad checks come first in the corpus, and the filters after them."""
    records = mock_export(60)
    with contextlib.ExitStack() as stack:
        runs = {}
        for mutant in MUTANTS:
            broken = stack.enter_context(UsersService(records, TOKEN, mutant=mutant, db=users.db))
            junit = tmp_path / f"{mutant}.xml"
            runs[mutant] = (junit, subprocess.Popen(
                [sys.executable, "-m", "mockserver", "verify", "--token", TOKEN, "--upstream",
                 broken.url, "--max-requests", "200", "--junit-xml", str(junit)],
                cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True,
            ))  # fmt: skip
        outcomes = {mutant: (run.communicate(timeout=300), run.returncode, junit)
                    for mutant, (junit, run) in runs.items()}  # fmt: skip
    caught = 0
    for mutant, ((stdout, stderr), code, junit) in outcomes.items():
        check = MUTANTS[mutant]
        assert code == 1, (mutant, stdout + stderr)
        assert check in checks(stdout), (mutant, stdout)
        cases = ElementTree.parse(junit).getroot().findall("testcase")
        failing = {case.get("classname") for case in cases if case.find("failure") is not None}
        assert f"verify.{check}" in failing, (mutant, failing)
        caught += 1
    print(f"mutant score: {caught}/{len(MUTANTS)}")
    assert caught == len(MUTANTS) >= 8


def test_it_is_bounded_and_only_reads(tmp_path):
    """Against the mock itself (lenient: the real service's behaviour), whose journal shows
    every request verify made."""
    mock = MockServer("--lenient", "--size", "30", "--token", TOKEN, "--journal", "5000").wait()
    try:
        result = verify("--upstream", mock.origin, "--max-requests", "25")
        assert result.returncode == 0, result.stdout + result.stderr
        seen = httpx.get(f"{mock.origin}/__mock/requests").json()
        methods = {r["method"] for r in seen["requests"]}
        assert methods <= {"GET", "HEAD", "OPTIONS"}, methods
        # The corpus is cut at 25; reading the records takes a few more.
        assert 25 <= seen["count"] <= 25 + 5, seen["count"]
    finally:
        mock.stop()
