"""`mockserver proxy`: a validating proxy in front of the real service, for local development.

Every request is forwarded to `--upstream` as it came (method, path, query, headers, body),
and the answer comes back as the service gave it. On the way, the request is checked
against the contract (a path and method it documents, query parameters it declares, values
their schemas allow) and so is the answer (a documented status, a schema-valid body, the
documented headers), as `mockserver verify` checks them. Violations, if any:

- are listed in the answer's `X-Mockserver-Violations` header (`check: message; ...`),
  as Prism's proxy does with `sl-violations`;
- are appended to `--report FILE`, one JSON object a line;
- with `--fail-on-violation`, turn the answer into a 502 `{"detail": ..., "violations":
  [...]}`, so that a frontend notices at once.

The request goes on as it came: its path and query byte for byte (`scope["raw_path"]`),
never decoded and encoded again, so `..%2F` and `%3F` reach the service as the client wrote
them (RFC 3986 §2.4: a reserved character's percent-encoding is data, not a delimiter).

A request body past `--max-body` is 413 and never sent on: the proxy holds each body whole
to forward it, so that bound is its memory's.

An upstream that gives no usable answer is answered for: past `--timeout` (the body
included) a 504, a body that is not the JSON it claims or past `--max-body` a 502, both in
DRF's shape `{"detail": ..., "violations": [...]}` and written down in `--report`
(`tools/upstream.py` bounds each exchange).

The `Authorization` value is forwarded, never written down.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

from mockserver.contract.spec import Spec
from mockserver.engine.params import allowed
from mockserver.errors import ApiError
from mockserver.http.answer import send_json, write
from mockserver.http.app import read_body
from mockserver.tools import upstream as upstream_module
from mockserver.tools import verify
from mockserver.tools.upstream import Limits, Unanswered

HEADER = "x-mockserver-violations"
# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, never forwarded.
_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
        b"transfer-encoding", b"upgrade", b"host", b"content-length"}  # fmt: skip


def _too_big(limit: int) -> str:
    """A request body the proxy will not hold: RFC 9110, 15.5.14 (413 Content Too Large).

    >>> _too_big(16_777_216)
    "The request's body is past 16,777,216 bytes (--max-body)."
    """
    return f"The request's body is past {limit:,} bytes (--max-body)."


class ValidatingProxy:
    """The ASGI app of `mockserver proxy`."""

    def __init__(
        self,
        spec: Spec,
        upstream: str,
        report: Path | None,
        fail: bool,
        limits: Limits | None = None,
    ):
        self.upstream = upstream.rstrip("/")
        self.report = report
        self.fail = fail
        self.limits = limits or Limits()
        self.banner = ""
        self.contract = verify.Contract(spec)
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            body = await read_body(receive, self.limits.max_body, _too_big(self.limits.max_body))
        except ApiError as refused:  # never sent on: 413, a body the proxy will not hold
            await send_json(send, refused.status, refused.body)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope["query_string"]
        target = (raw_path + (b"?" + query if query else b"")).decode("latin-1")
        label = f"{scope['method']} {target}"
        report = verify.Report()
        self._check_request(scope, label, report)
        headers = [(k, v) for k, v in scope["headers"] if k not in _HOP]
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=self.limits.timeout)
        # The target as received: httpx would decode and re-encode a path given as text.
        url = httpx.URL(self.upstream).copy_with(
            raw_path=self._base_path + target.encode("latin-1")
        )
        try:
            answer = await upstream_module.exchange(
                self.client, scope["method"], url, self.limits, headers, body
            )
        except Unanswered as broken:
            await self._unanswered(send, label, broken, report)
            return
        except httpx.HTTPError as exc:
            await send_json(send, 502, {"detail": f"The upstream did not answer: {exc}"})
            return
        if scope["method"] == "GET":
            self.contract.check(scope["path"] + _query(query), answer, label, report)
        violations = [f"{v.check}: {v.message}" for v in report.violations]
        if violations:
            self._write_down(label, answer.status_code, violations)
        unreadable = [v for v in report.violations if v.check == "body"]
        if unreadable:  # nothing sane to forward: a Bad Gateway (RFC 9110 §15.6.3)
            body = {"detail": "The upstream's answer is unreadable.", "violations": violations}
            await send_json(send, 502, body, [(HEADER.encode(), _header(violations))])
            return
        if violations and self.fail:
            body = {"detail": "The answer breaks the contract.", "violations": violations}
            await send_json(send, 502, body, [(HEADER.encode(), _header(violations))])
            return
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()]
        out = [(k, v) for k, v in out if k not in _HOP and k != b"content-encoding"]
        if violations:
            out.append((HEADER.encode(), _header(violations)))
        await write(send, answer.status_code, answer.content, out)

    async def _lifespan(self, receive, send) -> None:
        """The banner once uvicorn serves (its signal handlers in place, so a SIGTERM from
        then on is a clean stop); the upstream's connections closed at the stop."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.banner:
                    print(self.banner, file=sys.stderr, flush=True)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.client is not None:
                    await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    @property
    def _base_path(self) -> bytes:
        return httpx.URL(self.upstream).raw_path.rstrip(b"/")

    async def _unanswered(self, send, label: str, broken: Unanswered, report) -> None:
        """A 504 past the deadline (RFC 9110 §15.6.5), a 502 for a body it cannot read."""
        report.add(broken.check, label, broken.message)
        violations = [f"{v.check}: {v.message}" for v in report.violations]
        status = 504 if broken.check == "timeout" else 502
        self._write_down(label, status, violations)
        detail = (
            "The upstream did not answer in time."
            if status == 504
            else "The upstream's answer is unreadable."
        )
        body = {"detail": detail, "violations": violations}
        await send_json(send, status, body, [(HEADER.encode(), _header(violations))])

    def _check_request(self, scope, label: str, report: verify.Report) -> None:
        """The request against the contract: a documented operation, declared parameters."""
        method = scope["method"]
        op = self.contract.operation(scope["path"], "GET" if method == "HEAD" else method)
        if op is None:
            report.add("request", label, "the contract documents no such path")
            return
        if op is False and method != "OPTIONS":
            report.add("request", label, f"the contract documents no {method} here")
            return
        if not op:
            return
        contract = {name: p for name, p in op.query.items() if p.control != "prefer"}
        pairs = parse_qsl(scope["query_string"].decode("utf-8", "replace"), True)
        for name, value in pairs:
            param = contract.get(name)
            if param is None:
                report.add("request", label, f"query parameter {name!r} is not in the contract")
            elif not param.repeated and not param.json and not allowed(param.schema, value):
                report.add("request", label, f"{name}={value!r} is outside its schema")

    def _write_down(self, label: str, status: int, violations: list[str]) -> None:
        if self.report is None:
            return
        entry = {"time": time.time(), "request": label, "status": status, "violations": violations}
        with self.report.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _query(query: bytes) -> str:
    return "?" + query.decode("latin-1") if query else ""


def _header(violations: list[str]) -> bytes:
    text = "; ".join(violations)
    return text.encode("ascii", "replace")[:4000]


def run(
    spec: Spec,
    upstream: str,
    host: str,
    port: int,
    report: Path | None,
    fail: bool,
    limits: Limits | None = None,
    graceful_timeout: float = 10.0,
) -> int:
    """Serve the proxy until SIGTERM or Ctrl-C; a stop waits at most `graceful_timeout`
    seconds for the requests in flight."""
    import uvicorn

    # serve's uvicorn server: a drained SIGTERM or Ctrl-C is a clean stop, exit 0.
    from mockserver.http.server import _Server, listen

    sockets = listen(host, port)
    bound = sockets[0].getsockname()[1]
    app = ValidatingProxy(spec, upstream, report, fail, limits)
    app.banner = f"mockserver proxy: http://{host}:{bound}/ -> {upstream}"
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=graceful_timeout
    )
    server = _Server(config, None)
    server.run(sockets=sockets)
    return 130 if server.force_exit else 0
