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


# A real schemathesis operation and case, a stand-in for the check's failure, the case's
# metadata (negative in its body only) and the response (the request as sent).
_FORMS_PRELUDE = """
import types
import requests
import schemathesis
import schemathesis_sessions as hooks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.transport.serialization import Binary

def body(properties, required=()):
    schema = {"type": "object", "properties": properties}
    schema = {**schema, "required": list(required)} if required else schema
    media = ("multipart/form-data", "application/x-www-form-urlencoded")
    return {"content": {m: {"schema": schema} for m in media}}

doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
    "/upload/": {"post": {"requestBody": body({"n": {"type": "integer"},
                                               "doc": {"type": "string", "format": "binary"}}),
                          "responses": {"200": {"description": ""}}}},
    "/needs/": {"post": {"requestBody": body({"n": {"type": "integer"}}, ["n"]),
                         "responses": {"200": {"description": ""}}}},
    "/facts/": {"post": {"requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "memory_bytes": {"type": "integer", "format": "int64"},
            "pid": {"type": "integer", "format": "int64", "maximum": 2**63 - 1},
            "cpus": {"type": "integer"}}}}}},
                         "responses": {"200": {"description": ""}}}},
    "/notes/": {"post": {"requestBody": {"content": {
        m: {"schema": {"type": "object", "properties": {
            "t": {"type": "string", "maxLength": 3}, "c": {"enum": ["a"]},
            "w": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "number"}]}}}}
        for m in ("application/x-www-form-urlencoded", "application/json")}},
                         "responses": {"200": {"description": ""}}}},
    "/users/": {"get": {"parameters": [{"in": "query", "name": "user__id",
                                        "schema": {"type": "integer"}}],
                        "responses": {"200": {"description": ""}}}},
}}

def read(query):
    case = schema["/users/"]["GET"].Case(query=query)
    failure = types.SimpleNamespace(code="ST202")
    return hooks.filter_failure(None, failure, case, None)
schema = schemathesis.openapi.from_dict(doc)
negative = types.SimpleNamespace(
    is_negative_at=lambda where: where == ParameterLocation.BODY, components={},
    is_dirty=lambda: False)

def negative_case(path, body, media, **request):
    # A case negative in its body, and the response to it (the request as sent).
    case = schema[path]["POST"].Case(body=body, media_type=media)
    object.__setattr__(case, "_meta", negative)
    sent = requests.Request("POST", "http://x" + path, **request).prepare()
    return case, types.SimpleNamespace(request=sent)

def kept(path, body, media="multipart/form-data", code="ST201", data=None, files=None):
    case, response = negative_case(path, body, media, data=data, files=files)
    return hooks.filter_failure(None, types.SimpleNamespace(code=code), case, response)

def judged(body, text, media="application/x-www-form-urlencoded"):
    # Schemathesis's own judge: whether a negative form is valid as it was sent.
    from schemathesis.specs.openapi import checks
    case, response = negative_case("/needs/", body, media, data=text,
                                   headers={"Content-Type": media})
    return checks._body_negation_becomes_valid_after_serialization(response, case)
"""

FORM_VERDICTS = [
    # Found by Schemathesis: carbure's contract PUT, `buyer=0` next to a file, "0" counted
    # as no integer; its trading toggle and check-file, a multipart body of one part
    # without headers, answered 200 as DRF answers the empty form.
    ("'0' for an integer next to a file", "kept('/upload/', {'n': '0', 'doc': Binary(b'P')},"
     " data={'n': '0'}, files={'doc': ('d.png', b'P')})", "False"),
    ("a word for an integer next to a file", "kept('/upload/', {'n': 'x', 'doc': Binary(b'P')},"
     " data={'n': 'x'}, files={'doc': ('d.png', b'P')})", "True"),
    ("no file: schemathesis judged it", "kept('/upload/', {'n': 'x'}, data={'n': 'x'})", "True"),
    ("no object, nothing required", "kept('/upload/', 'True', data=b'True')", "False"),
    ("no object, urlencoded", "kept('/upload/', [1], 'application/x-www-form-urlencoded',"
     " data=b'[1]')", "False"),
    ("no object, a field required", "kept('/needs/', 'True', data=b'True')", "True"),
    ("another check", "kept('/upload/', 'True', code='ST202', data=b'True')", "True"),
    ("JSON", "kept('/upload/', 'True', 'application/json', data=b'true')", "True"),
    # Found by Schemathesis: a stateful link put a UUID into authentik's `user__id`, and
    # DRF's 400 counted as a valid request refused.
    # Found by Schemathesis: authentik's check-in, hardware.memory_bytes = 2**63 under an
    # int64 with no bound (an IntegerField without max_value, which DRF reads with int()).
    ("past an unbounded int64", "kept('/facts/', {'memory_bytes': 2**63}, 'application/json')",
     "False"),
    ("below an unbounded int64", "kept('/facts/', {'memory_bytes': -2**63 - 1},"
     " 'application/json')", "False"),
    ("past a bounded int64", "kept('/facts/', {'pid': 2**63}, 'application/json')", "True"),
    ("past an int64 and a word", "kept('/facts/', {'memory_bytes': 2**63, 'cpus': 'x'},"
     " 'application/json')", "True"),
    ("an int64 in range, another error", "kept('/facts/', {'cpus': 'x'}, 'application/json')",
     "True"),
    # Found by Schemathesis: inventree's batch code, `location=2211347085635922.0` in a
    # form, an integer to DRF's IntegerField, counted as a float sent for an integer.
    ("'5.0' in a form: DRF's integer", "judged({'n': 5.0}, 'n=5.0')", "True"),
    ("'5.5' in a form: no integer", "judged({'n': 5.5}, 'n=5.5')", "False"),
    ("a word in a form: no integer", "judged({'n': 'x'}, 'n=x')", "False"),
    # Found by Schemathesis: inventree's observability `traceid`, a leading "\x1f" past
    # its maxLength, which CharField strips before it counts (DRF answers 201).
    ("too long by its whitespace", "kept('/notes/', {'t': '\\x1fabc'}, "
     "'application/x-www-form-urlencoded', data={'t': '\\x1fabc'})", "False"),
    ("too long by its whitespace, JSON's text or number", "kept('/notes/', {'w': ' abc '}, "
     "'application/json')", "False"),
    ("too long", "kept('/notes/', {'t': 'abcd'}, 'application/json')", "True"),
    ("too long with whitespace still", "kept('/notes/', {'t': ' abcd'}, 'application/json')",
     "True"),
    ("a choice is not stripped", "kept('/notes/', {'c': ' a'}, 'application/json')", "True"),
    ("too long by its whitespace, and a wrong choice", "kept('/notes/', {'t': ' abc', "
     "'c': 'b'}, 'application/json')", "True"),
    ("a query value its schema refuses", "read({'user__id': '36f61205-448a'})", "False"),
    ("a query value its schema takes", "read({'user__id': 5})", "True"),
    ("a query value's text its schema takes", "read({'user__id': '5'})", "True"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "printed"), [v[1:] for v in FORM_VERDICTS], ids=[v[0] for v in FORM_VERDICTS]
)
def test_a_negative_verdict_on_a_form_drf_reads_as_valid_is_withdrawn(call, printed):
    done = subprocess.run(
        [sys.executable, "-c", _FORMS_PRELUDE + f"print({call})"],
        cwd=TESTS,
        env={"PYTHONPATH": str(TESTS)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == printed


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


# Two workers (threads) parse at once: the most parses in flight together. ast.parse calls
# the `compile` of the ast module's globals, here one that waits while it counts.
_PARSES = """
import ast, threading, time
flight, most = [0], [0]

def compile(*args, **kwargs):
    flight[0] += 1
    most[0] = max(most[0], flight[0])
    time.sleep(0.2)
    flight[0] -= 1
    return compile.original(*args, **kwargs)

compile.original = ast.compile if hasattr(ast, "compile") else __builtins__.compile
ast.compile = compile
workers = [threading.Thread(target=ast.parse, args=("x = 1",)) for _ in range(2)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(most[0])
"""


def test_the_workers_parse_one_at_a_time():
    # CPython 3.11 (gh-106905): the AST constructor's recursion depth, shared by threads,
    # went unbalanced when two workers parsed a lambda at once ("SystemError: AST
    # constructor recursion depth mismatch", a Runtime Error of objects-api's run).
    assert _run(_PARSES) == "1"
