"""`make soak` (bench/soak.py): its verdicts on made-up windows, and a 20-second soak."""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from helpers_api import ROOT, cli_env

from bench import soak

ARGS = SimpleNamespace(window=10)


def window(requests=1000, errors=0, rss=100.0, p99=5.0, statuses=None) -> dict:
    return {
        "requests": requests,
        "rps": requests / 10,
        "p99_ms": p99,
        "errors": errors,
        "statuses": statuses or {200: requests},
        "rss_mb": rss,
    }


@pytest.mark.parametrize(
    ("rows", "verdict"),
    [
        pytest.param([window(), window(rss=105.0)], 0, id="steady: passes"),
        pytest.param([window(), window(errors=1)], 1, id="one error: fails"),
        pytest.param([window(rss=100.0), window(rss=111.0)], 1, id="RSS +11% after warm-up: fails"),
        pytest.param([window(rss=150.0), window(rss=109.0)], 0, id="RSS lower than at warm-up"),
        pytest.param([window(requests=0), window(requests=0)], 1, id="nothing answered: fails"),
    ],
)
def test_report_verdicts(rows, verdict, capsys):
    assert soak.report(rows, 0, ARGS) == verdict
    assert "soak: " in capsys.readouterr().out


@pytest.mark.parametrize(("code", "verdict"), [(0, 0), (-15, 1), (1, 1)], ids=str)
def test_the_server_must_stop_cleanly(code, verdict, capsys):
    assert soak.report([window(), window()], code, ARGS) == verdict
    assert "soak: " in capsys.readouterr().out


def test_the_mix_is_seeded_and_asks_for_every_status_the_api_gives():
    requests = soak.mix(42)
    assert requests == soak.mix(42)
    assert requests != soak.mix(43)
    paths = [path for path, _ in requests]
    assert not [p for p in paths if re.search(r"[?&]__", p)]  # no mock control in the load
    assert {auth for _, auth in requests} == {True, False}
    assert any(re.fullmatch(r"/users/\d+/", path) for path in paths)
    assert any("page=999" in path for path in paths)


def test_the_lua_script_quotes_every_path():
    script = soak.lua_script([('/users/?attributes={"a":"b\\\\c"}', True)], "k" * 40)
    assert '"/users/?attributes={\\"a\\":\\"b\\\\\\\\c\\"}"' in script
    assert 'headers["Authorization"] = "Token ' + "k" * 40 + '"' in script


@pytest.mark.slow
def test_a_twenty_second_soak_passes():
    """The real thing, short: a server under wrk for 20 s, no error, RSS flat."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "0.34", "--window", "5"],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"^soak: ([\d,]+) requests in 20 s, (\d+) errors", result.stdout, re.M)
    assert summary, result.stdout
    assert int(summary[1].replace(",", "")) > 1000
    assert summary[2] == "0"
