"""The differential: the mock, serving a drf-spectacular spec unannotated, against the real
DRF service that spec came from (tests/drfservice), loaded with the mock's own export.

The same requests go to both: every filter with values taken from the records, bad values,
orderings, searches, pagination edges, details, auth cases, content negotiation and methods.
Status, JSON body and the key headers must be identical, request by request, in lenient
mode (the real service's behaviour).

Differences kept on purpose, and so left out of the corpus (README, "The differential"):
- ordering by a nullable field (`category`, `released`): SQLite sorts nulls first
  ascending, PostgreSQL (which the mock follows, as deployments run it) last;
- a path the service does not route: Django answers its HTML 404 page, the mock
  `{"detail": "Not found."}` in DRF's shape.
The service's text lookups run on SQLite made to compare as PostgreSQL does
(tests/drfservice/shopservice/pgtext), so case-sensitive `contains` and Unicode-aware
`icontains` are compared, not left out.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from helpers_drf import SERVICE_DIR, DrfService
from helpers_server import ROOT, MockServer, cli_env

from mockserver.resource import OBJECT
from mockserver.spec import Spec

pytestmark = pytest.mark.slow

SPEC = SERVICE_DIR / "openapi.yaml"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
SIZE = 40
SEED = 7
# Left out: SQLite orders nulls first ascending (see the module's docstring).
NULLABLE_ORDERING = {"category", "released"}
HEADERS = ("content-type", "www-authenticate", "allow", "location")


def export(path: str) -> list[dict]:
    """The records the mock serves at `path`, from `mockserver export`."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "export",
            "--spec",
            str(SPEC),
            "--path",
            path,
            "--size",
            str(SIZE),
            "--seed",
            str(SEED),
            "--cache-dir",
            "",
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def spec() -> Spec:
    return Spec.load(SPEC)


@pytest.fixture(scope="module")
def exports(spec) -> dict[str, list[dict]]:
    return {path: export(path) for path in spec.resources}


@pytest.fixture(scope="module")
def servers(exports):
    with DrfService(exports, TOKEN) as service:
        mock = MockServer(
            "--spec",
            str(SPEC),
            "--lenient",
            "--size",
            str(SIZE),
            "--seed",
            str(SEED),
            "--token",
            TOKEN,
            "--no-access-log",
        ).wait()
        try:
            yield service.url, mock.origin
        finally:
            mock.stop()


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(records: list[dict], field: str) -> list:
    return [r[field] for r in records if r.get(field) not in (None, "", [])]


def filter_cases(spec: Spec, path: str, records: list[dict]) -> list[str]:
    """Query strings for every filter of the list at `path`, from its own records."""
    op = next(o for o in spec.operations if o.path == path and not o.is_detail)
    resource = spec.resources[path]
    cases: list[str] = []
    for name, param in op.query.items():
        if param.field is None:
            continue
        values = _values(records, param.field)
        if not values:
            continue
        some = [values[3 % len(values)], values[11 % len(values)]]
        prop = resource.fields[param.field]
        kind = prop.get("type")
        lookup = param.lookup
        if lookup == "isnull":
            texts = ["true", "false", "1", "False", "maybe", ""]
        elif lookup == "any":
            texts = ["1", "2&tags=5", "999", "x", "", "01"]
        elif lookup == "in":
            texts = [f"{_text(some[0])},{_text(some[1])}", f"{_text(some[0])},", "", "a,b"]
        elif lookup == "range":
            low, high = sorted(some, key=lambda v: float(v) if kind != "integer" else v)
            texts = [f"{low},{high}", f"{low}", f"{low},{high},{high}", f"{low},", "a,b"]
        elif lookup == "date":
            texts = [str(some[0])[:10], "2024-13-01", "not-a-date", ""]
        elif lookup in ("contains", "startswith", "endswith"):
            word = str(some[0])
            texts = [word[2:6], word[:4], word[-4:], word[2:6].swapcase(), ""]
        elif lookup in ("icontains", "istartswith", "iendswith", "iexact"):
            word = str(some[0])
            texts = [word[2:6].swapcase(), word[:4].upper(), word[-4:].lower(), word.swapcase()]
        elif kind == "boolean":
            texts = ["true", "false", "1", "0", "TRUE", "yes", ""]
        elif kind == "integer" and name in resource.relations:
            texts = [_text(some[0]), "999", "abc", " 3 ", ""]
        elif prop.get("format") == "uuid":
            texts = [some[0], some[0].upper(), some[0].replace("-", ""), "nope", ""]
        elif prop.get("format") == "decimal":
            texts = [some[0], some[0].rstrip("0"), "abc", "1e2", "NaN", ""]
        elif prop.get("format") in ("date-time", "date"):
            texts = [some[0], some[1], str(some[0])[:10], "garbage", ""]
        elif kind == "integer":
            texts = [_text(some[0]), _text(some[1]), "1.5", "abc", "-1", ""]
        elif "enum" in prop:
            texts = [some[0], "nope", ""]
        else:
            texts = [_text(some[0]), _text(some[0]).upper(), "nope", "", "a\x00b"]
        cases += [f"{name}={quote(t, safe='&=,')}" for t in texts]
    return cases


def corpus(spec: Spec, exports: dict[str, list[dict]]) -> list[tuple[str, str, dict]]:
    """(method, path with query, headers) of every request compared."""
    auth = {"Authorization": f"Token {TOKEN}"}
    requests: list[tuple[str, str, dict]] = []

    def get(target: str, headers=None):
        requests.append(("GET", target, auth if headers is None else headers))

    for path, resource in spec.resources.items():
        records = exports[path]
        get(path)
        if resource.shape == OBJECT:
            continue
        orderable = [n for n in resource.sortable if n not in NULLABLE_ORDERING]
        for number, query in enumerate(filter_cases(spec, path, records)):
            get(f"{path}?{query}")
            # Again with an ordering (and a page of a list), each filter with another one.
            term = ("-" if number % 2 else "") + orderable[number % len(orderable)]
            paging = "&page_size=3&page=2" if resource.shape == "page" else ""
            get(f"{path}?{query}&ordering={term}{paging}")
        for name in resource.sortable:
            if name not in NULLABLE_ORDERING:
                get(f"{path}?ordering={name}")
                get(f"{path}?ordering=-{name}")
        get(f"{path}?ordering=nope")
        get(f"{path}?ordering=name,-id")
        get(f"{path}?ordering=--id")
        word = str(records[5]["name"]).split()[0]
        for term in (
            word,
            word.swapcase(),
            f"{word} {word[:3]}",
            f'"{word}"',
            "",
            "zzzz",
            f"{word},{word[1:4]}",
            "a\x00b",
            "'unclosed",
            '"a b" c,,d',
        ):
            get(f"{path}?search={quote(term)}")
        get(f"{path}?search=a%00b&id=abc")  # the filters' 400 comes first
        if resource.shape == "page":
            for query in (
                "page=2",
                "page=last",
                "page=0",
                "page=999",
                "page=abc",
                "page=",
                "page_size=1",
                "page_size=5&page=3",
                "page_size=0",
                "page_size=1000",
                "page_size=abc",
                "page_size=7&page=last&ordering=-id",
            ):
                get(f"{path}?{query}")
        lookup = resource.lookup_field
        for record in (records[0], records[1], records[-1]):
            get(f"{path}{quote(str(record[lookup]))}/")
        get(f"{path}999999/")
        get(f"{path}abc/")
        get(f"{path}{quote(str(records[0][lookup]))}/?id__gt=0")
        get(f"{path}{quote(str(records[0][lookup]))}/?id=999")
        requests.append(("HEAD", path, auth))
        requests.append(("OPTIONS", path, auth))
        requests.append(("OPTIONS", f"{path}{quote(str(records[0][lookup]))}/", auth))
        requests.append(("POST", path, auth))
        requests.append(("POST", path, {}))
        get(path.rstrip("/"))  # APPEND_SLASH
        get(f"{path}?format=json")
        get(f"{path}?format=xml")
        get(f"{path.rstrip('/')}.json")
    # Authentication and negotiation, on one list.
    first = next(iter(spec.resources))
    for header in (
        {},
        {"Authorization": "Token"},
        {"Authorization": "Token nope"},
        {"Authorization": "Bearer x"},
        {"Authorization": f"Token {TOKEN} x"},
        {"Authorization": f"token {TOKEN}"},
    ):
        get(first, header)
    get(first, {**auth, "Accept": "text/html"})
    get(first, {**auth, "Accept": "application/json; indent=2"})
    get(first, {"Accept": "text/html"})
    return requests


def answer(client: httpx.Client, origin: str, request) -> tuple:
    method, target, headers = request
    response = client.request(method, origin + target, headers=headers)
    text = response.text.replace(origin, "ORIGIN")
    kind = response.headers.get("content-type", "")
    body = json.loads(text) if "json" in kind and text else text
    kept = {name: response.headers.get(name) for name in HEADERS}
    return response.status_code, body, kept


def test_the_mock_answers_every_request_as_the_real_service(spec, exports, servers):
    service, mock = servers
    requests = corpus(spec, exports)
    differences = []
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        for request in requests:
            real = answer(client, service, request)
            mocked = answer(client, mock, request)
            if real != mocked:
                differences.append((request[:2], real, mocked))
    print(f"differential: {len(requests) - len(differences)}/{len(requests)} identical")
    shown = "\n".join(f"{r}\n  real: {a}\n  mock: {b}" for r, a, b in differences[:15])
    assert not differences, f"{len(differences)} of {len(requests)} differ:\n{shown}"
    assert len(requests) >= 500


def test_the_service_was_loaded_with_the_exports(exports, servers):
    """The comparison means something: the service serves the exported records."""
    service, _ = servers
    got = httpx.get(f"{service}/tags/", headers={"Authorization": f"Token {TOKEN}"}).json()
    assert got == exports["/tags/"] and len(got) == SIZE


def test_the_export_is_what_the_list_serves(servers, exports):
    _, mock = servers
    pages = httpx.get(
        f"{mock}/products/?page_size=100", headers={"Authorization": f"Token {TOKEN}"}
    ).json()
    assert pages["results"] == exports["/products/"]


def test_the_spec_is_committed_as_generated():
    """`manage.py spectacular` writes the same bytes: the mock serves the real output."""
    out = Path(SERVICE_DIR) / "openapi.yaml"
    done = subprocess.run(
        [sys.executable, "manage.py", "spectacular"],
        cwd=SERVICE_DIR,
        env={
            **cli_env(),
            "DJANGO_SETTINGS_MODULE": "shopservice.settings",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        check=True,
    )
    assert done.stdout == out.read_bytes()
