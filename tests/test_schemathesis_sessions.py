"""The schemathesis hooks of the CLI runs (tests/schemathesis_sessions.py).

The module registers its hooks globally when imported (tests/conftest.py keeps it out of
this process), so each check runs in a child Python that imports it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

# A stand-in case: what the hook reads and writes of schemathesis's Case.
_PRELUDE = """
import requests
import schemathesis_sessions as hooks

class Case:
    def __init__(self, headers, body=None):
        self.headers, self.body, self.assigned = headers, body, []
    def __setattr__(self, name, value):
        if hasattr(self, "assigned"):
            self.assigned.append(name)
        object.__setattr__(self, name, value)

case, kwargs = Case({"Accept": "*/*"}), {}
hooks.before_call(None, case, kwargs)
sent = kwargs["auth"](requests.Request("GET", "http://x/").prepare()).headers
"""


def _run(check: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE + textwrap.dedent(check)],
        cwd=TESTS,
        env={"PYTHONPATH": str(TESTS), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    "check, printed",
    [
        # Schemathesis revalidates a case whose containers a hook changed: a "Missing
        # `Authorization`" case became positive, and the credentials given with -H went back
        # on it (ST203 on every authenticated operation of the corpus).
        pytest.param(
            "print(case.assigned, case.headers)", "[] {'Accept': '*/*'}", id="case untouched"
        ),
        pytest.param("print(sent['X-Mock-Session'][:5])", "case-", id="session on the request"),
    ],
)
def test_a_case_is_sent_in_a_session_of_its_own_without_being_changed(check, printed):
    assert _run(check) == printed


# A negative case of the coverage phase, as schemathesis describes it in `case.meta`.
_MISSING_COOKIE = """
from types import SimpleNamespace as N
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario

def meta(negative, where, name="sessionid"):
    data = N(parameter_location=where, scenario=CoverageScenario.MISSING_PARAMETER,
             parameter=name)
    return N(generation=N(mode=N(is_negative=negative)), phase=N(data=data))

case.meta, case.cookies = meta({negative}, ParameterLocation.{where}), {{}}
kwargs = {{}}
hooks.before_call(None, case, kwargs)
given = requests.Request("POST", "http://x/", headers={{"Cookie": "sessionid=k; other=1"}})
print(kwargs["auth"](given.prepare()).headers.get("Cookie"))
"""


@pytest.mark.parametrize(
    "negative, where, printed",
    [
        # Found by Schemathesis (eda-server's logout, SessionAuthentication alone): "Missing
        # `sessionid` at cookie" went out with the session cookie given with -H (ST201).
        pytest.param(True, "COOKIE", "other=1", id="missing cookie taken out"),
        pytest.param(False, "COOKIE", "sessionid=k; other=1", id="a positive case keeps it"),
        pytest.param(True, "HEADER", "sessionid=k; other=1", id="a missing header: not ours"),
    ],
)
def test_a_case_meant_to_lack_a_cookie_is_sent_without_it(negative, where, printed):
    assert _run(_MISSING_COOKIE.format(negative=negative, where=where)) == printed


# A case of an operation, as schemathesis gives it: its unresolved definition and document.
_LOGIN = """
from types import SimpleNamespace as N

token = {{"type": "object", "properties": {{
    "username": {{"type": "string", "writeOnly": True}},
    "password": {{"type": "string", "writeOnly": True}},
    "token": {{"type": "string", "readOnly": True}}}}}}
signup = {{"type": "object", "properties": {{
    "username": {{"type": "string"}}, "password": {{"type": "string"}}}}}}
document = {{"components": {{"schemas": {{"AuthToken": token, "Signup": signup}}}}}}
name = "{schema}"
ref = {{"schema": {{"$ref": "#/components/schemas/" + name}}}}
raw = {{"requestBody": {{"content": {{"application/json": ref}}}},
       "responses": {{"200": {{"content": {{"application/json": ref}}}}}}}}
case = Case({{}}, {{"username": 0.0, "password": "drawn"}})
case.method = "POST"
case.operation = N(schema=N(raw_schema=document), definition=N(raw=raw))
case.meta = N(generation=N(mode=N(is_negative={negative})), phase=N(data=N()))
hooks.before_call(None, case, {{}})
print(case.body)
"""


@pytest.mark.parametrize(
    "schema, negative, printed",
    [
        # Found by Schemathesis (coordnet's obtain_auth_token, ST202): DRF answers 400
        # "Unable to log in with provided credentials." to a drawn user, as it should.
        pytest.param("AuthToken", False, "{'username': 0.0, 'password': 'key'}", id="login"),
        pytest.param(
            "AuthToken", True, "{'username': 0.0, 'password': 'drawn'}", id="negative: as drawn"
        ),
        pytest.param(
            "Signup", False, "{'username': 0.0, 'password': 'drawn'}", id="no token: no login"
        ),
    ],
)
def test_a_login_is_drawn_with_a_password_the_mock_accepts(schema, negative, printed):
    check = _LOGIN.format(schema=schema, negative=negative)
    assert _run(check, MOCK_LOGIN_PASSWORD="key") == printed
