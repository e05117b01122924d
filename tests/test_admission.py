"""Admission, in DRF's order: the format override (404), the Accept header (406), then the
view's authenticators (401/403)."""

from __future__ import annotations

import pytest
from helpers_api import STAFF_KEY, make_state

from mockserver.errors import ApiError
from mockserver.http import admission, exchange


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        pytest.param(None, True, id="no Accept"),
        pytest.param(b"application/json", True, id="JSON"),
        pytest.param(b"text/html, */*;q=0.1", True, id="anything, at last"),
        pytest.param(b"application/*", True, id="any application type"),
        pytest.param(b"APPLICATION/JSON; indent=2", True, id="case and parameters"),
        pytest.param(b"text/html", False, id="HTML only"),
        pytest.param(b"application/xml, text/csv", False, id="no JSON among them"),
    ],
)
def test_negotiate(accept, ok):
    if ok:
        assert admission.negotiate(accept) is None
    else:
        with pytest.raises(ApiError) as caught:
            admission.negotiate(accept)
        assert (caught.value.status, caught.value.body) == (
            406,
            {"detail": "Could not satisfy the request Accept header."},
        )


@pytest.fixture(scope="module")
def lenient():
    return make_state(size=5, lenient=True, access_log=False)


def _exchange(state, path: str, query: bytes = b"", headers=()):
    scope = {"path": path, "headers": list(headers), "query_string": query}
    return exchange.of(scope, state)


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        pytest.param("/users/", b"format=json", None, id="format json"),
        pytest.param("/users/", b"format=", None, id="an empty format"),
        pytest.param("/users/", b"format=xml", 404, id="another format"),
        pytest.param("/users/", b"format=xml&format=json", None, id="the last wins"),
        pytest.param("/users.json", b"", None, id="a json suffix"),
        pytest.param("/users/3.api", b"", 404, id="another suffix"),
    ],
)
def test_format_override(lenient, path, query, status):
    found = _exchange(lenient, path, query)
    if status is None:
        assert admission.format_override(found) is None
    else:
        with pytest.raises(ApiError) as caught:
            admission.format_override(found)
        assert (caught.value.status, caught.value.body) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        pytest.param([(b"authorization", f"Token {STAFF_KEY}".encode())], None, 1, id="in"),
        pytest.param(
            [],
            401,
            {"detail": "Authentication credentials were not provided."},
            id="no credential",
        ),
        pytest.param(
            [(b"accept", b"text/html")],
            406,
            {"detail": "Could not satisfy the request Accept header."},
            id="406 before 401",
        ),
    ],
)
def test_admit(lenient, headers, status, body):
    found = _exchange(lenient, "/users/", b"", headers)
    if status is None:
        assert admission.admit(lenient, found) == body  # the credential's owner
        return
    with pytest.raises(ApiError) as caught:
        admission.admit(lenient, found)
    assert (caught.value.status, caught.value.body) == (status, body)


def test_the_format_comes_before_the_accept_header(lenient):
    found = _exchange(lenient, "/users/", b"format=xml", [(b"accept", b"text/html")])
    with pytest.raises(ApiError) as caught:
        admission.admit(lenient, found)
    assert caught.value.status == 404


def test_a_method_a_path_does_not_document_has_its_views_authenticators():
    """Found by Schemathesis: TRACE on simplejwt's POST-only token view, which has no
    authenticator, was 401 (a token asked for) where DRF answers 405 to anyone."""
    from helpers_drf import SERVICE_DIR

    state = make_state(spec=str(SERVICE_DIR / "openapi.yaml"), size=3, access_log=False)
    assert admission.admit(state, _exchange(state, "/api/token/")) is None  # anonymous
    with pytest.raises(ApiError) as caught:
        admission.admit(state, _exchange(state, "/products/"))
    assert caught.value.status == 401
