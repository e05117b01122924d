"""Run wrk and turn its text report into numbers; the parsing helpers are pure.

Also what the benchmarks' wrk scripts share: Lua string literals, and the statuses a
script counts, summed over wrk's threads and read back from its report.
"""

from __future__ import annotations

import math
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence

# wrk prints latencies with these suffixes (see wrk's stats.c units_time).
_TIME_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_SI = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}

_RE_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_RE_PCT = re.compile(r"^\s+(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_RE_TOTAL = re.compile(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_RE_NON2XX = re.compile(r"^\s+Non-2xx or 3xx responses:\s+(\d+)", re.M)
_RE_SOCKET = re.compile(
    r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M
)


class WrkError(RuntimeError):
    """wrk failed or printed no result."""


def to_ms(value: str, unit: str) -> float:
    """Convert a wrk latency such as ('1.50', 'ms') to milliseconds."""
    return float(value) * _TIME_UNITS_MS[unit]


def parse_wrk(text: str) -> dict:
    """Parse `wrk --latency` output into a flat dict.

    Keys: rps, p50_ms, p75_ms, p90_ms, p99_ms (None when absent), requests, duration_s,
    non2xx, socket_connect, socket_read, socket_write, socket_timeout, socket_errors.
    Missing "Non-2xx" / "Socket errors" lines mean zero, as wrk omits them when zero.
    """
    out: dict = {"rps": None, "requests": None, "duration_s": None}
    m = _RE_RPS.search(text)
    if m:
        out["rps"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        out[f"p{pct}_ms"] = None
    for pct, value, unit in _RE_PCT.findall(text):
        out[f"p{pct}_ms"] = to_ms(value, unit)
    m = _RE_TOTAL.search(text)
    if m:
        out["requests"] = int(m.group(1))
        out["duration_s"] = to_ms(m.group(2), m.group(3)) / 1e3
    m = _RE_NON2XX.search(text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = _RE_SOCKET.search(text)
    counts = [int(g) for g in m.groups()] if m else [0, 0, 0, 0]
    for name, count in zip(("connect", "read", "write", "timeout"), counts, strict=True):
        out[f"socket_{name}"] = count
    out["socket_errors"] = sum(counts)
    return out


def median(values: Iterable[float | None]) -> float | None:
    """Median of the non-None values, or None when there are none."""
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def fmt(value: float | None, digits: int = 2) -> str:
    """Format a number for a table cell; None becomes an em dash."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Render a GitHub-flavoured markdown table with padded columns."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def wrk_command(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    headers: Sequence[str] = (),
    script: str | None = None,
    timeout_s: float | None = None,
) -> list[str]:
    """Build the wrk argv; -c is raised to -t because wrk refuses fewer connections."""
    # wrk only accepts whole seconds.
    seconds = max(1, math.ceil(duration))
    cmd = ["wrk", f"-t{threads}", f"-c{max(connections, threads)}", f"-d{seconds}s", "--latency"]
    if timeout_s is not None:  # wrk's own default (2 s) otherwise, as in the plain recipe
        cmd.append(f"--timeout={timeout_s:g}s")
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    return [*cmd, url]


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    headers: Sequence[str] = (),
    script: str | None = None,
) -> dict:
    """Run one wrk measurement and return parse_wrk's dict plus the raw text."""
    cmd = wrk_command(
        url,
        duration=duration,
        connections=connections,
        threads=threads,
        headers=headers,
        script=script,
    )
    # Bounded: wrk should end after `duration`; the margin covers start-up and draining.
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish: {' '.join(cmd)}") from exc
    if proc.returncode != 0 or "Requests/sec" not in proc.stdout:
        raise WrkError(
            f"wrk failed ({proc.returncode}) for {' '.join(cmd)}:\n{proc.stderr or proc.stdout}"
        )
    result = parse_wrk(proc.stdout)
    result["raw"] = proc.stdout
    return result


def wrk_missing() -> bool:
    """Whether wrk is not on PATH, said on stderr: a benchmark then exits 2."""
    if shutil.which("wrk"):
        return False
    print("error: wrk not found on PATH (apt-get install -y wrk)", file=sys.stderr)
    return True


def lua_string(text: str) -> str:
    """`text` as a Lua string literal.

    >>> print(lua_string('a "b" \\\\ c'))
    "a \\"b\\" \\\\ c"
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_status_totals(tag: str) -> str:
    """The end of a wrk script whose `response` counts each status in a global `statuses`
    table: when wrk is done, every thread's counts summed and printed, a line a status
    (`<tag>-status 200 1234`), for `statuses_of`. wrk runs each thread in a Lua state of its
    own, so only `done` sees them all, through each thread's `get`."""
    return f"""
local threads = {{}}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local total = {{}}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("{tag}-status %d %d\\n", status, count))
  end
end
"""


def statuses_of(raw: str, tag: str) -> dict[int, int]:
    """The status counts a script ended by `lua_status_totals(tag)` printed.

    >>> statuses_of("Requests/sec: 1\\nmix-status 201 10\\nmix-status 200 20\\n", "mix")
    {201: 10, 200: 20}
    """
    lines = re.findall(rf"^{re.escape(tag)}-status (\d+) (\d+)$", raw, re.M)
    return {int(status): int(count) for status, count in lines}
