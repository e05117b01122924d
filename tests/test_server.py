"""The terminal side of `serve`: the progress bar of a big build and the startup banner."""

from __future__ import annotations

import io
import shlex

import pytest

from mockserver import state as state_module
from mockserver.server import banner, progress_printer
from mockserver.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place():
    screen = Terminal()
    show = progress_printer(screen)
    for done in range(0, 1_000_001, 100_000):
        show(done, 1_000_000)
    text = screen.getvalue()
    assert text.count("\r") == 11 and text.endswith("\n") and text.count("\n") == 1
    last = text.rsplit("\r", 1)[1]
    assert "generating 1,000,000 users [" + "#" * 30 + "] 100%" in last


def test_a_log_gets_a_line_per_tenth():
    log = io.StringIO()
    show = progress_printer(log)
    for done in range(0, 1_000_001, 25_000):
        show(done, 1_000_000)
    lines = log.getvalue().splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [
        f"{n}%" for n in range(0, 101, 10)
    ]
    assert "\r" not in log.getvalue()


def test_small_datasets_print_no_progress():
    screen = Terminal()
    show = progress_printer(screen)
    show(1_000, 1_000)
    assert screen.getvalue() == ""


@pytest.mark.parametrize("base_path", ["", "/api/v1"])
def test_the_banner_has_the_url_a_working_token_and_a_curl_line(base_path):
    loaded = state_module.load(Settings(cache_dir="", users=10, base_path=base_path))
    text = banner(loaded, "127.0.0.1", 8123)
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # the staff persona's, an active user
    assert f"http://127.0.0.1:8123{base_path}/users/" in text
    assert f"token:      {key}" in text
    curl = next(line for line in text.splitlines() if "curl" in line).split("try:", 1)[1]
    argv = shlex.split(curl)
    assert argv == [
        "curl", "-H", f"Authorization: Token {key}", f"http://127.0.0.1:8123{base_path}/users/?limit=2"
    ]  # fmt: skip
