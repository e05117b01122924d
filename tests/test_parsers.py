"""Request bodies as DRF's default parsers read them (mockserver/http/parsers.py).

The expected answers are the reference service's (tests/drfservice, DRF 3.18 on Django 5.2
under runserver), observed on its `/api/token/`; tests/test_logins.py's
test_the_reference_service_answers_alike (slow) sends the same bodies to it and to the
mock's parser and login view, and compares the answers.
"""

from __future__ import annotations

import json

import pytest

from mockserver.errors import ApiError
from mockserver.http.parsers import Upload, parse

JSON, FORM = "application/json", "application/x-www-form-urlencoded"
MULTI = "multipart/form-data; boundary=XX"


def part(name: str, value: bytes, extra: str = "") -> bytes:
    return (
        f'--XX\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()
        + value
        + b"\r\n"
    )


PARSED = [
    pytest.param(
        JSON,
        b'{"username":"api","password":"pw"}',
        {"username": "api", "password": "pw"},
        False,
        id="json object",
    ),
    pytest.param(JSON, b"[1]", [1], False, id="json list"),
    pytest.param(JSON, b"null", None, False, id="json null"),
    pytest.param(JSON, b'"x"', "x", False, id="json string"),
    pytest.param("APPLICATION/JSON", b"{}", {}, False, id="media type in capitals"),
    pytest.param(
        "application/json; charset=latin-1",
        b'{"a":"\xe9"}',
        {"a": "é"},
        False,
        id="latin-1 charset",
    ),
    pytest.param(
        "application/json; charset=nope", b'{"a":1}', {"a": 1}, False, id="unknown charset is utf-8"
    ),
    pytest.param("*/*", b"{}", {}, False, id="*/* reaches JSONParser"),
    pytest.param("application/*", b"{}", {}, False, id="application/* reaches JSONParser"),
    pytest.param(JSON, b"", {}, False, id="empty body is no data"),
    pytest.param("text/plain", b"", {}, False, id="empty body of any type"),
    pytest.param(None, b"", {}, False, id="no type no body"),
    pytest.param(FORM, b"", {}, True, id="empty form is a form"),
    pytest.param(MULTI, b"", {}, True, id="empty multipart is a form"),
    pytest.param(
        FORM,
        b"username=x&username=api&password=pw",
        {"username": ["x", "api"], "password": ["pw"]},
        True,
        id="form values in order",
    ),
    pytest.param(
        FORM,
        b"username=&password",
        {"username": [""], "password": [""]},
        True,
        id="form blanks kept",
    ),
    pytest.param(FORM, b"a=%ff", {"a": ["\ufffd"]}, True, id="form bad escape replaced"),
    pytest.param(FORM, b"a=\xe9", {"a": ["é"]}, True, id="form raw latin-1 bytes"),
    pytest.param(
        FORM + "; charset=latin-1", b"a=%e9", {"a": ["é"]}, True, id="form latin-1 escape"
    ),
    pytest.param(
        FORM, b"a=1+2&b=%26", {"a": ["1 2"], "b": ["&"]}, True, id="form plus and escapes"
    ),
    pytest.param(
        MULTI,
        part("username", b"api") + part("password", b"pw") + b"--XX--\r\n",
        {"username": ["api"], "password": ["pw"]},
        True,
        id="multipart fields",
    ),
    pytest.param(
        MULTI,
        part("a", b"1") + part("a", b"2") + b"--XX--\r\n",
        {"a": ["1", "2"]},
        True,
        id="multipart repeated",
    ),
    pytest.param(
        MULTI,
        part("f", b"data", '; filename="x/../a.txt"') + part("f", b"v") + b"--XX--\r\n",
        {"f": ["v", Upload("a.txt", "", b"data")]},
        True,
        id="file after the field's values",
    ),
    pytest.param(
        MULTI,
        part("f", b"data", '; filename=""') + b"--XX--\r\n",
        {"f": ["data"]},
        True,
        id="empty filename is a field",
    ),
    pytest.param(
        MULTI,
        part("f", b"data", '; filename=".."') + b"--XX--\r\n",
        {},
        True,
        id="filename .. is skipped",
    ),
    pytest.param(
        MULTI,
        b"--XX\r\nContent-Type: text/plain\r\n\r\nx\r\n--XX--\r\n",
        {},
        True,
        id="part without disposition skipped",
    ),
    pytest.param(MULTI, b"garbage", {}, True, id="multipart garbage is no data"),
    pytest.param(
        MULTI,
        b'--XX\r\nContent-Disposition: form-data; name="u"\r\n\r\napi',
        {"u": ["api"]},
        True,
        id="multipart cut off keeps its part",
    ),
    pytest.param(
        MULTI,
        part("a", b"\xff") + b"--XX--\r\n",
        {"a": ["\ufffd"]},
        True,
        id="multipart bad utf-8 replaced",
    ),
    pytest.param(
        MULTI,
        part("\U0004e4cc\u00e9", b"1") + part("\u00e9t\u00e9", b"2") + b"--XX--\r\n",
        {"\U0004e4cc\u00e9": ["1"], "\u00e9t\u00e9": ["2"]},
        True,
        # Django reads a part's headers as UTF-8 text: a name past Latin-1 is a name (it
        # was a 500, found by Schemathesis).
        id="multipart names past latin-1",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "data", "form"), PARSED)
def test_parse(content_type, body, data, form):
    assert parse(content_type, body) == (data, form)


def test_a_file_part_keeps_its_type_and_bytes():
    body = (
        part("f", b"\x00\x01", '; filename="a.bin"\r\nContent-Type: Application/Octet-Stream')
        + b"--XX--\r\n"
    )
    data, _ = parse(MULTI, body)
    assert data == {"f": [Upload("a.bin", "application/octet-stream", b"\x00\x01")]}
    assert data["f"][0].size == 2


REFUSED = [
    pytest.param(
        JSON,
        b'{"username":',
        400,
        "JSON parse error - Expecting value: line 1 column 13 (char 12)",
        id="malformed json",
    ),
    pytest.param(
        JSON,
        b"{} x",
        400,
        "JSON parse error - Extra data: line 1 column 4 (char 3)",
        id="trailing data",
    ),
    pytest.param(
        JSON,
        b"  ",
        400,
        "JSON parse error - Expecting value: line 1 column 3 (char 2)",
        id="whitespace body",
    ),
    pytest.param(
        JSON,
        b'{"a": NaN}',
        400,
        "JSON parse error - Out of range float values are not JSON compliant: 'NaN'",
        id="NaN",
    ),
    pytest.param(
        JSON,
        b"[-Infinity]",
        400,
        "JSON parse error - Out of range float values are not JSON compliant: '-Infinity'",
        id="-Infinity",
    ),
    pytest.param(
        JSON,
        b'{"u":"\xff"}',
        400,
        "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte",
        id="bad utf-8",
    ),
    # codecs' StreamReader keeps a sequence cut by the end undecoded: json sees less.
    pytest.param(
        JSON,
        b'{"a":"\xe2\x82',
        400,
        "JSON parse error - Unterminated string starting at: line 1 column 6 (char 5)",
        id="cut utf-8 sequence",
    ),
    pytest.param(
        JSON,
        b"\xef\xbb\xbf{}",
        400,
        "JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): "
        "line 1 column 1 (char 0)",
        id="BOM",
    ),
    # DRF's JSONParser catches ValueError only: json's RecursionError past ~1,000 levels
    # is Django's 500 there. The body is at fault, so the mock answers as for any other
    # JSON it cannot read (issue 16: no 5xx for any request).
    pytest.param(
        JSON,
        b"[" * 100_000 + b"]" * 100_000,
        400,
        "JSON parse error - maximum recursion depth exceeded while decoding a JSON array "
        "from a unicode string",
        id="nested 100,000 deep",
    ),
    pytest.param(
        JSON,
        b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
        400,
        "JSON parse error - maximum recursion depth exceeded while decoding a JSON object "
        "from a unicode string",
        id="objects nested 5,000 deep",
    ),
    pytest.param(
        JSON + "; charset=bz2_codec",
        b"{}",
        400,
        'Unsupported charset "bz2_codec" in request Content-Type header.',
        id="not a text codec",
    ),
    pytest.param(
        "text/plain",
        b"hello",
        415,
        'Unsupported media type "text/plain" in request.',
        id="text/plain",
    ),
    pytest.param(
        "text/plain; charset=utf-8",
        b"x",
        415,
        'Unsupported media type "text/plain; charset=utf-8" in request.',
        id="the header as sent",
    ),
    pytest.param(
        None,
        b"{}",
        415,
        'Unsupported media type "text/plain" in request.',
        id="no type is runserver's text/plain",
    ),
    pytest.param(
        "application/vnd.api+json",
        b"{}",
        415,
        'Unsupported media type "application/vnd.api+json" in request.',
        id="json suffix",
    ),
    pytest.param("text/*", b"{}", 415, 'Unsupported media type "text/*" in request.', id="text/*"),
    pytest.param(
        JSON + ";x=" + "a" * 238,
        b"{}",
        415,
        f'Unsupported media type "{JSON};x={"a" * 238}" in request.',
        id="longer than 256",
    ),
    pytest.param(
        "multipart/form-data",
        b"x",
        400,
        "Multipart form parse error - Invalid boundary in multipart: None",
        id="no boundary",
    ),
    pytest.param(
        'multipart/form-data; boundary="a b "',
        b"x",
        400,
        "Multipart form parse error - Invalid boundary in multipart: a b ",
        id="bad boundary",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "status", "detail"), REFUSED)
def test_refused(content_type, body, status, detail):
    with pytest.raises(ApiError) as raised:
        parse(content_type, body)
    assert (raised.value.status, raised.value.body) == (status, {"detail": detail})


def test_256_characters_still_parse():
    assert len(JSON + ";x=" + "a" * 237) == 256
    assert parse(JSON + ";x=" + "a" * 237, b"{}") == ({}, False)


@pytest.mark.parametrize(
    ("accepted", "content_type", "chosen"),
    [
        pytest.param(("application/json",), FORM, None, id="a view with JSONParser only"),
        pytest.param(
            ("application/x-www-form-urlencoded", "application/json"),
            "*/*",
            True,
            id="first of the view's parsers",
        ),
    ],
)
def test_the_views_parsers(accepted, content_type, chosen):
    if chosen is None:
        with pytest.raises(ApiError) as raised:
            parse(content_type, b"a=1", accepted)
        assert raised.value.status == 415
    else:
        assert parse(content_type, b"a=1", accepted) == ({"a": ["1"]}, chosen)


# Bodies orjson reads otherwise than json, or refuses, beside the common ones: each is read
# as DRF's JSONParser reads it (json.loads of the UTF-8 text, NaN and Infinity refused).
AS_JSON_READS_IT = [
    pytest.param(b'{"a": 1, "b": [1.5, "x", null, true]}', id="a plain object"),
    pytest.param(b'{"a": 1, "a": 2}', id="a key twice: the last"),
    pytest.param(b"[18446744073709551615, -9223372036854775808]", id="64-bit integers"),
    pytest.param(b'{"n": 18446744073709551616}', id="an integer past 64 bits: an int"),
    pytest.param(b"[-9223372036854775809]", id="a negative integer past 64 bits: an int"),
    pytest.param(b'{"n": 1e400}', id="1e400: infinity"),
    pytest.param(b'"\\ud800"', id="a lone surrogate escaped"),
    pytest.param(b'"\\ud83d\\ude00"', id="a surrogate pair escaped"),
    pytest.param(b"[" * 600 + b"]" * 600, id="600 levels"),
    pytest.param(b"[" * 1010 + b"]" * 1010, id="1,010 levels: json's recursion limit"),
    pytest.param(b'{"a": NaN}', id="NaN refused"),
    pytest.param(b'{"a": "\xff"}', id="bad utf-8 refused"),
    pytest.param(b"[1,]", id="malformed"),
    pytest.param(b" -0.0 ", id="-0.0"),
]


@pytest.mark.parametrize("body", AS_JSON_READS_IT)
def test_json_is_read_as_json_reads_it(body):
    def strict(text):
        raise ValueError("Out of range float values are not JSON compliant: " + repr(text))

    try:
        expected = repr(json.loads(body.decode("utf-8"), parse_constant=strict))
    except (ValueError, RecursionError) as exc:
        expected = {"detail": f"JSON parse error - {exc}"}
    try:
        data, _form = parse(JSON, body)
        got = repr(data)  # repr: an int is not a float, -0.0 is not 0.0
    except ApiError as error:
        got = error.body
    assert got == expected
