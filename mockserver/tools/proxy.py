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
from mockserver.http.answer import send_json, write
from mockserver.http.app import lifespan
from mockserver.tools import verify

HEADER = "x-mockserver-violations"
# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, never forwarded.
_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer",
        b"transfer-encoding", b"upgrade", b"host", b"content-length"}  # fmt: skip


class ValidatingProxy:
    """The ASGI app of `mockserver proxy`."""

    def __init__(self, spec: Spec, upstream: str, report: Path | None, fail: bool):
        self.upstream = upstream.rstrip("/")
        self.report = report
        self.fail = fail
        self.contract = verify.Contract(spec)
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await lifespan(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        target = scope["path"] + (
            "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
        )
        label = f"{scope['method']} {target}"
        report = verify.Report()
        self._check_request(scope, label, report)
        headers = [(k, v) for k, v in scope["headers"] if k not in _HOP]
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=30)
        try:
            answer = await self.client.request(
                scope["method"], self.upstream + target, headers=headers, content=body
            )
        except httpx.HTTPError as exc:
            await send_json(send, 502, {"detail": f"The upstream did not answer: {exc}"})
            return
        if scope["method"] == "GET":
            self.contract.check(target, answer, label, report)
        violations = [f"{v.check}: {v.message}" for v in report.violations]
        if violations:
            self._write_down(label, answer.status_code, violations)
        if violations and self.fail:
            body = {"detail": "The answer breaks the contract.", "violations": violations}
            await send_json(send, 502, body, [(HEADER.encode(), _header(violations))])
            return
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()]
        out = [(k, v) for k, v in out if k not in _HOP and k != b"content-encoding"]
        if violations:
            out.append((HEADER.encode(), _header(violations)))
        await write(send, answer.status_code, answer.content, out)

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


def _header(violations: list[str]) -> bytes:
    text = "; ".join(violations)
    return text.encode("ascii", "replace")[:4000]


def run(spec: Spec, upstream: str, host: str, port: int, report: Path | None, fail: bool) -> int:
    """Serve the proxy until SIGTERM or Ctrl-C."""
    import uvicorn

    from mockserver.http.server import listen

    sockets = listen(host, port)
    bound = sockets[0].getsockname()[1]
    print(f"mockserver proxy: http://{host}:{bound}/ -> {upstream}", file=sys.stderr, flush=True)
    app = ValidatingProxy(spec, upstream, report, fail)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=sockets)
    return 0
