"""Real client tools against a real `mockserver serve`: what users of the contract will run.

Each test feeds the served `/openapi.json` of one strict mock (50 users, a free port) to a
tool people use with a DRF API, and checks what comes out:

- the Schemathesis CLI, every phase and every check, over HTTP;
- openapi-typescript's types, used by an openapi-fetch client (tests/tools/client.mts) that
  must pass `tsc --strict` and then get from the mock what a plain HTTP client gets;
- openapi-python-client's package, imported and called;
- Spectral's OpenAPI rules (openapi/.spectral.yaml), on openapi/users.yaml and the served JSON.

The Node tools are those of tests/tools/package-lock.json, installed by `make node-tools`;
nothing is downloaded here. Run with `-s` to see one summary line per tool, e.g.

    .venv/bin/python -m pytest tests/test_contract_tools.py -s -p no:cacheprovider
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import yaml
from helpers_api import ROOT, STAFF_KEY, cli_env
from helpers_server import MockServer

pytestmark = [pytest.mark.slow, pytest.mark.contract]

TOOLS = ROOT / "tests" / "tools"
NODE_BIN = TOOLS / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent  # the venv that runs pytest has st and the generator
RULESET = ROOT / "openapi" / ".spectral.yaml"
SEED = 20251129
USERS = 50
AYSE = 4  # persona 4, Ayşe Yılmaz

# Names that belong to the mock (mockserver/mock.yaml), never to the contract that tools see.
MOCK_ONLY = ("__code", "__example", "__delay", "Prefer", "mockserver", "503")


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    server = MockServer("--users", str(USERS)).wait()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api(mock) -> Iterator[httpx.Client]:
    """A plain HTTP client: what the mock answers, to compare the tools' results with."""
    headers = {"Authorization": f"Token {STAFF_KEY}"}
    with httpx.Client(base_url=mock.base, headers=headers, timeout=10) as client:
        yield client


def run(args: list[str | Path], *, cwd: Path, timeout: float, env: dict | None = None):
    """A tool to its end, in a session of its own: on a timeout (or an interrupt) its whole
    process group is killed, so that no child (ruff under the generator, say) stays behind."""
    # Plain text: NO_COLOR for every tool, and no FORCE_COLOR from the caller to overrule it.
    env = {**cli_env(), "NO_COLOR": "1", **(env or {})}
    env.pop("FORCE_COLOR", None)
    process = subprocess.Popen(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException as error:
        # Not reaped yet, so its id (and its group's) cannot be anybody else's.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        if isinstance(error, subprocess.TimeoutExpired):
            raise AssertionError(f"{args[0]} did not finish within {timeout}s") from None
        raise
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def node_tool(name: str) -> Path:
    path = NODE_BIN / name
    assert path.exists(), f"{path} is missing: run `make node-tools`"
    assert shutil.which("node"), "node is missing: run `make node-tools`"
    return path


def venv_tool(name: str) -> Path:
    path = VENV_BIN / name
    assert path.exists(), f"{path} is missing: run `make` (pip install -e '.[test]')"
    return path


def test_schemathesis_cli_finds_no_issue(mock, tmp_path):
    """Every phase and every check over HTTP, with the staff token, the same cases each run."""
    report = tmp_path / "report.json"
    result = run(
        [
            venv_tool("st"),
            "run",
            f"{mock.base}/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "-H",
            f"Authorization: Token {STAFF_KEY}",
            # Deterministic mode derandomizes Hypothesis and keeps no example database, so the
            # seed is not used for data; it is given anyway so that the report records one.
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--no-color",
            "--report",
            "json",
            "--report-json-path",
            report,
        ],
        # Schemathesis keeps a crash cache (.schemathesis/) in its working directory.
        cwd=tmp_path,
        timeout=300,
    )
    output = result.stdout + result.stderr
    summaries = re.findall(r"^=+ (.+?) =+$", result.stdout, re.MULTILINE)
    summary = summaries[-1] if summaries else "(no summary line)"
    print(f"\n[schemathesis] {summary}")
    assert result.returncode == 0, output
    assert summary.startswith("No issues found in "), output

    ran = json.loads(report.read_text())
    print(f"[schemathesis] test cases: {ran['test_cases']}; phases: {ran['phases']}")
    assert (ran["exit_code"], ran["complete"], ran["stop_reason"]) == (0, True, "completed")
    assert ran["failures"] == [] and ran["errors"] == [], ran
    assert ran["operations"]["tested"] == ran["operations"]["total"] == 2, ran["operations"]
    assert ran["test_cases"]["with_failures"] == ran["test_cases"]["errored"] == 0
    # Its warnings (missing auth, unsupported regex, low valid rate...) would each say that a
    # part of the contract was not really tested.
    assert {kind: found for kind, found in ran["warnings"].items() if found} == {}
    # The contract has response examples only, none for a parameter: Examples has nothing
    # to send and is skipped; the other phases must run and pass.
    assert {phase: state["status"] for phase, state in ran["phases"].items()} == {
        "examples": "skip",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }


def test_openapi_typescript_and_an_openapi_fetch_client(mock, api, tmp_path):
    """Types from the served spec, a strict-typed openapi-fetch client, and its answers."""
    work = tmp_path / "ts"
    work.mkdir()
    generated = run(
        [node_tool("openapi-typescript"), f"{mock.base}/openapi.json", "-o", "schema.d.ts"],
        cwd=work,
        timeout=120,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    # Its whole output when all goes well: the version, then the file it wrote. Anything
    # else is a warning about the spec.
    lines = output.splitlines()
    assert len(lines) == 2, output
    assert lines[0].startswith("✨ openapi-typescript 7."), output
    assert lines[1].startswith("🚀 ") and "schema.d.ts" in lines[1], output

    schema = (work / "schema.d.ts").read_text()
    leaked = [name for name in MOCK_ONLY if name in schema]
    assert leaked == [], f"mock-only names in the generated types: {leaked}"
    operations = re.findall(r'operations\["([^"]+)"\]', schema)
    assert [name for name in operations if "." in name] == [], operations
    assert {"users_list", "users_retrieve"} <= set(operations), operations
    print(f"\n[openapi-typescript] {lines[0]}; paths → operations{operations}")

    # The client as a project keeps it: the .mts beside the generated types, with
    # openapi-fetch from tests/tools. No @types/node (the client declares the `process` it
    # reads), so that a change in Node's typings cannot make this test fail.
    shutil.copy(TOOLS / "client.mts", work / "client.mts")
    (work / "node_modules").symlink_to(TOOLS / "node_modules", target_is_directory=True)
    tsconfig = {
        "compilerOptions": {"target": "es2022", "module": "nodenext", "types": [], "outDir": "out"},
        "files": ["client.mts"],
    }
    (work / "tsconfig.json").write_text(json.dumps(tsconfig))
    tsc = node_tool("tsc")
    # Without skipLibCheck: the generated schema.d.ts is type-checked too.
    checked = run([tsc, "-p", work, "--strict", "--noEmit"], cwd=work, timeout=180)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The check has passed; the emit only strips the types (`--noCheck`: not twice the time).
    emitted = run([tsc, "-p", work, "--noCheck"], cwd=work, timeout=120)
    assert emitted.returncode == 0, emitted.stdout + emitted.stderr

    ran = run(["node", work / "out" / "client.mjs", mock.base, STAFF_KEY], cwd=work, timeout=60)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    got = json.loads(ran.stdout)

    # What the typed client got is what the mock serves to the same URLs.
    query = {"is_active": "true", "limit": "3", "sort": "-id"}
    listed = api.get("/users/", params=query).json()
    assert got["list"] == listed
    assert len(listed["results"]) == 3 and listed["count"] > 3
    assert all(user["is_active"] is True for user in listed["results"])
    ids = [user["id"] for user in got["list"]["results"]]
    assert ids == sorted(ids, reverse=True), ids
    # Page 2 by `page: 2` is the page the list's `next` link gives.
    assert got["page2"] == api.get(listed["next"]).json()
    assert got["page2"] == api.get("/users/", params={**query, "page": "2"}).json()
    assert got["page2"]["count"] == listed["count"]
    # JSON.stringify writes no spaces; the server reads the same filter.
    confirm = json.dumps({"confirm": True}, separators=(",", ":"))
    assert got["confirmed"] == api.get("/users/", params={"attributes": confirm, "limit": 5}).json()
    assert got["confirmed"]["results"], got["confirmed"]
    assert all(user["attributes"]["confirm"] is True for user in got["confirmed"]["results"])
    # The detail of the first user listed is that user's list record.
    first = listed["results"][0]
    assert got["detail"] == first == api.get(f"/users/{first['id']}/").json()
    assert got["summary"]["gender"] in ("male", "female", None), got["summary"]
    print(
        f"[openapi-fetch] list count={got['list']['count']} ids={ids}, page 2 ids="
        f"{[user['id'] for user in got['page2']['results']]}, attributes count="
        f"{got['confirmed']['count']}, detail id={got['detail']['id']} ({got['summary']})"
    )


@contextmanager
def imported(directory: Path, package: str) -> Iterator[None]:
    """`package` importable from `directory` for the block; then gone from sys.path and
    sys.modules again, so that nothing generated leaks into other tests."""
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        sys.path.remove(str(directory))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
        importlib.invalidate_caches()


def test_openapi_python_client_generates_a_working_client(mock, api, tmp_path):
    """The generated package lists and retrieves users with the token, as typed models."""
    generated = run(
        [
            venv_tool("openapi-python-client"),
            "generate",
            "--url",
            f"{mock.base}/openapi.json",
            "--meta",
            "none",
            "--output-path",
            tmp_path / "users_client",
        ],
        cwd=tmp_path,
        # It formats its output with ruff (a post hook found on PATH): the venv's.
        env={"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=180,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "Warning" not in output, output
    package = tmp_path / "users_client"
    for module in ("api/users/users_list.py", "api/users/users_retrieve.py"):
        assert (package / module).is_file(), sorted(str(p) for p in package.rglob("*.py"))

    with imported(tmp_path, "users_client"):
        users_client = importlib.import_module("users_client")
        users_list = importlib.import_module("users_client.api.users.users_list")
        users_retrieve = importlib.import_module("users_client.api.users.users_retrieve")
        models = importlib.import_module("users_client.models")
        client = users_client.AuthenticatedClient(
            base_url=mock.base, token=STAFF_KEY, prefix="Token", timeout=httpx.Timeout(10)
        )
        with client:
            page = users_list.sync(client=client, limit=2, is_active=True)
            user = users_retrieve.sync(client=client, id=AYSE)

        listed = api.get("/users/", params={"limit": 2, "is_active": "true"}).json()
        assert isinstance(page, models.PaginatedUserList), page
        assert page.count == listed["count"]
        assert [u.id for u in page.results] == [u["id"] for u in listed["results"]]
        assert all(u.is_active is True for u in page.results)
        assert page.next_ == listed["next"]

        served = api.get(f"/users/{AYSE}/").json()
        assert isinstance(user, models.User), user
        assert (user.id, user.first_name, user.last_name) == (AYSE, "Ayşe", "Yılmaz")
        assert user.gender is None or isinstance(user.gender, models.GenderEnum), user.gender
        assert user.date_joined == datetime.fromisoformat(served["date_joined"])
        # Every field came through: the model equals the served record read by the model.
        assert user.to_dict() == models.User.from_dict(served).to_dict()
        print(
            f"\n[openapi-python-client] users_list.sync → {type(page).__name__}"
            f"(count={page.count}, ids={[u.id for u in page.results]}); users_retrieve.sync"
            f" → {type(user).__name__}(id={user.id}, first_name={user.first_name!r},"
            f" gender={user.gender!r})"
        )


def test_the_spectral_ruleset_turns_off_two_rules_only():
    """What the contract does not follow, on purpose (the reasons are in the file)."""
    ruleset = yaml.safe_load(RULESET.read_text())
    # PyYAML reads YAML 1.1, where `off` is false; Spectral reads "off". Both turn a rule off.
    rules = {
        name: "off" if value is False or value == "off" else value
        for name, value in ruleset["rules"].items()
    }
    assert ruleset["extends"] == ["spectral:oas"], ruleset
    assert rules == {"info-contact": "off", "path-keys-no-trailing-slash": "off"}, ruleset


@pytest.mark.parametrize("source", ["openapi/users.yaml", "/openapi.json"])
def test_spectral_finds_nothing(mock, api, tmp_path, source):
    """Spectral's OpenAPI rules on the contract as written and as served: no finding at all."""
    if source == "/openapi.json":
        document = tmp_path / "openapi.json"
        document.write_bytes(api.get("/openapi.json").content)  # the bytes as served
    else:
        document = ROOT / source
    findings_file = tmp_path / "findings.json"
    result = run(
        [
            node_tool("spectral"),
            "lint",
            document,
            "--ruleset",
            RULESET,
            "--format",
            "json",
            # The JSON goes to a file: on stdout Spectral appends a sentence to it.
            "--output",
            findings_file,
            "--fail-severity",
            "hint",
        ],
        cwd=tmp_path,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert findings_file.exists(), output
    findings = json.loads(findings_file.read_text())
    shown = [f"{f['code']} at {'.'.join(map(str, f['path']))}: {f['message']}" for f in findings]
    print(f"\n[spectral] {source}: {len(findings)} findings {shown}")
    assert shown == []
    # `--fail-severity hint`: a finding of any severity would also make it exit 1.
    assert result.returncode == 0, output
