"""Start time for CI: from `mockserver serve` to the first 200, beside a bare `python -c pass`.

Cold: an empty dataset cache, so the default 1,000 users are generated. Warm: the cache
filled by an earlier start. Each is the median of `--runs` starts, each on a free port of
127.0.0.1, polled every 5 ms with the staff token; the mock is stopped by its PID.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench.servers import free_port

TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # the staff persona's, fixtures/tokens.yaml
TARGETS = {"warm": 0.5, "cold": 1.0}  # seconds (json-server 0.28 s; Prism 1.4 s)


def first_200(cache_dir: str, timeout: float = 60.0) -> float:
    """Seconds from starting `mockserver serve` until `GET /users/?limit=1` is 200."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port),
         "--cache-dir", cache_dir, "--no-access-log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/users/?limit=1", headers={"Authorization": f"Token {TOKEN}"}
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(request, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        raise RuntimeError(f"no 200 within {timeout}s")
    finally:
        process.terminate()
        process.wait()


def bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    floor = statistics.median(bare_python() for _ in range(args.runs))
    cold = statistics.median(
        first_200(tempfile.mkdtemp(prefix="mockserver-cold-")) for _ in range(args.runs)
    )
    warm_dir = tempfile.mkdtemp(prefix="mockserver-warm-")
    first_200(warm_dir)
    warm = statistics.median(first_200(warm_dir) for _ in range(args.runs))
    print(f"start to first 200, median of {args.runs} (1,000 users):\n")
    print("| start | seconds | target | met | x python -c pass |")
    print("|---|---|---|---|---|")
    print(f"| python -c pass | {floor:.3f} | | | 1 |")
    for name, value in (("warm (cached)", warm), ("cold (generated)", cold)):
        target = TARGETS[name.split()[0]]
        met = "yes" if value <= target else "no"
        print(f"| {name} | {value:.3f} | <= {target} | {met} | {value / floor:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
