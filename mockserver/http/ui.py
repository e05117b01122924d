"""Swagger UI as the mock serves it: a page that shows the working keys, and its document.

The page is Swagger UI's own (Connexion serves its scripts and styles under `{base}/ui/`)
with a header above it that lists the fixtures' keys: a person authorizing finds a key
where they look, and a click on one authorizes with it. The contract files never carry a
key. The page loads `{base}/ui/openapi.json`: the contract plus the mock's own controls
(`Prefer`, `__code`, `__example`, `__delay` and the 503 of mockserver/mock.yaml), each
described as a mock control, so that "Try it out" can use them. `/openapi.json` stays the
contract alone.

>>> escape_json('</script><b>')
'\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e'
"""

from __future__ import annotations

import copy
import html

import orjson

from mockserver.contract.security import BASIC_USER, Kind

DOCUMENT = "openapi.json"  # under {base}/ui/


def document(spec, base_path: str) -> bytes:
    """The contract with the mock's controls on every GET operation, for Swagger UI."""
    raw = copy.deepcopy(spec.raw)
    raw["servers"] = [{"url": base_path or "/"}]
    mock = spec.mock
    for item in raw.get("paths", {}).values():
        operation = item.get("get")
        if not isinstance(operation, dict):
            continue
        operation["parameters"] = [*operation.get("parameters", []), *mock.parameters]
        operation["responses"] = {**operation.get("responses", {}), **mock.responses}
    # YAML keys such as `200:` load as int; x- keys are the mock's and stay out of the way.
    return orjson.dumps(raw, option=orjson.OPT_NON_STR_KEYS)


def keys(state) -> list[tuple[str, str]]:
    """(key, what it is) for every accepted key: the fixtures' first, then `--token` ones."""
    notes = state.fixtures.token_notes
    shown = []
    for key, user in state.tokens.items():
        if key in state.fixtures.tokens:
            note = notes.get(key) or f"user {user}"
        else:
            note = f"added with --token, owned by user {user}"
        shown.append((key, note))
    return shown


def escape_json(text: str) -> str:
    """JSON text safe inside a <script> element: no `<` or `>` to close it early."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def authorizer(state) -> dict:
    """How the page's "Use" buttons authorize: the first scheme Swagger UI can fill (of the
    first operation that has one) that the mock runs. `how`: "apikey" (`prefix` + the key,
    or the JWT the mock issues for it), "basic" (any name, the key as password), or "" when
    the spec has none."""
    for op in state.spec.operations:
        for scheme in op.security.schemes:
            if scheme.kind == Kind.TOKEN:
                return {"scheme": scheme.name, "how": "apikey", "prefix": f"{scheme.keyword} "}
            if scheme.kind in (Kind.JWT, Kind.API_KEY):
                return {"scheme": scheme.name, "how": "apikey", "prefix": ""}
            if scheme.kind == Kind.BASIC:
                return {"scheme": scheme.name, "how": "basic", "prefix": ""}
    return {"scheme": "", "how": "", "prefix": ""}


def _shown(state, how: dict, key: str) -> str:
    """The credential a "Use" button fills in, as the row shows it."""
    if how["how"] == "basic":
        return f"{BASIC_USER}:{key}"
    jwt = any(s.kind == Kind.JWT for op in state.spec.operations for s in op.security.schemes)
    if how["scheme"] and not how["prefix"] and jwt:
        return state.banner_jwt(key)
    return how["prefix"] + key


def page(state) -> bytes:
    """The Swagger UI page with the keys above it."""
    how = authorizer(state)
    rows = "\n".join(
        f'<li><button type="button" data-key="{html.escape(_shown(state, how, key))}">Use'
        f"</button> <code>{html.escape(_shown(state, how, key))}</code> {html.escape(note)}</li>"
        for key, note in keys(state)
    )
    config = escape_json(
        orjson.dumps(
            {
                "url": DOCUMENT,
                "dom_id": "#swagger-ui",
                "deepLinking": True,
                # The key typed into "Authorize" (`Token <key>`) survives a page reload.
                "persistAuthorization": True,
                "validatorUrl": None,
            }
        ).decode()
    )
    title = html.escape(str((state.spec.raw.get("info") or {}).get("title") or "API"))
    text = _PAGE.replace("{rows}", rows).replace("{config}", config).replace("{title}", title)
    return text.replace("{how}", escape_json(orjson.dumps(how).decode())).encode()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{title} (mockserver)</title>
<link rel="stylesheet" type="text/css" href="./swagger-ui.css">
<link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
<style>
  html { box-sizing: border-box; overflow-y: scroll; }
  *, *:before, *:after { box-sizing: inherit; }
  body { margin: 0; background: #fafafa; }
  #mock-keys { max-width: 1460px; margin: 0 auto; padding: 12px 20px 0;
    font-family: sans-serif; font-size: 14px; color: #3b4151; }
  #mock-keys ul { margin: 6px 0; padding-left: 18px; }
  #mock-keys li { margin: 3px 0; }
  #mock-keys code { font-size: 13px; }
  #mock-keys button { cursor: pointer; margin-right: 6px; }
</style>
</head>
<body>
<section id="mock-keys">
  <strong>Keys this mock accepts.</strong> Click <em>Use</em> to authorize with one, or
  paste what it shows into <em>Authorize</em>:
  <ul>
{rows}
  </ul>
  Parameters and answers marked "Mock control" are the mock's own; the contract,
  <a href="../openapi.yaml">openapi.yaml</a> and <a href="../openapi.json">openapi.json</a>,
  has none of them.
</section>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script>
window.onload = function () {
  const config = {config};
  const ui = SwaggerUIBundle({
    ...config,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
  const how = {how};
  for (const button of document.querySelectorAll("#mock-keys button[data-key]")) {
    button.addEventListener("click", () => {
      const value = button.dataset.key;
      if (how.how === "basic") {
        const cut = value.indexOf(":");
        ui.preauthorizeBasic(how.scheme, value.slice(0, cut), value.slice(cut + 1));
      } else if (how.how === "apikey") {
        ui.preauthorizeApiKey(how.scheme, value);
      }
    });
  }
  window.ui = ui;
};
</script>
</body>
</html>
"""
