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
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import httpx
import pytest
from helpers_api import cli_env
from helpers_drf import (
    SERVICE_DIR,
    SHOP_OVERLAY_FILE,
    SIZE,
    SPEC,
    TOKEN,
    DrfService,
    differential_mock,
    export,
)

from mockserver.contract.resource import CURSOR, OBJECT, Kind, Paging
from mockserver.contract.schema import effective
from mockserver.contract.spec import Spec

pytestmark = pytest.mark.slow

# Left out: SQLite orders nulls first ascending (see the module's docstring).
NULLABLE_ORDERING = {"category", "released", "rating"}
HEADERS = ("content-type", "www-authenticate", "allow", "location")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return Spec.load(SPEC, SHOP_OVERLAY_FILE)


@pytest.fixture(scope="module")
def exports(spec) -> dict[str, list[dict]]:
    return {path: export(path) for path in spec.resources}


@pytest.fixture(scope="module")
def servers(exports):
    with DrfService(exports, TOKEN) as service:
        mock = differential_mock()
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
    op = _list_op(spec, path)
    resource = spec.resources[path]
    cases: list[str] = []
    for name, param in op.query.items():
        if param.field is None:
            continue
        if param.lookup == "related" and param.related[0] is None:
            # A nested serializer's field (`category__slug`): values from the nested objects.
            sub = param.related[1]
            nested = [r[param.field][sub] for r in records if r.get(param.field)]
            texts = [*nested[:2], "nope", ""] if nested else ["nope", ""]
            cases += [f"{name}={quote(str(t), safe='')}" for t in texts]
            continue
        values = _values(records, param.field)
        if not values:
            continue
        some = [values[3 % len(values)], values[11 % len(values)]]
        prop = effective(resource.fields[param.field])
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
        elif kind == "number":  # a FloatField: NumberFilter reads a decimal
            texts = [_text(some[0]), _text(some[1]), "2", "abc", "1e1", "-0.5", ""]
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


def _list_op(spec: Spec, path: str):
    return next(o for o in spec.operations if o.path == path and o.view.kind == Kind.COLLECTION)


def _controls(op) -> dict[str, str]:
    """The list's control parameters by what they do: page, limit, offset, cursor, sort..."""
    return {p.control: name for name, p in op.query.items() if p.control}


PAGING = {
    Paging.PAGE: [
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
    ],
    Paging.OFFSET: [
        "limit=5",
        "limit=5&offset=10",
        "offset=3",
        "offset=999",
        "offset=-1",
        "offset=abc",
        "limit=0",
        "limit=abc",
        "limit=1000",
        "limit=3&offset=2",
    ],
    Paging.CURSOR: ["cursor=abc", "cursor=", "page_size=3", "page_size=0", "page_size=1000"],
}


class Request(NamedTuple):
    method: str
    target: str
    headers: dict
    # Whether the bodies must be equal too: an action's own queryset or a view without a
    # serializer is beyond any spec, so there only the status and the headers are.
    exact: bool = True


def corpus(spec: Spec, exports: dict[str, list[dict]]) -> list[Request]:
    """Every request compared."""
    auth = {"Authorization": f"Token {TOKEN}"}
    requests: list[Request] = []
    # A list the spec documents writes on: what a POST and an OPTIONS (its `actions`)
    # answer is the write differential's (tests/test_writes_differential.py).
    writes = [o.path for o in spec.operations if o.method not in ("GET", "HEAD")]
    writable = {
        path
        for path in spec.resources
        if any(re.fullmatch(re.escape(path) + r"(\{[^/]+\}/)?", w) for w in writes)
    }

    def get(target: str, headers=None, method: str = "GET", exact: bool = True):
        requests.append(Request(method, target, auth if headers is None else headers, exact))

    for path, resource in spec.resources.items():
        records = exports[path]
        get(path)
        if resource.shape == OBJECT:
            continue
        op = _list_op(spec, path)
        controls = _controls(op)
        paging = op.view.paging
        orderable = [n for n in resource.sortable if n not in NULLABLE_ORDERING]
        for number, query in enumerate(filter_cases(spec, path, records)):
            get(f"{path}?{query}")
            if "sort" in controls and orderable:
                # Again with an ordering (and a page of a list), each filter with another one.
                term = ("-" if number % 2 else "") + orderable[number % len(orderable)]
                more = {Paging.PAGE: "&page_size=3&page=2", Paging.OFFSET: "&limit=3&offset=2"}
                get(f"{path}?{query}&ordering={term}{more.get(paging, '')}")
        if "sort" in controls:
            for name in orderable:
                get(f"{path}?ordering={name}")
                get(f"{path}?ordering=-{name}")
            get(f"{path}?ordering=nope")
            get(f"{path}?ordering={orderable[0]},-{orderable[-1]}")
            get(f"{path}?ordering=--{orderable[0]}")
        if "search" in controls:
            field = resource.search[0]
            word = next(str(r[field]).split()[0] for r in records[5:] if str(r[field]).split())
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
        for query in PAGING.get(paging, ()):
            get(f"{path}?{query}")
        lookup = resource.lookup_field
        for record in (records[0], records[1], records[-1]):
            get(f"{path}{quote(str(record[lookup]))}/")
        first_key = quote(str(records[0][lookup]))
        get(f"{path}999999/")
        get(f"{path}abc/")
        if effective(resource.fields[lookup]).get("format") == "uuid":
            get(f"{path}{first_key.upper()}/")
            get(f"{path}00000000-0000-4000-8000-000000000000/")
        a_filter = next(name for name, p in op.query.items() if p.field is not None)
        get(f"{path}{first_key}/?{a_filter}=999")
        get(path, method="HEAD")
        if path not in writable:
            get(path, method="OPTIONS")
            get(f"{path}{first_key}/", method="OPTIONS")
            get(path, method="POST")
        get(path, {}, method="POST")
        get(path.rstrip("/"))  # APPEND_SLASH
        get(f"{path}?format=json")
        get(f"{path}?format=xml")
        get(f"{path.rstrip('/')}.json")
        # Authentication, by the list's own authenticators.
        for header in (
            {},
            {"Authorization": "Token"},
            {"Authorization": "Token nope"},
            {"Authorization": "Bearer x"},
            {"Authorization": "Bearer a.b.c"},
            {"Authorization": f"Token {TOKEN} x"},
            {"Authorization": f"token {TOKEN}"},
        ):
            get(path, header)
    # The nested route: a category's products, scoped by its slug.
    categories = exports["/categories/"]
    products = exports["/products/"]
    with_products = [c for c in categories if any(p["category"] == c["id"] for p in products)]
    for category in (with_products[0], with_products[-1]):
        nested = f"/categories/{quote(category['slug'])}/products/"
        get(nested)
        get(f"{nested}?ordering=-price&page_size=2")
        get(f"{nested}?search={quote(category['name'].split()[0])}")
        mine = next(p for p in products if p["category"] == category["id"])
        other = next(p for p in products if p["category"] != category["id"])
        get(f"{nested}{mine['id']}/")
        get(f"{nested}{other['id']}/")
    get("/categories/no-such-category/products/")
    # Actions and views beyond any serializer: statuses and headers only.
    for target in (
        "/products/featured/",
        "/products/featured/?page=2&page_size=5",
        f"/products/{products[0]['id']}/summary/",
        "/tags/popular/",
        "/stats/",
        "/ping/",
    ):
        get(target, exact=False)
    get("/products/999999/summary/")  # get_object()'s 404 comes first, exactly
    get(f"/products/{products[0]['id']}/summary/", {})  # authentication before get_object
    # Negotiation, on one list.
    first = next(iter(spec.resources))
    get(first, {**auth, "Accept": "text/html"})
    get(first, {**auth, "Accept": "application/json; indent=2"})
    get(first, {"Accept": "text/html"})
    return requests


def answer(client: httpx.Client, origin: str, request: Request) -> tuple:
    response = client.request(request.method, origin + request.target, headers=request.headers)
    text = response.text.replace(origin, "ORIGIN")
    kind = response.headers.get("content-type", "")
    body = json.loads(text) if "json" in kind and text else text
    kept = {name: response.headers.get(name) for name in HEADERS}
    if not request.exact:
        # The status and the headers: what an action computes, or a view the spec documents
        # with "No response body" answers, no spec says.
        body = None
        kept.pop("content-type")
    return response.status_code, body, kept


def _cursor_walk(client: httpx.Client, origin: str, path: str) -> list[str]:
    """The targets of every page of a cursor list, following `next` then `previous`."""
    targets, target = [], path
    while target and len(targets) < 20:
        targets.append(target)
        body = client.get(origin + target, headers={"Authorization": f"Token {TOKEN}"}).json()
        target = (body.get("next") or "").replace(origin, "") or None
    back = body.get("previous")
    if back:
        targets.append(back.replace(origin, ""))
    return targets


def test_the_mock_answers_every_request_as_the_real_service(spec, exports, servers):
    service, mock = servers
    requests = corpus(spec, exports)
    auth = {"Authorization": f"Token {TOKEN}"}
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        # A cursor list's pages, by the links the real service gives.
        for path, resource in spec.resources.items():
            if resource.shape == CURSOR:
                for target in _cursor_walk(client, service, f"{path}?page_size=3"):
                    requests.append(Request("GET", target, auth))
        differences = []
        for request in requests:
            real = answer(client, service, request)
            mocked = answer(client, mock, request)
            if real != mocked:
                differences.append((request[:2], real, mocked))
    print(f"differential: {len(requests) - len(differences)}/{len(requests)} identical")
    shown = "\n".join(f"{r}\n  real: {a}\n  mock: {b}" for r, a, b in differences[:15])
    assert not differences, f"{len(differences)} of {len(requests)} differ:\n{shown}"
    assert len(requests) >= 850


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
