"""A real browser against a real server: CORS from another port, and Swagger UI's Try it out.

Chromium comes from Debian's packages (`make chromium`), driven by Playwright for Python; no
browser is downloaded. The mock runs as `python -m mockserver serve --port 0`, the page as a
tiny `http.server` on another port, and every server stops in its fixture's finalizer.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from helpers_api import STAFF_KEY
from helpers_server import MockServer
from playwright.sync_api import Browser, Page, sync_playwright

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERS = 200
UI_TIMEOUT = 15_000  # milliseconds, for Playwright waits
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}

# The frontend: a page on its own port that calls the mock on another one, as a dev server
# next to the mock does. `?api=` is the mock's base URL; the outcome lands in window.result.
PAGE = """<!doctype html>
<meta charset="utf-8">
<title>frontend</title>
<pre id="out">running</pre>
<script>
const params = new URLSearchParams(location.search);
const api = params.get("api");
const token = params.get("token");
async function call(path, headers) {
  const response = await fetch(api + path, { headers });
  return {
    status: response.status,
    body: await response.json(),
    wwwAuthenticate: response.headers.get("WWW-Authenticate"),
  };
}
async function run() {
  try {
    const auth = { Authorization: "Token " + token };
    return {
      ok: await call("/users/?limit=3", auth),
      anonymous: await call("/users/", {}),
      badLimit: await call("/users/?limit=abc", auth),
      missing: await call("/users/999999/", auth),
    };
  } catch (error) {
    return { error: String(error) };
  }
}
run().then((result) => {
  window.result = result;
  document.getElementById("out").textContent = JSON.stringify(result, null, 2);
});
</script>
"""


@pytest.fixture(scope="module")
def mocks() -> Iterator[tuple[MockServer, MockServer]]:
    """Two mocks, started together: a plain one and one under `--base-path /api/v1`."""
    servers = (
        MockServer("--users", str(USERS)),
        MockServer("--users", "20", "--base-path", "/api/v1"),
    )
    try:
        yield tuple(server.wait() for server in servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def mock(mocks) -> MockServer:
    return mocks[0]


@pytest.fixture(scope="module")
def mock_under_prefix(mocks) -> MockServer:
    return mocks[1]


@pytest.fixture(scope="module")
def frontend(tmp_path_factory) -> Iterator[str]:
    """The page, served by http.server from its own directory on another port."""
    root = tmp_path_factory.mktemp("frontend")
    (root / "index.html").write_text(PAGE, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make chromium`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    yield page
    context.close()


def page_result(page: Page) -> dict:
    page.wait_for_function("window.result !== undefined")
    return page.evaluate("window.result")


# -- CORS: a page on one port reads the mock on another -------------------------------------


def test_a_page_on_another_port_reads_a_200_and_a_401(mock, frontend, page):
    assert frontend != mock.origin
    page.goto(f"{frontend}/index.html?api={mock.base}&token={STAFF_KEY}")
    result = page_result(page)
    assert "error" not in result, result

    with httpx.Client(base_url=mock.base, timeout=10) as client:
        auth = {"Authorization": f"Token {STAFF_KEY}"}
        bad_limit = client.get("/users/?limit=abc", headers=auth).json()
        missing = client.get("/users/999999/", headers=auth).json()

    assert result["ok"]["status"] == 200
    assert result["ok"]["body"]["count"] == USERS
    assert [user["id"] for user in result["ok"]["body"]["results"]] == [1, 2, 3]
    assert result["ok"]["body"]["next"] == f"{mock.base}/users/?limit=3&page=2"
    assert result["anonymous"] == {
        "status": 401,
        "body": NOT_PROVIDED,
        "wwwAuthenticate": "Token",  # readable: exposed by Access-Control-Expose-Headers
    }
    assert result["badLimit"]["status"] == 400
    assert result["badLimit"]["body"] == bad_limit
    assert result["missing"]["status"] == 404
    assert result["missing"]["body"] == missing
    assert json.loads(page.text_content("#out")) == result


def test_a_page_from_an_origin_not_allowed_cannot_read_the_mock(mock, page):
    """The same page from a non-loopback origin (served by Playwright, no network): the
    browser blocks the answers, as the default allows loopback origins only."""
    page.route(
        "http://frontend.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE),
    )
    page.goto(f"http://frontend.example/index.html?api={mock.base}&token={STAFF_KEY}")
    result = page_result(page)
    assert result == {"error": "TypeError: Failed to fetch"}


# -- Swagger UI ------------------------------------------------------------------------------


def open_ui(page: Page, url: str) -> list[str]:
    """Swagger UI loaded and rendered; the listed operations' paths."""
    page.goto(url)
    page.wait_for_selector(".opblock-summary-path")
    return page.eval_on_selector_all(
        ".opblock-summary-path", "nodes => nodes.map(n => n.dataset.path)"
    )


def authorize(page: Page, key: str) -> None:
    """The "Authorize" dialog: the apiKey header scheme takes `Token <key>` as typed."""
    page.click(".auth-wrapper button.authorize")
    dialog = page.locator(".modal-ux-content")
    dialog.locator("input").fill(f"Token {key}")
    dialog.locator(".auth-btn-wrapper button.authorize").click()
    dialog.locator(".auth-btn-wrapper button.btn-done").click()


def try_it_out(page: Page, path: str, values: dict[tuple[str, str], str]) -> dict:
    """Expands the GET operation of `path`, fills `values` ((in, name): value), executes;
    returns what the UI shows."""
    operation = page.locator(
        ".opblock-get", has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    for (where, name), value in values.items():
        row = f'tr[data-param-name="{name}"][data-param-in="{where}"]'
        operation.locator(f"{row} input").fill(value)
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    status.wait_for()
    return {
        "status": status.inner_text().strip(),
        "url": operation.locator(".request-url pre").inner_text().strip(),
        "curl": operation.locator(".curl-command").inner_text(),
        "body": json.loads(
            operation.locator(".live-responses-table .microlight").first.inner_text()
        ),
    }


def test_swagger_ui_lists_the_operations_and_tries_one_out(mock, page, tmp_path):
    paths = open_ui(page, f"{mock.base}/ui/")
    screenshot = tmp_path / "swagger-ui.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert paths == ["/users/", "/users/{id}/"]

    authorize(page, STAFF_KEY)
    shown = try_it_out(page, "/users/", {("query", "limit"): "2"})
    page.screenshot(path=tmp_path / "swagger-ui-try-it-out.png", full_page=True)
    assert shown["status"] == "200"
    assert shown["url"].startswith(f"{mock.base}/users/?")
    assert "limit=2" in shown["url"]
    assert f"Authorization: Token {STAFF_KEY}" in shown["curl"]
    assert shown["body"]["count"] == USERS
    assert [user["id"] for user in shown["body"]["results"]] == [1, 2]


def test_swagger_ui_under_a_base_path_calls_the_prefixed_api(mock_under_prefix, page, tmp_path):
    base = mock_under_prefix.base
    assert base.endswith("/api/v1")
    assert open_ui(page, f"{base}/ui/") == ["/users/", "/users/{id}/"]
    page.screenshot(path=tmp_path / "swagger-ui-base-path.png", full_page=True)

    authorize(page, STAFF_KEY)
    shown = try_it_out(page, "/users/{id}/", {("path", "id"): "4"})
    assert shown["status"] == "200"
    assert shown["url"].split("?")[0] == f"{base}/users/4/"
    assert shown["body"]["id"] == 4
    assert shown["body"]["first_name"] == "Ayşe"


def test_swagger_ui_without_authorizing_shows_the_401(mock, page):
    open_ui(page, f"{mock.base}/ui/")
    shown = try_it_out(page, "/users/{id}/", {("path", "id"): "1"})
    assert shown["status"] == "401"
    assert shown["body"] == NOT_PROVIDED


def test_swagger_ui_shows_the_keys_and_prefills_nothing(mock, page, tmp_path):
    """As it comes: a key from the page header authorizes with one click, and "Try it out"
    sends only what was typed (no `{}` in the JSON filters, no mock control)."""
    open_ui(page, f"{mock.base}/ui/")
    header = page.locator("#mock-keys").inner_text()
    assert f"Token {STAFF_KEY}" in header
    assert "the staff superuser" in header
    page.click(f'#mock-keys button[data-key="Token {STAFF_KEY}"]')
    shown = try_it_out(page, "/users/", {("query", "limit"): "3"})
    page.screenshot(path=tmp_path / "swagger-ui-keys.png", full_page=True)
    assert shown["status"] == "200"
    assert shown["url"] == f"{mock.base}/users/?limit=3"
    assert f"Authorization: Token {STAFF_KEY}" in shown["curl"]
    assert "Prefer" not in shown["curl"]
    assert shown["body"]["next"] == f"{mock.base}/users/?limit=3&page=2"
    operation = page.locator(".opblock-get.is-open")
    for name in ("attributes", "attributes_kwargs", "localized_attributes", "__code"):
        assert operation.locator(f'tr[data-param-name="{name}"] input').input_value() == ""
