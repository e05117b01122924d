"""The write differential: the same scenarios of creates, updates and deletes sent to the mock
(lenient mode, the read differential's spec, overlay, size and seed) and to the real DRF
service (tests/drfservice) loaded with the mock's export, compared request by request.

Each scenario starts from the loaded data on both sides: the service's SQLite file is copied
back from a pristine copy (Django opens a connection per request, so no connection holds the
old file), the mock's session is reset with `DELETE /__mock/state`. Per request the status,
the body, `Content-Type`, `Allow`, `Location` and `WWW-Authenticate` must be identical. A
time the server sets during the scenario (`created`, `updated`) is masked by its shape
(`2026-01-02T03:04:05.123456Z` is `<now 9999-99-99T99:99:99.999999Z>`): both must be the
request's time, written as DRF writes it; every other time is compared as is. Floats are
compared by their text (`4.0` is not `4`).

The scenarios are data (SCENARIOS): requests with the status DRF answers, checked on the
service alone (test_the_service_answers_each_scenario_as_written), so that each scenario
shows what its name says. Placeholders (`{new}`, `{p}`, `{taken_sku}`, ...) are filled from
the export and, for `{new}`, from the side's own last 201 answer.

New keys: Django's SQLite backend declares an AutoField `integer PRIMARY KEY AUTOINCREMENT`,
so a deleted last key is never handed out again, as a PostgreSQL sequence (which DRF services
run on) does not; the scenario "the key of a deleted last product is not reused" shows it.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import httpx
import pytest
from helpers_drf import TOKEN, DrfService, differential_mock, export

pytestmark = pytest.mark.slow

HEADERS = ("content-type", "allow", "location", "www-authenticate")
BOUNDARY = "writes-differential-boundary"
WINDOW = timedelta(seconds=2)  # a server-set time lies within the scenario, give or take
EXPORTED = ("/products/", "/categories/", "/tags/", "/reviews/")


class Step(NamedTuple):
    """One request and the status DRF answers it with.

    `kind`: how `body` is sent: "json" (serialized), "form" (urlencoded; a list is a
    repeated key), "multipart", "raw" (text as is, `Content-Type` from `headers`), "none"
    (no body at all). `auth`: True for the token, False for no `Authorization`, or the
    header's own value.
    """

    method: str
    target: str
    status: int
    body: object = None
    kind: str = "none"
    auth: bool | str = True
    headers: dict = {}  # noqa: RUF012 (a NamedTuple's default, never mutated)


class Scenario(NamedTuple):
    name: str
    steps: list[Step]


# A valid new product: every writable field, in the serializer's order.
NEW = {
    "name": "Writes differential lamp",
    "slug": "writes-lamp",
    "description": "A desk lamp made by the write differential.",
    "sku": "0b0e6bde-1111-4000-8000-000000000001",
    "price": "19.90",
    "stock": 5,
    "is_available": True,
    "status": "active",
    "category": "{category}",
    "tags": ["{tag}", "{tag2}"],
    "email": "lamp@example.com",
    "website": "https://example.com/lamp",
    "released": "2024-05-01",
    "rating": 4.5,
}
# The same as form fields (urlencoded or multipart): text only, a list as repeated keys.
FORM = {
    "name": "Form lamp",
    "slug": "form-lamp",
    "description": "Sent as a form.",
    "sku": "0b0e6bde-2222-4000-8000-000000000002",
    "price": "7.5",
    "stock": "3",
    "is_available": "true",
    "status": "draft",
    "category": "{category}",
    "tags": ["{tag}", "{tag2}"],
    "email": "form@example.com",
    "website": "",
    "released": "2023-02-03",
    "rating": "2.5",
}
REQUIRED = ("name", "slug", "sku", "price", "stock", "is_available", "status", "email")


def new(**changes) -> dict:
    """NEW with some fields changed; a value of `...` leaves the field out."""
    body = {**NEW, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def form(**changes) -> dict:
    body = {**FORM, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def get(target: str, status: int = 200, **options) -> Step:
    return Step("GET", target, status, **options)


def post(body, status: int, kind: str = "json", target: str = "/products/", **options) -> Step:
    return Step("POST", target, status, body, kind, **options)


def put(target: str, body, status: int, kind: str = "json", **options) -> Step:
    return Step("PUT", target, status, body, kind, **options)


def patch(target: str, body, status: int, kind: str = "json", **options) -> Step:
    return Step("PATCH", target, status, body, kind, **options)


def delete(target: str, status: int = 204, **options) -> Step:
    return Step("DELETE", target, status, **options)


def options(target: str, status: int = 200, **more) -> Step:
    return Step("OPTIONS", target, status, **more)


# What a create is read back through: the newest first, filters, search, ordering, pages.
NEWEST = "/products/?ordering=-id&page_size=2"
READ_BACK = [
    get("/products/{new}/"),
    get(NEWEST),
    get("/products/?page_size=1"),  # the count
    get("/products/?page=3"),  # 41 products: the third page of 20 has the new one
    get("/products/?search=lamp"),
    get("/products/?name__icontains=WRITES"),
    get("/products/?status=active&ordering=-id&page_size=3"),
    get("/products/?tags={tag2}&ordering=-id&page_size=3"),
    get("/products/?category={category}"),
    get("/products/?price__gte=19.90&price__lte=19.90"),
    get("/products/?sku=0b0e6bde-1111-4000-8000-000000000001"),
    get("/products/?released__isnull=false&ordering=-released&page_size=2"),
    get("/products/?ordering=-updated&page_size=2"),
    get("/products/?ordering=name&page_size=3&search=writes"),
    get("/products/?id__gt={last}"),
    get("/categories/{category_slug}/products/?ordering=-id&page_size=2"),
]
# Nothing was created: the list's newest and its count.
NOTHING_NEW = [get(NEWEST), get("/products/?page_size=1")]

SCENARIOS = [
    # Creates and what reads see of them.
    Scenario("a create answers 201 and every read sees it", [post(NEW, 201), *READ_BACK]),
    Scenario(
        "a create with only the required fields: the optional ones null or empty",
        [post({k: NEW[k] for k in REQUIRED}, 201), get("/products/{new}/")],
    ),
    Scenario(
        "read-only fields and unknown keys are ignored",
        [
            post(
                new(
                    id=999,
                    created="2000-01-01T00:00:00Z",
                    updated="2000-01-01T00:00:00Z",
                    colour="red",
                ),
                201,
            ),
            get("/products/999/", 404),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "values DRF converts: a number as text, a decimal padded, trimmed text, 'yes'",
        [
            post(
                new(
                    stock="7",
                    price=19.9,
                    rating="4",
                    name="  padded lamp  ",
                    email=" lamp@example.com ",
                    is_available="yes",
                    category="{category_text}",
                ),
                201,
            ),
            post(
                new(
                    sku="0b0e6bde-1111-4000-8000-000000000003",
                    price="1e2",
                    rating=3,
                    tags=[],
                    category=None,
                    released=None,
                    description="",
                ),
                201,
            ),
            get(NEWEST),
        ],
    ),
    Scenario(
        "a sku written in capitals or without dashes is stored as a UUID",
        [
            post(new(sku="0B0E6BDE-1111-4000-8000-0000000000AA"), 201),
            post(new(sku="0b0e6bde111140008000000000000bbb"), 201),
            get(NEWEST),
        ],
    ),
    Scenario(
        "unicode text is kept",
        [
            post(new(name="Lampe à café ☕", description="Ünïcödé ß"), 201),
            get("/products/?search=caf%C3%A9"),
            get("/products/?name__icontains=%C3%80"),
        ],
    ),
    Scenario(
        "the key of a deleted last product is not reused",
        [
            delete("/products/{last}/"),
            post(NEW, 201),
            get("/products/{new}/"),
            delete("/products/{new}/"),
            post(new(sku="0b0e6bde-1111-4000-8000-000000000004"), 201),
            get(NEWEST),
        ],
    ),
    Scenario(
        "two creates get consecutive keys",
        [
            post(NEW, 201),
            post(new(sku="0b0e6bde-1111-4000-8000-000000000005"), 201),
            get("/products/?id__gt={last}"),
        ],
    ),
    # Every invalid field kind.
    Scenario(
        "required fields missing: every one at once, in the serializer's order",
        [
            post({}, 400),
            post({"name": "Only a name"}, 400),
            post({"description": "x", "rating": 1}, 400),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "null: refused where not nullable, kept where it is",
        [
            post(
                new(
                    name=None,
                    price=None,
                    stock=None,
                    is_available=None,
                    status=None,
                    tags=None,
                    email=None,
                    sku=None,
                    slug=None,
                ),
                400,
            ),
            post(new(description=None, website=None), 400),
            post(new(category=None, released=None, rating=None), 201),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "blank: refused by a required string, kept by an optional one",
        [
            post(new(name="", slug="", email=""), 400),
            post(new(name="   "), 400),
            post(new(status=""), 400),
            post(new(price="", stock="", sku=""), 400),
            post(new(released="", rating=""), 400),
            # A relation reads "" as null (RelatedField.run_validation), where nullable.
            post(new(category="", sku="0b0e6bde-1111-4000-8000-000000000007"), 201),
            post(new(description="", website=""), 201),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "too long",
        [
            post(new(name="n" * 81), 400),
            post(new(slug="s" * 81), 400),
            post(new(email="e" * 250 + "@x.com"), 400),
            post(new(name="n" * 80), 201),
        ],
    ),
    Scenario(
        "a bad choice",
        [
            post(new(status="archived"), 400),
            post(new(status="Active"), 400),
            post(new(status=1), 400),
            post(new(status=["active"]), 400),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "a bad email, URL, slug and UUID; an integer is a UUID",
        [
            post(new(email="not-an-email"), 400),
            post(new(email="a@b"), 400),
            post(new(website="not a url"), 400),
            post(
                new(website="ftp://example.com/x", sku="0b0e6bde-1111-4000-8000-000000000008"), 201
            ),
            post(new(slug="bad slug!"), 400),
            post(new(sku="nope"), 400),
            # UUIDField reads an integer as UUID(int=...): 12 is ...00000000000c.
            post(new(sku=12), 201),
        ],
    ),
    Scenario(
        "a bad decimal: not a number, too many digits, places, whole digits",
        [
            post(new(price="abc"), 400),
            post(new(price="123456789"), 400),
            post(new(price="1.234"), 400),
            post(new(price="1234567.1"), 400),
            post(new(price="NaN"), 400),
            post(new(price=True), 400),
            post(new(price="-5"), 201),
        ],
    ),
    Scenario(
        "a bad integer and a bad float, below and above their bounds",
        [
            post(new(stock="abc"), 400),
            post(new(stock=1.5), 400),
            post(new(stock=-1), 400),
            post(new(stock=10**20), 400),
            post(new(rating="abc"), 400),
            post(new(rating=6), 400),
            post(new(rating=-0.5), 400),
            post(new(stock=2.0, rating=0), 201),
        ],
    ),
    Scenario(
        "a bad boolean",
        [
            post(new(is_available="maybe"), 400),
            post(new(is_available=2), 400),
            post(new(is_available=None), 400),
            post(new(is_available="0"), 201),
        ],
    ),
    Scenario(
        "a bad date",
        [
            post(new(released="2024-13-01"), 400),
            post(new(released="01/05/2024"), 400),
            post(new(released="not-a-date"), 400),
            post(new(released=20240501), 400),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "a bad foreign key: unknown, text, boolean, object",
        [
            post(new(category=999999), 400),
            post(new(category="abc"), 400),
            post(new(category=True), 400),
            post(new(category={"id": 1}), 400),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "a bad many-to-many: not a list, unknown, wrong type",
        [
            post(new(tags="1,2"), 400),
            post(new(tags=[999999]), 400),
            post(new(tags=["{tag}", "abc"]), 400),
            post(new(tags=[None]), 400),
            post(new(tags={"a": 1}), 400),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "a bad string: a boolean, an object",
        [
            post(new(name=True), 400),
            post(new(name={"a": 1}), 400),
            post(new(name=["x"]), 400),
            post(new(name=123), 201),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "a unique value taken, by a create, a PUT and a PATCH of another product",
        [
            post(new(sku="{taken_sku}"), 400),
            post(new(sku="{taken_sku_upper}"), 400),
            put("/products/{p}/", new(sku="{taken_sku}"), 400),
            patch("/products/{p}/", {"sku": "{taken_sku}"}, 400),
            patch("/products/{p}/", {"sku": "{own_sku}"}, 200),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "every bad field at once",
        [
            post(
                {
                    "name": "",
                    "slug": "x y",
                    "sku": "nope",
                    "price": "1.001",
                    "stock": -3,
                    "is_available": "maybe",
                    "status": "gone",
                    "category": 999999,
                    "tags": "x",
                    "email": "nope",
                    "website": "nope",
                    "released": "nope",
                    "rating": 9,
                },
                400,
            ),
            *NOTHING_NEW,
        ],
    ),
    # Bodies that are not an object, and media types.
    Scenario(
        "a body that is not an object",
        [post([NEW], 400), post("a string", 400), post(3, 400), post(None, 400), *NOTHING_NEW],
    ),
    Scenario(
        "malformed JSON",
        [
            post('{"name": }', 400, "raw", headers={"Content-Type": "application/json"}),
            post("{'name': 1}", 400, "raw", headers={"Content-Type": "application/json"}),
            post('{"name": "x",}', 400, "raw", headers={"Content-Type": "application/json"}),
            patch("/products/{p}/", "[", 400, "raw", headers={"Content-Type": "application/json"}),
            *NOTHING_NEW,
        ],
    ),
    # A body with no Content-Type is left out: runserver's wsgiref calls it text/plain (415),
    # gunicorn passes none and DRF reads no data at all (400, every field required).
    Scenario(
        "an empty JSON body reads as no fields",
        [post("", 400, "raw", headers={"Content-Type": "application/json"}), *NOTHING_NEW],
    ),
    Scenario(
        "an unsupported media type answers 415",
        [
            post(json.dumps(NEW), 415, "raw", headers={"Content-Type": "text/plain"}),
            post("<p/>", 415, "raw", headers={"Content-Type": "application/xml"}),
            patch("/products/{p}/", "x", 415, "raw", headers={"Content-Type": "text/plain"}),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "JSON with a charset parameter",
        [
            post(
                json.dumps(NEW),
                201,
                "raw",
                headers={"Content-Type": "application/json; charset=utf-8"},
            ),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "a form-urlencoded create: tags repeated, an empty optional field is null",
        [
            post(FORM, 201, "form"),
            get("/products/{new}/"),
            get("/products/?tags={tag}&ordering=-id&page_size=1"),
        ],
    ),
    Scenario(
        "a form without a boolean reads it as false, an empty category as null",
        [
            post(form(is_available=..., category="", released="", rating=""), 201, "form"),
            get("/products/{new}/"),
        ],
    ),
    Scenario(
        "a form with bad and missing fields",
        [
            post(form(name=..., stock="x", tags=["999999"], price=""), 400, "form"),
            post({}, 400, "form"),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "a multipart create",
        [
            post(FORM, 201, "multipart"),
            get("/products/{new}/"),
            post(form(sku="0b0e6bde-2222-4000-8000-000000000009", status="nope"), 400, "multipart"),
        ],
    ),
    # Updates.
    Scenario(
        "PUT of every field: 200, `updated` moves, `created` stays",
        [
            put("/products/{p}/", new(sku="{own_sku}"), 200),
            get("/products/{p}/"),
            get("/products/?ordering=-updated&page_size=1"),
            get("/products/?search=lamp"),
        ],
    ),
    Scenario(
        "PUT with required fields missing",
        [
            put("/products/{p}/", {"name": "Only a name"}, 400),
            put("/products/{p}/", {}, 400),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "PUT keeps the optional fields it omits",
        [
            put(
                "/products/{p}/",
                {k: NEW[k] for k in REQUIRED if k != "sku"} | {"sku": "{own_sku}"},
                200,
            ),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "PUT as a form, and PUT with a bad value",
        [
            put("/products/{p}/", form(sku="{own_sku}"), 200, "form"),
            put("/products/{p}/", new(sku="{own_sku}", price="x"), 400),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "PATCH of some fields",
        [
            patch("/products/{p}/", {"price": "1.5", "tags": []}, 200),
            patch("/products/{p}/", {"category": None, "released": None, "rating": 0.5}, 200),
            get("/products/{p}/"),
            get("/products/?price=1.50"),
            get("/products/?category__isnull=true&ordering=-updated&page_size=1"),
        ],
    ),
    Scenario(
        "PATCH with nothing, with read-only and unknown keys only",
        [
            patch("/products/{p}/", {}, 200),
            patch("/products/{p}/", {"id": 5, "created": "2000-01-01T00:00:00Z", "x": 1}, 200),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "PATCH with bad values, blank and null",
        [
            patch("/products/{p}/", {"name": ""}, 400),
            patch("/products/{p}/", {"name": None, "stock": "x"}, 400),
            patch("/products/{p}/", {"tags": "{tag}"}, 400),
            patch("/products/{p}/", {"status": "x", "email": "x"}, 400),
            patch("/products/{p}/", [1], 400),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "PATCH as a form leaves the fields it omits",
        [
            patch("/products/{p}/", {"name": "Form patched", "stock": "9"}, 200, "form"),
            patch("/products/{p}/", {"tags": ["{tag}"]}, 200, "multipart"),
            get("/products/{p}/"),
        ],
    ),
    Scenario(
        "create then edit then read",
        [
            post(NEW, 201),
            patch("/products/{new}/", {"name": "Renamed lamp"}, 200),
            put("/products/{new}/", new(status="retired"), 200),
            get("/products/{new}/"),
            get("/products/?status=retired&ordering=-id&page_size=1"),
            get("/products/?search=Renamed"),
        ],
    ),
    # Deletes.
    Scenario(
        "DELETE: 204 with no body, then 404, and the lists no longer have it",
        [
            delete("/products/{p}/"),
            get("/products/{p}/", 404),
            get("/products/?page_size=1"),
            get("/products/?id__lte={p}&ordering=-id&page_size=2"),
            get("/categories/{p_category_slug}/products/"),
        ],
    ),
    Scenario(
        "DELETE twice: the second answers 404",
        [
            delete("/products/{p}/"),
            delete("/products/{p}/", 404),
            put("/products/{p}/", NEW, 404),
            patch("/products/{p}/", {}, 404),
        ],
    ),
    Scenario(
        "DELETE cascades to the product's reviews",
        [
            get("/reviews/?product={p}"),
            delete("/products/{p}/"),
            # django-filter's ModelChoiceFilter: a product that no longer exists is no choice.
            get("/reviews/?product={p}", 400),
            get("/reviews/?page_size=100"),
        ],
    ),
    Scenario(
        "a created product deleted",
        [
            post(NEW, 201),
            delete("/products/{new}/"),
            get("/products/{new}/", 404),
            get("/products/?page_size=1"),
        ],
    ),
    # Unknown keys, no token, methods.
    Scenario(
        "an unknown key: PUT, PATCH and DELETE answer 404 before reading the body",
        [
            put("/products/999999/", NEW, 404),
            patch("/products/999999/", {"name": "x"}, 404),
            delete("/products/999999/", 404),
            put("/products/abc/", NEW, 404),
            patch("/products/999999/", "x", 404, "raw", headers={"Content-Type": "text/plain"}),
            patch(
                "/products/999999/", "{", 404, "raw", headers={"Content-Type": "application/json"}
            ),
        ],
    ),
    Scenario(
        "no token, and a bad one: 401 before the body is read",
        [
            post(NEW, 401, auth=False),
            post("x", 401, "raw", auth=False, headers={"Content-Type": "text/plain"}),
            put("/products/{p}/", NEW, 401, auth=False),
            patch("/products/{p}/", {"name": "x"}, 401, auth=False),
            delete("/products/{p}/", 401, auth=False),
            delete("/products/999999/", 401, auth=False),
            post(NEW, 401, auth="Token nope"),
            patch("/products/{p}/", {}, 401, auth="Token"),
            get("/products/{p}/"),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "OPTIONS on the list and a detail: the writes' fields",
        [
            options("/products/"),
            options("/products/{p}/"),
            options("/products/999999/"),
            options("/products/", 401, auth=False),
        ],
    ),
    Scenario(
        "methods the route does not allow answer 405",
        [
            put("/products/", NEW, 405),
            patch("/products/", {}, 405),
            delete("/products/", 405),
            post(NEW, 405, target="/products/{p}/"),
            post(NEW, 405, target="/products/{p}/summary/"),
            post(NEW, 405, target="/categories/{category_slug}/products/"),
            *NOTHING_NEW,
        ],
    ),
    Scenario(
        "negotiation and paths around a write",
        [
            post(NEW, 406, headers={"Accept": "text/html"}),
            post(NEW, 201, headers={"Accept": "application/json"}),
            post(new(sku="0b0e6bde-1111-4000-8000-000000000006"), 301, target="/products"),
            get(NEWEST),
        ],
    ),
]


def _context(exports: dict[str, list[dict]]) -> dict[str, object]:
    """The placeholders' values, from the export."""
    products = exports["/products/"]
    reviews = exports["/reviews/"]
    categories = {c["id"]: c for c in exports["/categories/"]}
    tags = exports["/tags/"]
    # A product with reviews and a category, to show the cascade and the nested list.
    p = next(
        r
        for r in products
        if r["category"] is not None and any(v["product"] == r["id"] for v in reviews)
    )
    taken = next(r for r in products if r["id"] != p["id"])
    category = categories[products[0]["category"] or next(iter(categories))]
    return {
        "{p}": p["id"],
        "{p_category_slug}": categories[p["category"]]["slug"],
        "{own_sku}": p["sku"],
        "{taken_sku}": taken["sku"],
        "{taken_sku_upper}": taken["sku"].upper(),
        "{last}": max(r["id"] for r in products),
        "{category}": category["id"],
        "{category_text}": str(category["id"]),
        "{category_slug}": category["slug"],
        "{tag}": tags[0]["id"],
        "{tag2}": tags[1]["id"],
    }


def _fill(value, context: dict):
    """`value` with its placeholders replaced: a whole-string placeholder by its typed value."""
    if isinstance(value, str):
        if value in context:
            return context[value]
        for name, replacement in context.items():
            value = value.replace(name, str(replacement))
        return value
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    return value


def _form_pairs(body: dict) -> list[tuple[str, str]]:
    return [
        (key, str(item))
        for key, value in body.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def _multipart(body: dict) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in _form_pairs(body)
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _request(step: Step, context: dict) -> tuple[str, str, dict, bytes | None]:
    """(method, target, headers, content) of a step, placeholders filled."""
    headers = dict(step.headers)
    if step.auth is True:
        headers["Authorization"] = f"Token {TOKEN}"
    elif step.auth:
        headers["Authorization"] = step.auth
    body = _fill(step.body, context)
    content = None
    if step.kind == "json":
        content = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif step.kind == "form":
        content = urlencode(_form_pairs(body)).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif step.kind == "multipart":
        content = _multipart(body)
        headers.setdefault("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    elif step.kind == "raw":
        content = body.encode()
    return step.method, _fill(step.target, context), headers, content


_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _masked(value, window: tuple[datetime, datetime]):
    """`value` with each `created`/`updated` time inside `window` replaced by its shape."""
    if isinstance(value, list):
        return [_masked(v, window) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in ("created", "updated") and isinstance(item, str) and _TIME.fullmatch(item):
            moment = datetime.fromisoformat(item.replace("Z", "+00:00"))
            if window[0] <= moment <= window[1]:
                item = "<now " + re.sub(r"\d", "9", item) + ">"
        out[key] = _masked(item, window)
    return out


class Answer(NamedTuple):
    status: int
    body: object
    headers: dict


def _answer(response: httpx.Response, origin: str, window) -> Answer:
    text = response.text.replace(origin, "ORIGIN")
    kind = response.headers.get("content-type", "")
    body = text
    if "json" in kind and text:
        # Floats by their text: DRF writes a FloatField's 4 as 4.0.
        body = _masked(json.loads(text, parse_float=lambda s: f"<float {s}>"), window)
    headers = {name: response.headers.get(name) for name in HEADERS}
    if headers["location"]:
        headers["location"] = headers["location"].replace(origin, "ORIGIN")
    return Answer(response.status_code, body, headers)


def run(client: httpx.Client, origin: str, scenario: Scenario, context: dict) -> list[Answer]:
    """The answers of `origin` to the scenario's requests, in order; `{new}` is the key of
    this side's last 201 answer."""
    context = dict(context)
    start = datetime.now(UTC) - WINDOW
    answers = []
    for step in scenario.steps:
        method, target, headers, content = _request(step, context)
        response = client.request(method, origin + target, headers=headers, content=content)
        answers.append(_answer(response, origin, (start, datetime.now(UTC) + WINDOW)))
        if response.status_code == 201:
            context["{new}"] = response.json()["id"]
    return answers


class Servers(NamedTuple):
    service: DrfService
    pristine: Path


@pytest.fixture(scope="module")
def exports() -> dict[str, list[dict]]:
    return {path: export(path) for path in EXPORTED}


@pytest.fixture(scope="module")
def context(exports) -> dict:
    return _context(exports)


@pytest.fixture(scope="module")
def service(exports, tmp_path_factory):
    with DrfService(exports, TOKEN) as service:
        pristine = tmp_path_factory.mktemp("pristine") / "db.sqlite3"
        shutil.copyfile(service.db, pristine)
        yield Servers(service, pristine)


@pytest.fixture(scope="module")
def mock():
    server = differential_mock()
    try:
        yield server.origin
    finally:
        server.stop()


def reset_service(servers: Servers) -> None:
    """The loaded database back: Django holds no connection between requests."""
    shutil.copyfile(servers.pristine, servers.service.db)


def reset_mock(client: httpx.Client, origin: str) -> None:
    response = client.delete(f"{origin}/__mock/state")
    assert response.status_code in (200, 204), (
        f"DELETE /__mock/state answered {response.status_code}: {response.text[:200]}"
    )


def test_the_scenarios_are_many():
    requests = sum(len(s.steps) for s in SCENARIOS)
    assert len(SCENARIOS) >= 40 and requests >= 200
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS)


def test_the_service_answers_each_scenario_as_written(service, context):
    """Each request gets the status its scenario says DRF answers, from the loaded data."""
    wrong = []
    with httpx.Client(timeout=30) as client:
        for scenario in SCENARIOS:
            reset_service(service)
            answers = run(client, service.service.url, scenario, context)
            for step, got in zip(scenario.steps, answers, strict=True):
                if got.status != step.status:
                    wrong.append(
                        f"{scenario.name}: {step.method} {step.target} expected "
                        f"{step.status}, got {got.status} {got.body}"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_service_answers_the_same_after_a_reset(service, context):
    """Deterministic: every scenario twice, the database restored before each."""
    with httpx.Client(timeout=30) as client:
        for scenario in SCENARIOS:
            reset_service(service)
            first = run(client, service.service.url, scenario, context)
            reset_service(service)
            second = run(client, service.service.url, scenario, context)
            assert first == second, scenario.name


def test_the_mock_writes_as_the_real_service(service, mock, context):
    differences, total = [], 0
    with httpx.Client(timeout=30) as client:
        for scenario in SCENARIOS:
            reset_service(service)
            reset_mock(client, mock)
            real = run(client, service.service.url, scenario, context)
            mocked = run(client, mock, scenario, context)
            for step, a, b in zip(scenario.steps, real, mocked, strict=True):
                total += 1
                if a != b:
                    differences.append((scenario.name, step.method, step.target, a, b))
    print(
        f"write differential: {total - len(differences)}/{total} identical "
        f"in {len(SCENARIOS)} scenarios"
    )
    shown = "\n".join(
        f"{name}: {method} {target}\n  real: {a}\n  mock: {b}"
        for name, method, target, a, b in differences[:15]
    )
    assert not differences, f"{len(differences)} of {total} differ:\n{shown}"


def test_a_deleted_last_key_is_not_reused_by_the_service(service, context):
    """SQLite's AUTOINCREMENT, as a PostgreSQL sequence: the key after the largest ever."""
    reset_service(service)
    auth = {"Authorization": f"Token {TOKEN}"}
    url = service.service.url
    last = context["{last}"]
    assert httpx.delete(f"{url}/products/{last}/", headers=auth).status_code == 204
    created = httpx.post(f"{url}/products/", json=_fill(NEW, context), headers=auth)
    assert created.status_code == 201 and created.json()["id"] == last + 1
