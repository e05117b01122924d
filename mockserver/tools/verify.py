"""`mockserver verify`: provider verification of a running real service, with the mock as oracle.

The service's own records are read through its list operations. A corpus of requests is
made from the spec and from those records: every filter with values taken from them, bad
values, orderings, searches, pagination edges, details of listed ids, and auth and
negotiation cases. Only GET, HEAD and OPTIONS are ever sent.

Each answer is checked twice:
- **against the contract**: a documented status (DRF's error answers included, as
  /openapi.json documents them), a body valid against that status's schema, and the
  documented headers (`WWW-Authenticate` on a 401);
- **against the semantics**: the mock's own engine, loaded with the service's records,
  answers the same request in lenient mode (the real service's behaviour), and the two
  answers must be equal: the records a filter keeps, their order, `count`, the `next` and
  `previous` links, a detail against its list record, and DRF's error bodies.

A difference is a violation, named by what differs (`count`, `order`, `filter`, `links`,
`detail`, `error body`, `status`, `schema`, `header`), or by what kept an answer from being
checked at all (`body`: not JSON, or past `--max-body`; `timeout`). The run prints a summary,
writes JUnit XML and JSON if asked, and exits 1 on any violation.

The service is not trusted (`tools/upstream.py`): every request it is sent counts toward
`--max-requests`, the reading of its records included; a `next` link is followed only on
the service's own origin and only to a page not read yet, since the token goes with it.
"""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import httpx

from mockserver import state
from mockserver.contract import conventions, packaged
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract.resource import CURSOR, OBJECT, PAGE
from mockserver.contract.schema import Validator, effective
from mockserver.contract.spec import Spec
from mockserver.engine import store
from mockserver.engine.params import Rules
from mockserver.errors import ConfigError
from mockserver.http.docs import with_drf_errors
from mockserver.settings import Settings
from mockserver.tools import upstream
from mockserver.tools.upstream import Unanswered

# Ordering by a nullable field is left out: the oracle sorts nulls as PostgreSQL does.
MAX_PAGE = 100


@dataclass
class Violation:
    check: str  # count, order, filter, links, detail, error body, status, schema, header
    request: str
    message: str


@dataclass
class Report:
    requests: int = 0
    violations: list[Violation] = field(default_factory=list)

    def add(self, check: str, request: str, message: str) -> None:
        self.violations.append(Violation(check, request, message))


def verifiable(resource) -> bool:
    """Whether the oracle can hold a resource's records as the service has them: a top-level
    collection keyed by an integer `id` (or a singleton). Others (records keyed by a uuid
    only, nested lists) are left out of the corpus, and the summary says how many."""
    if resource.nested:
        return False
    if resource.shape == OBJECT:
        return True
    return effective(resource.fields.get("id") or {}).get("type") == "integer"


def corpus(spec: Spec, records: dict[str, list[dict]], token: str) -> list[tuple[str, str, dict]]:
    """(method, path and query, headers) of every request, from the spec and the records.

    The broad checks come first (lists, details, auth, pages, orderings), the filters last,
    so that a run cut short by `--max-requests` has still looked at every kind of answer.
    """
    auth = {"Authorization": f"Token {token}"}
    first: list[tuple[str, str, dict]] = []
    filters: list[tuple[str, str, dict]] = []

    def get(target: str, headers=None, method: str = "GET", into=first):
        into.append((method, target, auth if headers is None else headers))

    for path, resource in spec.resources.items():
        if not verifiable(resource):
            continue
        rows = records.get(path) or []
        get(path)
        if resource.shape == OBJECT or not rows:
            continue
        lookup = resource.lookup_field
        for row in (rows[0], rows[len(rows) // 2], rows[-1]):
            get(f"{path}{quote(str(row.get(lookup)))}/")
        get(f"{path}99999999/")
        get(f"{path}{quote(str(rows[0].get(lookup)))}/", {})
        get(path, method="HEAD")
        get(path, method="OPTIONS")
        for header in (
            {},
            {"Authorization": "Token"},
            {"Authorization": "Token nope"},
            {"Authorization": f"Token {token} x"},
            {**auth, "Accept": "text/html"},
        ):
            get(path, header)
        op = next(o for o in spec.operations if o.path == path and not o.is_detail)
        names = {p.control: name for name, p in op.query.items() if p.control}
        if resource.shape == PAGE:
            page, limit = names.get("page", "page"), names.get("limit")
            for query in (f"{page}=2", f"{page}=last", f"{page}=0", f"{page}=999", f"{page}=x"):
                get(f"{path}?{query}")
            if limit:
                for query in (f"{limit}=1", f"{limit}=5&{page}=3", f"{limit}=0", f"{limit}=x"):
                    get(f"{path}?{query}")
        orderable = [
            n for n in resource.sortable if not effective(resource.fields[n]).get("nullable")
        ]
        sort = names.get("sort")
        if sort:
            for name in orderable:
                get(f"{path}?{sort}={name}")
                get(f"{path}?{sort}=-{name}")
            get(f"{path}?{sort}=nope")
        if "search" in names and resource.search:
            word = next((str(r[f]) for r in rows for f in resource.search if r.get(f)), "x")
            word = word.split()[0] if word.split() else word
            for term in (word, word.swapcase(), f"{word} {word[:3]}", f'"{word}"', "zzzz"):
                get(f"{path}?{names['search']}={quote(term)}")
        for number, query in enumerate(filter_cases(spec, path, rows)):
            get(f"{path}?{query}", into=filters)
            if sort and orderable and number % 4 == 0:  # with an ordering and a page, too
                term = ("-" if number % 8 else "") + orderable[number % len(orderable)]
                paging = ""
                if resource.shape == PAGE and "limit" in names:
                    paging = f"&{names['limit']}=3&{names.get('page', 'page')}=2"
                get(f"{path}?{query}&{sort}={term}{paging}", into=filters)
    return first + filters


def filter_cases(spec: Spec, path: str, records: list[dict]) -> list[str]:
    """Query strings for every filter of the list at `path`, with values from its records."""
    op = next(o for o in spec.operations if o.path == path and not o.is_detail)
    resource = spec.resources[path]
    cases: list[str] = []
    for name, param in op.query.items():
        if param.field is None or param.field not in resource.fields:
            continue
        values = [r[param.field] for r in records if r.get(param.field) not in (None, "", [])]
        if not values:
            continue
        some = [values[3 % len(values)], values[11 % len(values)]]
        prop = effective(resource.fields[param.field])
        texts = _texts(name, param.lookup, prop, some, resource.relations)
        cases += [f"{name}={quote(t, safe='&=,')}" for t in texts]
    return cases


def _texts(name: str, lookup: str, prop: dict, some: list, relations) -> list[str]:
    kind = prop.get("type")
    if lookup == "isnull":
        return ["true", "false", "maybe"]
    if lookup == "any":
        first = some[0][0] if isinstance(some[0], list) and some[0] else 1
        return [str(first), f"{first}&{name}={first}", "x"]
    if lookup == "in":
        return [f"{_text(some[0])},{_text(some[1])}", "a,b"]
    if lookup == "range":
        low, high = sorted(some, key=lambda v: float(v))
        return [f"{low},{high}", f"{low}"]
    if lookup == "date":
        return [str(some[0])[:10], "not-a-date"]
    if lookup == "contains" and kind == "object":
        pairs = list(some[0].items())[:1] if isinstance(some[0], dict) else []
        return [json.dumps(dict(pairs), ensure_ascii=False), "nope"]
    if lookup in ("contains", "startswith", "endswith", "icontains", "istartswith", "iendswith"):
        word = str(some[0])
        return [word[1:5], word[1:5].swapcase()]
    if lookup == "iexact":
        return [str(some[0]).swapcase()]
    if kind == "boolean":
        return ["true", "false", "0", "yes"]
    if kind == "integer":
        return [_text(some[0]), _text(some[1]), "abc"]
    if kind == "object" or conventions.is_decimal(prop) or prop.get("format") == "uuid":
        return [_text(some[0]), "abc"]
    if prop.get("format") in ("date-time", "date"):
        return [str(some[0]), str(some[0])[:10], "garbage"]
    return [_text(some[0]), _text(some[0]).upper(), "nope"]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


# -- running ---------------------------------------------------------------------------------


@dataclass
class Options:
    upstream: str
    token: str
    spec: str = ""
    overlay: str = ""  # annotations of what the spec cannot say (page sizes, ordering fields)
    max_requests: int = 2000
    rate: float = 0.0  # requests per second; 0: as fast as the service answers
    timeout: float = 10.0  # seconds for a whole exchange, the body included
    max_body: int = upstream.Limits.max_body  # bytes of a body, decoded


class Service:
    """The service under test, through one client on one event loop: each exchange bounded
    by `upstream.exchange`, each request counted in `report.requests`."""

    def __init__(self, options: Options, report: Report):
        self.base = options.upstream.rstrip("/")
        self.limits = upstream.Limits(options.timeout, options.max_body)
        self.budget = options.max_requests
        self.report = report
        self._loop = asyncio.Runner()
        self._client = httpx.AsyncClient(base_url=self.base, timeout=options.timeout)

    @property
    def spent(self) -> bool:
        return self.report.requests >= self.budget

    def request(self, method: str, target: str | httpx.URL, headers: dict) -> upstream.Answer:
        self.report.requests += 1
        return self._loop.run(upstream.exchange(self._client, method, target, self.limits, headers))

    def url(self, target: str) -> httpx.URL:
        """The absolute URL of a target of the corpus (a path and query)."""
        return httpx.URL(self.base + target)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self._loop.run(self._client.aclose())
        self._loop.close()


def verify(options: Options) -> Report:
    spec = Spec.load(
        Path(options.spec) if options.spec else packaged.spec_path(),
        Path(options.overlay) if options.overlay else None,
    )
    report = Report()
    headers = {"Authorization": f"Token {options.token}"}
    pace = 1.0 / options.rate if options.rate else 0.0
    with Service(options, report) as service:
        records = _records(spec, service, headers, report)
        oracle = _oracle(spec, records, options.token)
        contract = Contract(spec, {p: len(r) for p, r in records.items()})
        # The records were read within the same bound.
        cases = corpus(spec, records, options.token)[: max(0, service.budget - report.requests)]
        with _in_process(oracle) as mock:
            for method, target, request_headers in cases:
                if pace:
                    time.sleep(pace)
                label = f"{method} {target}"
                try:
                    real = service.request(method, target, request_headers)
                except Unanswered as broken:
                    report.add(broken.check, label, broken.message)
                    continue
                found = len(report.violations)
                if method == "GET":
                    contract.check(target, real, label, report)
                if any(v.check == "body" for v in report.violations[found:]):
                    continue  # an unreadable body: nothing to compare
                expected = mock.request(method, target, headers=request_headers)
                _check_semantics(real, expected, options.upstream, label, report)
    return report


def _in_process(app):
    """A synchronous client of the oracle app (Starlette's TestClient, `http://testserver`)."""
    with warnings.catch_warnings():  # Starlette's note on its HTTP client, for this import
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(app, follow_redirects=False)


def _records(spec: Spec, service: Service, headers, report: Report) -> dict[str, list[dict]]:
    """Every record of each collection, read through its list, page by page, following
    `next` on the service's own origin to pages not read yet, within `--max-requests`."""
    found: dict[str, list[dict]] = {}
    for path, resource in spec.resources.items():
        op = next(o for o in spec.operations if o.path == path and not o.is_detail)
        limit = next((n for n, p in op.query.items() if p.control == "limit"), None)
        target: str | httpx.URL | None = f"{path}?{limit}={MAX_PAGE}" if limit else path
        read: set[str] = set()
        rows: list[dict] = []
        while target is not None and not service.spent:
            label = f"GET {target}"
            url = service.url(target) if isinstance(target, str) else target
            read.add(str(url))
            try:
                answer = service.request("GET", target, headers)
            except Unanswered as broken:
                report.add(broken.check, label, f"reading the records: {broken.message}")
                break
            if answer.status_code != 200:
                report.add("status", label, f"reading the records: {answer.status_code}")
                break
            try:
                body = answer.json()
            except ValueError as exc:
                report.add("body", label, f"reading the records: the body is not JSON ({exc})")
                break
            if resource.shape in (PAGE, CURSOR) and isinstance(body, dict):
                page = body.get("results")
                if not isinstance(page, list):
                    report.add(
                        "schema",
                        label,
                        f"reading the records: 'results' is {_short(page)}, not a list",
                    )
                    break
                target = _next_page(body.get("next"), url, service, read, label, report)
            else:
                page = body if isinstance(body, list) else [body]
                target = None
            records = [row for row in page if isinstance(row, dict)]
            if len(records) < len(page):
                report.add("schema", label, "reading the records: a record is not an object")
            rows += records
        found[path] = rows
    return found


def _next_page(link, here: httpx.URL, service: Service, read: set[str], label: str, report):
    """The URL of the page after this one, or None: the link is followed only on the service's
    own origin (the token goes with it) and only to a page not read yet (else a loop)."""
    if link is None:
        return None
    try:
        url = here.join(link) if isinstance(link, str) else None  # RFC 3986 §5.2
    except httpx.InvalidURL:
        url = None
    if url is None:
        report.add("links", label, f"next {_short(link)} is not a URL")
        return None
    if not upstream.same_origin(url, service.base):
        scheme, host, port = upstream.origin(service.base)
        report.add(
            "links",
            label,
            f"next {link!r} leaves the service's origin {scheme}://{host}:{port}; "
            "not followed, the token goes to the service only",
        )
        return None
    if str(url) in read:
        report.add("links", label, f"next {link!r} names a page read already; not followed")
        return None
    return url


def _oracle(spec: Spec, records: dict[str, list[dict]], token: str):
    """The mock's app over the service's own records, in lenient mode."""
    from mockserver.http.app import create_app

    settings = Settings(
        spec=str(spec.path), lenient=True, cache_dir="", access_log=False, journal=0
    )
    sizes = {path: len(rows) for path, rows in records.items()}
    rules = Rules(strict=False, page_size=settings.page_size, max_page_size=settings.max_page_size)
    datasets = {}
    for path, resource in spec.resources.items():
        given = {}
        for row in records[path]:
            try:
                given[row.get("id", 1)] = fixtures_module.stored(resource.fields, row)
            except (ValueError, TypeError):  # a record the schema refuses: reported
                continue
        plan = store.BuildPlan(
            schema=state.generation_schema(resource, sizes),
            seed=0,
            personas=given,
            source=str(spec.path),
            where=resource.where,
            salt=resource.name,
        )
        try:
            datasets[path] = store.build(plan, 0, "")
        except ConfigError:
            datasets[path] = store.Dataset.empty()  # its records break the schema: reported
    served = {
        path: state.Served(
            resource, datasets[path], state.resource_rules(rules, resource, datasets)
        )
        for path, resource in spec.resources.items()
    }
    empty = fixtures_module.Fixtures(files={}, personas={}, tokens={}, digest_parts=())
    oracle = state.State(
        settings=settings,
        spec=spec,
        fixtures=empty,
        served=served,
        tokens={token: None},
        rules=rules,
        routes=state.compile_routes(spec, "", suffixes=True),
    )
    return create_app(oracle)


class Contract:
    """What the contract documents for each GET: its statuses, their headers, and a validator
    of each body's schema, made once (`check` runs for every answer)."""

    def __init__(self, spec: Spec, counts: dict[str, int] | None = None):
        self.spec = spec
        self.document = with_drf_errors(spec, counts or {})
        self.routes = state.compile_routes(spec, "")
        self._validators: dict[tuple[str, str], Validator | None] = {}

    def operation(self, path: str, method: str = "GET"):
        """The operation of `path` and `method`: None when the contract has no such path,
        False when it has the path but not the method."""
        for route in self.routes:
            if route.pattern.match(path):
                return route.operations.get(method, False)
        return None

    def check(self, target: str, answer, label: str, report: Report) -> None:
        """A GET's answer: a documented status, its documented headers, a valid body."""
        op = self.operation(target.split("?", 1)[0])
        if not op:
            return
        responses = self.document["paths"][op.path]["get"]["responses"]
        status = str(answer.status_code)
        if status not in responses and answer.status_code < 500 and status not in ("301", "405"):
            report.add("status", label, f"{status} is not documented")
            return
        response = self.spec.resolve(responses.get(status) or {})
        for header in response.get("headers") or {}:
            if header.lower() not in answer.headers:
                report.add("header", label, f"{status} without its documented {header} header")
        documented = list(response.get("content") or {})
        if not answer.content or not documented:
            return
        media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if not any(_covers(kind, media) for kind in documented):
            report.add(
                "header",
                label,
                f"{status} with Content-Type {media or '(none)'!r}, "
                f"the contract documents {', '.join(documented)}",
            )
            return
        validator = self._validator(op.path, status, response)
        if validator and (media == "application/json" or media.endswith("+json")):
            try:
                body = answer.json()
            except ValueError as exc:
                report.add("body", label, f"{status} body is not JSON ({exc})")
                return
            problems = validator.errors(body)
            if problems:
                where, message = problems[0]
                report.add("schema", label, f"{status} body at {where or '/'!r}: {message}")

    def _validator(self, path: str, status: str, response: dict) -> Validator | None:
        if (path, status) not in self._validators:
            media = (response.get("content") or {}).get("application/json") or {}
            schema = media.get("schema")
            self._validators[path, status] = (
                Validator(self.spec.resolve(schema)) if schema else None
            )
        return self._validators[path, status]


def _covers(documented: str, media: str) -> bool:
    """Whether a documented media range (RFC 9110 §12.5.1) covers an answer's media type.

    >>> _covers("application/json", "application/json"), _covers("*/*", "text/html")
    (True, True)
    >>> _covers("application/*", "application/json"), _covers("application/json", "text/plain")
    (True, False)
    """
    documented = documented.split(";")[0].strip().lower()
    if documented in ("*/*", media):
        return True
    return documented.endswith("/*") and media.startswith(documented[:-1])


def _check_semantics(real, expected, upstream: str, label: str, report: Report) -> None:
    """The service's answer against the oracle's, named by what differs."""
    if real.status_code != expected.status_code:
        report.add(
            "status",
            label,
            f"{real.status_code}, the contract's engine says {expected.status_code}",
        )
        return
    if "json" not in expected.headers.get("content-type", "") or not expected.content:
        return
    try:
        got = json.loads(real.text.replace(upstream.rstrip("/"), "ORIGIN"))
    except ValueError:
        report.add("body", label, "the body is not JSON")
        return
    want = json.loads(expected.text.replace("http://testserver", "ORIGIN"))
    if got == want:
        return
    if real.status_code >= 400:
        report.add("error body", label, f"{_short(got)}, DRF's is {_short(want)}")
    elif isinstance(want, dict) and "results" in want and isinstance(got, dict):
        _page_difference(got, want, label, report)
    elif isinstance(want, list) and isinstance(got, list):
        _rows_difference(got, want, label, report)
    else:
        report.add("detail", label, f"{_short(got)} differs from the list record {_short(want)}")


def _page_difference(got: dict, want: dict, label: str, report: Report) -> None:
    if got.get("count") != want.get("count"):
        report.add("count", label, f"count {got.get('count')}, the records say {want.get('count')}")
    elif (got.get("next"), got.get("previous")) != (want.get("next"), want.get("previous")):
        report.add("links", label, f"next {got.get('next')!r}, DRF's is {want.get('next')!r}")
    else:
        _rows_difference(got.get("results") or [], want.get("results") or [], label, report)


def _rows_difference(got: list, want: list, label: str, report: Report) -> None:
    ids = [r.get("id") for r in got if isinstance(r, dict)]
    wanted = [r.get("id") for r in want if isinstance(r, dict)]
    # With as many records in all, other records on a page of an ordered list is an order
    # that does not hold, not a filter.
    ordered = any(f"{name}=" in label for name in _SORT_NAMES)
    if ids != wanted and (ordered or sorted(map(str, ids)) == sorted(map(str, wanted))):
        report.add("order", label, f"ids in order {ids[:6]}, expected {wanted[:6]}")
    elif set(map(str, ids)) != set(map(str, wanted)):
        report.add("filter", label, f"ids {ids[:6]}, expected {wanted[:6]}")
    else:
        report.add("detail", label, "a record differs from what the service lists")


_SORT_NAMES = ("ordering", "sort")  # DRF's OrderingFilter, and the Users contract's


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) < 120 else text[:117] + "..."


# -- reports ---------------------------------------------------------------------------------


def summary(report: Report) -> str:
    checks: dict[str, int] = {}
    for violation in report.violations:
        checks[violation.check] = checks.get(violation.check, 0) + 1
    lines = [f"mockserver verify: {report.requests} requests, {len(report.violations)} violations"]
    lines += [f"  {check}: {count}" for check, count in sorted(checks.items())]
    lines += [f"  [{v.check}] {v.request}: {v.message}" for v in report.violations[:20]]
    return "\n".join(lines)


def write_json(report: Report, path: Path) -> None:
    data = {
        "requests": report.requests,
        "violations": [vars(v) for v in report.violations],
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def write_junit(report: Report, path: Path) -> None:
    """One test case per check kind that found something, plus one that sums the run."""
    suite = ElementTree.Element(
        "testsuite",
        name="mockserver verify",
        tests=str(max(report.requests, 1)),
        failures=str(len(report.violations)),
    )
    case = ElementTree.SubElement(suite, "testcase", classname="mockserver.verify", name="run")
    for violation in report.violations:
        failure = ElementTree.SubElement(
            ElementTree.SubElement(
                suite, "testcase", classname=f"verify.{violation.check}", name=violation.request
            ),
            "failure",
            message=violation.message,
        )
        failure.text = violation.message
    del case
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
