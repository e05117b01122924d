"""`mockserver verify` against real DRF services: the correct ones pass, each mutant is caught
and named by what it breaks; the run is bounded and sends only GET, HEAD and OPTIONS.
Against a hostile or broken upstream (issue 16, items 13-17 and 19), each defect is a
violation in the report, never a traceback, a leaked token, a loop or gigabytes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from xml.etree import ElementTree

import httpx
import pytest
from helpers_drf import SERVICE_DIR, SHOP_OVERLAY, DrfService
from helpers_hostile import EMPTY_PAGE, Hostile, answer, gzip_bomb, page, peak_rss, trickle
from helpers_server import ROOT, MockServer, cli_env
from helpers_users_drf import UsersService, mock_export

from mockserver.contract.spec import Spec

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


@pytest.mark.slow
def test_the_correct_users_service_keeps_the_contract(users, tmp_path):
    junit, report = tmp_path / "verify.xml", tmp_path / "verify.json"
    result = verify("--upstream", users.url, "--junit-xml", str(junit), "--json", str(report))
    print(result.stdout.splitlines()[0])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].endswith(" requests, 0 violations")
    assert json.loads(report.read_text())["violations"] == []
    suite = ElementTree.parse(junit).getroot()
    assert (suite.tag, suite.get("failures")) == ("testsuite", "0")


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- a hostile or broken upstream (issue 16) -------------------------------------------------


def hostile_verify(upstream: str, tmp_path, *args: str, timeout: float = 60):
    """`verify` against `upstream`, its JSON report read: (exit code, violations, stderr)."""
    report = tmp_path / "verify.json"
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "verify", "--token", TOKEN, "--upstream", upstream,
         "--json", str(report), *args],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert report.exists(), result.stdout + result.stderr
    return result.returncode, json.loads(report.read_text())["violations"], result.stderr


def test_13_a_next_link_to_another_origin_is_a_violation_and_never_requested(tmp_path):
    with Hostile(lambda handler, target: page()) as foreign:
        link = f"{foreign.url}/users/?limit=100&page=2"
        with Hostile(lambda handler, target: page(next=link)) as service:
            code, violations, _ = hostile_verify(service.url, tmp_path, "--max-requests", "5")
    assert foreign.requests == []  # the token never left
    assert code == 1
    assert {
        "check": "links",
        "request": "GET /users/?limit=100",
        "message": f"next {link!r} leaves the service's origin http://127.0.0.1:{service.port}; "
        "not followed, the token goes to the service only",
    } in violations


def _ring(handler, target):
    """Page 1 names page 2, which names page 1 again."""
    port = handler.server.server_address[1]
    after = "page=2" if "page=2" not in target else "page=1"
    return page(next=f"http://127.0.0.1:{port}/users/?limit=100&{after}")


def _endless(handler, target):
    """Each page names a next one never seen: only --max-requests ends it."""
    port = handler.server.server_address[1]
    number = int(target.rpartition("page=")[2]) if "page=" in target else 1
    return page(next=f"http://127.0.0.1:{port}/users/?limit=100&page={number + 1}")


@pytest.mark.parametrize(
    "behaviour, requests, message",
    [
        pytest.param(
            lambda handler, target: page(next=f"http://127.0.0.1:{handler.server.server_address[1]}{target}"),
            2, "names a page read already; not followed", id="next is the page itself",
        ),
        pytest.param(_ring, 4, "names a page read already; not followed", id="two pages in a ring"),
        pytest.param(_endless, 5, None, id="an endless chain stops at --max-requests"),
    ],
)  # fmt: skip
def test_14_a_looping_next_is_a_violation_and_every_request_counts(
    behaviour, requests, message, tmp_path
):
    """Reading the records counts toward --max-requests like the corpus: 5 in all; with no
    records, the corpus is one request."""
    with Hostile(behaviour) as service:
        code, violations, _ = hostile_verify(
            service.url, tmp_path, "--max-requests", "5", timeout=20
        )
    assert len(service.requests) == requests, service.targets
    if message:
        assert code == 1
        assert [v["check"] for v in violations if message in v["message"]] == ["links"]
    else:  # no loop: the pages read so far are checked, the rest is past the bound
        assert [target.rpartition("=")[2] for target in service.targets] == [
            "100", "2", "3", "4", "5"
        ]  # fmt: skip


@pytest.mark.parametrize(
    "body, check, message",
    [
        pytest.param(
            answer(200, b"<html><body>Server Error</body></html>"),
            "body",
            "reading the records: the body is not JSON (Expecting value: line 1 column 1 (char 0))",
            id="an HTML body said to be JSON",
        ),
        pytest.param(
            answer(200, b'{"count": 0, "results": ['),
            "body",
            "reading the records: the body is not JSON "
            "(Expecting value: line 1 column 26 (char 25))",
            id="truncated JSON",
        ),
        pytest.param(
            page(results="abc"),
            "schema",
            """reading the records: 'results' is "abc", not a list""",
            id="results not a list",
        ),
        pytest.param(
            page(count=2, results=[1, {"id": 2}]),
            "schema",
            "reading the records: a record is not an object",
            id="a record not an object",
        ),
    ],
)
def test_15_a_broken_body_is_a_reported_violation_not_a_traceback(body, check, message, tmp_path):
    with Hostile(lambda handler, target: body) as service:
        code, violations, _ = hostile_verify(service.url, tmp_path, "--max-requests", "3")
    assert code == 1
    assert {"check": check, "request": "GET /users/?limit=100", "message": message} in violations


def test_16_a_trickled_body_is_cut_at_the_timeout(tmp_path):
    """One byte a second never trips a per-read timeout; the deadline covers the whole body."""
    with Hostile(lambda handler, target: trickle(handler, every=1.0)) as service:
        started = time.monotonic()
        code, violations, _ = hostile_verify(
            service.url, tmp_path, "--timeout", "3", "--max-requests", "1", timeout=30
        )
        took = time.monotonic() - started
    assert code == 1
    assert violations == [
        {
            "check": "timeout",
            "request": "GET /users/?limit=100",
            "message": "reading the records: no whole answer within 3 s (--timeout)",
        }
    ]
    assert took < 3 + 5, took  # the deadline, and the start of a Python process


def gzip_answer(body: bytes) -> bytes:
    return answer(200, body, Content_Encoding="gzip")


BOMB_RSS_MB = 200  # what verify takes with the spec and the oracle loaded, and a body of 16 MB


@pytest.mark.slow
@pytest.mark.parametrize(
    "decoded, check",
    [
        pytest.param(1 << 30, "body", id="1 GB from 1 MB of gzip: refused at --max-body"),
        pytest.param(10 << 20, None, id="10 MB of gzipped JSON: read, at a bounded cost"),
    ],
)
def test_17_a_gzip_bomb_costs_at_most_the_body_bound(decoded, check, tmp_path):
    bomb = gzip_answer(gzip_bomb(decoded))
    report = tmp_path / "verify.json"
    with Hostile(lambda handler, target: bomb) as service:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "verify", "--token", TOKEN, "--upstream",
             service.url, "--json", str(report), "--max-requests", "1"],
            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        peak = peak_rss(process)
        _, stderr = process.communicate(timeout=60)
    print(f"verify, a body of {decoded >> 20} MB decoded: peak RSS {peak} MB")
    assert b"Traceback" not in stderr, stderr
    violations = json.loads(report.read_text())["violations"]
    if check:
        assert violations == [
            {
                "check": "body",
                "request": "GET /users/?limit=100",
                "message": "reading the records: the body is past 16,777,216 bytes decoded "
                "(--max-body)",
            }
        ]
    else:  # the one record, read whole: a string where an object should be
        assert [v["message"] for v in violations] == [
            "reading the records: a record is not an object"
        ]
    assert peak < BOMB_RSS_MB, peak


@pytest.mark.parametrize(
    "content_type, violation",
    [
        pytest.param(
            "text/plain",
            "200 with Content-Type 'text/plain', the contract documents application/json",
            id="JSON as text/plain",
        ),
        pytest.param(
            "text/html; charset=utf-8",
            "200 with Content-Type 'text/html', the contract documents application/json",
            id="a 200 as text/html",
        ),
        pytest.param("application/json; charset=utf-8", None, id="JSON with a charset"),
    ],
)
def test_19_a_wrong_content_type_is_a_violation(content_type, violation, tmp_path):
    body = json.dumps(EMPTY_PAGE).encode()
    with Hostile(lambda handler, target: answer(200, body, content_type)) as service:
        code, violations, _ = hostile_verify(service.url, tmp_path, "--max-requests", "2")
    headers = [v for v in violations if v["check"] == "header"]
    if violation is None:
        assert (code, violations) == (0, [])
    else:
        assert code == 1
        assert headers == [{"check": "header", "request": "GET /users/", "message": violation}]
