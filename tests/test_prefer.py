"""mockserver/http/prefer.py: `Prefer: code=, example=, delay=` and the `__code` query
parameters."""

from __future__ import annotations

import orjson
import pytest
from helpers_api import AUTH, CUSTOMER_KEY, INACTIVE_KEY, make_client, make_state

from mockserver.contract.spec import PREFER
from mockserver.http import prefer

DOCUMENTED = "documented: 200, 400, 401, 404, 406, 503."
LIST_EXAMPLES = "examples: first_page, empty. Add code= to pick another response's examples."
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID_PAGE = {"detail": "Invalid page."}
NOT_ACCEPTABLE = {"detail": "Could not satisfy the request Accept header."}
EMPTY_PAGE = {"count": 0, "next": None, "previous": None, "results": []}
UNAVAILABLE = {"detail": "Service temporarily unavailable, try again later."}
NOT_MS = "is not a whole number of milliseconds from 0 to 60000."
LIST_200 = "#/paths/~1users~1/get/responses/200/content/application~1json/examples/first_page"


@pytest.fixture(scope="module", params=["validated", "served"])
def client(request):
    """The app with Connexion's response validation (every forced answer checked) and without."""
    validated = request.param == "validated"
    return make_client(make_state(users=50, validate_responses=validated))


@pytest.fixture
def slept(monkeypatch):
    """The durations (seconds) the app asked to sleep; no time passes."""
    calls: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        calls.append(seconds)

    monkeypatch.setattr(prefer, "sleep", fake_sleep)
    return calls


def example(spec, ref: str):
    """The value of a named example in the spec, as the spec writes it."""
    return spec.resolve({"$ref": ref})["value"]


# -- forced responses ------------------------------------------------------------------------

FORCED = [
    ("code=404 on the list", "/users/", "code=404", 404, INVALID_PAGE),
    (
        "code=404 on a user",
        "/users/7/",
        "code=404",
        404,
        {"detail": "No User matches the given query."},
    ),
    ("code and example", "/users/7/", "code=404, example=not_found", 404, {"detail": "Not found."}),
    (
        "code=400 first example",
        "/users/",
        "code=400",
        400,
        {"id": ["Enter a number."], "modified_date__gt": ["Enter a valid date/time."]},
    ),
    (
        "code=400 named",
        "/users/",
        "code=400;x=1, example=unknown_group",
        400,
        {"groups": ["Select a valid choice. 99 is not one of the available choices."]},
    ),
    ("code=401", "/users/", "code=401", 401, NOT_PROVIDED),
    (
        "code=401 named",
        "/users/3/",
        "code=401, example=inactive",
        401,
        {"detail": "User inactive or deleted."},
    ),
    ("code=406", "/users/", "code=406", 406, NOT_ACCEPTABLE),
    ("code=503", "/users/", "code=503", 503, UNAVAILABLE),
    ("example=empty", "/users/", "example=empty", 200, EMPTY_PAGE),
    ("names any case, quoted value", "/users/", 'CODE="404"', 404, INVALID_PAGE),
    (
        "unknown preferences ignored",
        "/users/",
        "return=minimal, code=406, respond-async",
        406,
        NOT_ACCEPTABLE,
    ),
    ("first of a repeated name", "/users/", "code=404, code=401", 404, INVALID_PAGE),
]


@pytest.mark.parametrize(
    ("path", "header", "status", "body"),
    [case[1:] for case in FORCED],
    ids=[case[0] for case in FORCED],
)
def test_prefer_header_forces_a_documented_response(client, path, header, status, body):
    response = client.get(path, headers={**AUTH, "Prefer": header})
    assert (response.status_code, response.json()) == (status, body)
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("path", "header", "ref"),
    [
        ("/users/", "code=200", LIST_200),
        ("/users/7/", "code=200", "#/components/examples/staff_user"),
        ("/users/7/", "example=customer_user", "#/components/examples/customer_user"),
    ],
    ids=["code=200 list: first example", "code=200 user: first example", "example= of the 200"],
)
def test_forced_200_is_the_spec_example(client, spec, path, header, ref):
    response = client.get(path, headers={**AUTH, "Prefer": header})
    assert response.status_code == 200
    assert response.json() == example(spec, ref)


def test_every_documented_response_and_example_can_be_forced(spec):
    """Each (operation, code, example) the spec lists passes Connexion's response validation."""
    client = make_client(make_state(users=5, validate_responses=True))
    paths = {"users_list": "/users/", "users_retrieve": "/users/1/"}
    asked = 0
    for op in spec.operations:
        path = paths[op.operation_id]
        for code, response in op.answers.items():
            for name in response["content"]["application/json"]["examples"]:
                got = client.get(path, headers={**AUTH, "Prefer": f"code={code}, example={name}"})
                assert got.status_code == int(code), (path, code, name, got.text)
                asked += 1
    assert asked >= 20


def test_forced_401_carries_the_token_challenge(client):
    response = client.get("/users/", headers={**AUTH, "Prefer": "code=401"})
    assert response.headers["www-authenticate"] == "Token"


@pytest.mark.parametrize(
    ("header", "applied"),
    [
        ("code=404", "code=404"),
        ("example=empty", "example=empty"),
        ("delay=5, code=404, example=invalid_page", "code=404, example=invalid_page, delay=5"),
    ],
    ids=["code", "example alone", "all three, in a fixed order"],
)
def test_preference_applied_names_what_was_asked(client, slept, header, applied):
    response = client.get("/users/", headers={**AUTH, "Prefer": header})
    assert response.headers["preference-applied"] == applied


def test_no_preference_no_preference_applied(client):
    response = client.get("/users/?limit=1", headers=AUTH)
    assert response.status_code == 200
    assert "preference-applied" not in response.headers


def test_head_forced_has_no_body_but_the_length():
    # Served mode only: with validate_responses, Connexion reads HEAD's empty body as null
    # and answers 500 for every HEAD (a bug of the validated pipeline, not of Prefer).
    client = make_client(make_state(users=5))
    get = client.get("/users/", headers={**AUTH, "Prefer": "code=404"})
    head = client.head("/users/", headers={**AUTH, "Prefer": "code=404"})
    assert (head.status_code, head.content) == (404, b"")
    assert head.headers["content-length"] == str(len(get.content))


# -- the query-parameter form ------------------------------------------------------------------

QUERY = [
    ("__code", "/users/?__code=404", {}, 404, INVALID_PAGE),
    (
        "__code and __example",
        "/users/7/?__code=401&__example=invalid_token",
        {},
        401,
        {"detail": "Invalid token."},
    ),
    ("__example alone", "/users/?__example=empty", {}, 200, EMPTY_PAGE),
    ("query wins over header", "/users/?__code=406", {"Prefer": "code=404"}, 406, NOT_ACCEPTABLE),
    ("last value wins", "/users/?__code=401&__code=404", {}, 404, INVALID_PAGE),
    ("percent-encoded name", "/users/?%5F%5Fcode=404", {}, 404, INVALID_PAGE),
    (
        "header and query combine",
        "/users/7/?__example=not_found",
        {"Prefer": "code=404"},
        404,
        {"detail": "Not found."},
    ),
]


@pytest.mark.parametrize(
    ("url", "headers", "status", "body"),
    [case[1:] for case in QUERY],
    ids=[case[0] for case in QUERY],
)
def test_query_parameters_force_a_documented_response(client, url, headers, status, body):
    response = client.get(url, headers={**AUTH, **headers})
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    "name", ["__codes", "__foo", "_code", "code", "__"], ids=lambda n: n or "empty"
)
def test_strict_mode_still_rejects_other_unknown_parameters(client, name):
    response = client.get(f"/users/?{name}=404", headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {
        name: ["Unknown query parameter; the spec does not declare it for this operation."]
    }


def test_query_controls_work_in_lenient_mode():
    client = make_client(make_state(users=5, lenient=True))
    response = client.get("/users/?__code=404", headers=AUTH)
    assert (response.status_code, response.json()) == (404, INVALID_PAGE)


@pytest.mark.parametrize("operation", ["users_list", "users_retrieve"])
def test_the_mock_adds_its_controls_to_both_operations(spec, operation):
    """The controls and the 503 come from mockserver/mock.yaml, not from the contract."""
    op = spec.operation(operation)
    controls = {
        name: param.preference for name, param in op.query.items() if param.control == PREFER
    }
    assert controls == {"__code": "code", "__example": "example", "__delay": "delay"}
    assert "503" in op.answers and "503" not in op.responses
    contract = spec.raw["paths"][op.path]["get"]
    assert not [p for p in contract["parameters"] if "$ref" not in p and p["name"].startswith("__")]
    assert "503" not in contract["responses"]


# -- bad preferences: 400 listing what is allowed ----------------------------------------------

BAD = [
    (
        "undocumented code",
        "/users/",
        {"Prefer": "code=418"},
        {"Prefer": [f"code=418 is not documented for this operation; {DOCUMENTED}"]},
    ),
    (
        "code not a number",
        "/users/",
        {"Prefer": "code=abc"},
        {"Prefer": [f"code=abc is not a status; {DOCUMENTED}"]},
    ),
    (
        "code without a value",
        "/users/",
        {"Prefer": "code"},
        {"Prefer": [f"code is not a status; {DOCUMENTED}"]},
    ),
    (
        "unknown example",
        "/users/",
        {"Prefer": "example=nope"},
        {"Prefer": [f"example=nope is not an example of the 200 response; {LIST_EXAMPLES}"]},
    ),
    (
        "example of another code",
        "/users/",
        {"Prefer": "code=404, example=first_page"},
        {
            "Prefer": [
                "example=first_page is not an example of the 404 response; examples: invalid_page."
            ]
        },
    ),
    ("negative delay", "/users/", {"Prefer": "delay=-1"}, {"Prefer": [f"delay=-1 {NOT_MS}"]}),
    (
        "delay over the bound",
        "/users/",
        {"Prefer": "delay=60001"},
        {"Prefer": [f"delay=60001 {NOT_MS}"]},
    ),
    ("fractional delay", "/users/", {"Prefer": "delay=1.5"}, {"Prefer": [f"delay=1.5 {NOT_MS}"]}),
    (
        "every problem at once",
        "/users/",
        {"Prefer": "code=418, delay=x"},
        {
            "Prefer": [
                f"code=418 is not documented for this operation; {DOCUMENTED}",
                f"delay=x {NOT_MS}",
            ]
        },
    ),
    (
        "__code undocumented",
        "/users/7/?__code=302",
        {},
        {"__code": [f"__code=302 is not documented for this operation; {DOCUMENTED}"]},
    ),
    ("__code empty", "/users/?__code=", {}, {"__code": [f"__code= is not a status; {DOCUMENTED}"]}),
    (
        "__delay and header code",
        "/users/?__delay=soon",
        {"Prefer": "code=999"},
        {
            "Prefer": [f"code=999 is not documented for this operation; {DOCUMENTED}"],
            "__delay": [f"__delay=soon {NOT_MS}"],
        },
    ),
]


@pytest.mark.parametrize(
    ("url", "headers", "body"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_preferences_are_400_listing_what_is_allowed(client, slept, url, headers, body):
    response = client.get(url, headers={**AUTH, **headers})
    assert (response.status_code, response.json()) == (400, body)
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert slept == []


# -- what comes first: content negotiation and the token -----------------------------------------

FIRST = [
    ("no token", {"Prefer": "code=404"}, 401, NOT_PROVIDED),
    (
        "unknown token, bad preference",
        {"Authorization": "Token " + "0" * 40, "Prefer": "code=418"},
        401,
        {"detail": "Invalid token."},
    ),
    (
        "inactive user",
        {"Authorization": f"Token {INACTIVE_KEY}", "Prefer": "code=200"},
        401,
        {"detail": "User inactive or deleted."},
    ),
    ("no token, a delay", {"Prefer": "delay=500"}, 401, NOT_PROVIDED),
    (
        "Accept without JSON",
        {**AUTH, "Accept": "text/html", "Prefer": "code=404"},
        406,
        NOT_ACCEPTABLE,
    ),
]


@pytest.mark.parametrize(
    ("headers", "status", "body"), [case[1:] for case in FIRST], ids=[case[0] for case in FIRST]
)
def test_negotiation_and_token_come_before_any_preference(client, slept, headers, status, body):
    response = client.get("/users/", headers=headers)
    assert (response.status_code, response.json()) == (status, body)
    assert "preference-applied" not in response.headers
    assert slept == []


def test_customer_token_is_enough(client):
    headers = {"Authorization": f"Token {CUSTOMER_KEY}", "Prefer": "code=404"}
    response = client.get("/users/", headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [("OPTIONS", "/users/", 200), ("GET", "/nothing/", 404), ("GET", "/users", 301)],
    ids=["OPTIONS metadata", "unknown path", "missing slash"],
)
def test_preferences_leave_other_requests_alone(client, method, url, status):
    response = client.request(method, url, headers={**AUTH, "Prefer": "code=503"})
    assert response.status_code == status
    assert "preference-applied" not in response.headers


# -- delay -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "header", "seconds", "status"),
    [
        ("/users/?limit=1", "delay=800", [0.8], 200),
        ("/users/?limit=1&__delay=250", "", [0.25], 200),
        ("/users/", "code=401, delay=100", [0.1], 401),
        ("/users/7/", "delay=60000", [60.0], 200),
        ("/users/?limit=1", "delay=0", [], 200),
    ],
    ids=["header", "query", "with a code", "the bound", "zero: no sleep"],
)
def test_delay_awaits_the_asked_duration(client, slept, url, header, seconds, status):
    headers = {**AUTH, "Prefer": header} if header else AUTH
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert slept == seconds


def test_delayed_answer_is_the_normal_one_and_links_keep_the_control(client, slept):
    delayed = client.get("/users/?limit=1&__delay=5", headers=AUTH).json()
    plain = client.get("/users/?limit=1", headers=AUTH).json()
    assert delayed["results"] == plain["results"]
    assert delayed["next"] == "http://testserver/users/?__delay=5&limit=1&page=2"


# -- the header parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "parsed"),
    [
        (["code=404"], {"code": "404"}),
        (["code=404, example=empty", "delay=5"], {"code": "404", "example": "empty", "delay": "5"}),
        (['Example="first_page"'], {"example": "first_page"}),
        (["code=404; foo=bar"], {"code": "404"}),
        (["code"], {"code": None}),
        (["return=minimal, handling=strict"], {}),
        (["code=404", "code=401"], {"code": "404"}),
        ([""], {}),
    ],
    ids=["one", "several", "quoted", "parameters", "no value", "unknown", "first wins", "empty"],
)
def test_parse_header(values, parsed):
    assert prefer.parse_header(values) == parsed


def test_choice_errors_use_drf_validation_shape(spec):
    op = spec.operation("users_retrieve")
    with pytest.raises(Exception) as caught:
        prefer.choose(op, {"code": ("Prefer", "418")})
    assert orjson.loads(orjson.dumps(caught.value.body)) == {
        "Prefer": [f"code=418 is not documented for this operation; {DOCUMENTED}"]
    }
