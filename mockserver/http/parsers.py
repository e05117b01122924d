"""A request body as DRF's default parsers read it into `request.data`, with their errors.

DRF picks the first of the view's parsers (JSONParser, FormParser, MultiPartParser) whose
media type matches the request's `Content-Type` (`Request._parse`,
`DefaultContentNegotiation.select_parser`), and its errors are exact:

- no body (`Content-Length: 0`), whatever the type: empty data, no parser runs, no 415;
- a type no parser takes, or one longer than 256 characters: 415
  `Unsupported media type "text/plain" in request.`, the header as sent;
- malformed JSON, bad UTF-8, NaN or Infinity, a BOM: 400 `JSON parse error - <message>`,
  the message Python's json (or codec) gives; JSON nested past json's recursion limit too
  (DRF lets that RecursionError through, a 500: the mock keeps no 5xx for a bad body);
- `charset=bz2_codec` (not a text codec): 400
  `Unsupported charset "bz2_codec" in request Content-Type header.`; an unknown charset
  (`charset=nope`) is ignored: Django keeps UTF-8;
- multipart without a valid boundary: 400
  `Multipart form parse error - Invalid boundary in multipart: None`.

A request without `Content-Type` but with a body is read as `text/plain`, hence 415: that
is what the reference service (`manage.py runserver`, whose wsgiref handler fills in
`CONTENT_TYPE`) answers. Behind gunicorn or an ASGI server the header stays unset and DRF
names the type `""` instead; the mock follows the reference, which the differential tests.

The data: JSON is the decoded value (`form` False); a form, url-encoded or multipart, is
`{field: [values...]}` in the order sent, as `QueryDict.getlist` gives them (`form` True:
a serializer reads the last value of each, and a missing field is "required", as DRF's
`html.is_html_input` path does). A multipart file part (one with a non-empty `filename`)
is an `Upload`, listed after the plain values of its field, as `request.data` merges
`request.FILES` into `request.POST`: a CharField refuses it ("Not a valid string."), a
FileField takes its name and size. A part without a name, or a file part whose filename is
empty, is skipped, as Django's MultiPartParser skips them.

>>> parse("application/json", b'{"username": "api"}')
({'username': 'api'}, False)
>>> parse("application/x-www-form-urlencoded", b"a=1&a=2&b=")
({'a': ['1', '2'], 'b': ['']}, True)
>>> parse(None, b"")
({}, False)
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import functools
import html
import io
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import orjson
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from mockserver.errors import ApiError

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# api_settings.DEFAULT_PARSER_CLASSES, in their order.
DEFAULT_MEDIA: tuple[str, ...] = (JSON, FORM, MULTIPART)
# What runserver's wsgiref handler puts in CONTENT_TYPE when the request has none.
MISSING_TYPE = "text/plain"
# DefaultContentNegotiation.max_media_type_length: a longer Content-Type gets no parser.
MAX_MEDIA_TYPE_LENGTH = 256
DEFAULT_CHARSET = "utf-8"  # settings.DEFAULT_CHARSET
# django.http.multipartparser.MultiPartParser.boundary_re.
_BOUNDARY = re.compile(r"[ -~]{0,200}[!-~]")
# python-multipart logs each malformed body before raising; a bad body is the client's
# answer (the parts read so far), never a line on the server's console.
logging.getLogger("python_multipart.multipart").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body, as Django's UploadedFile offers it to a FileField:
    its (sanitised) name, its declared type and its bytes."""

    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def parse(
    content_type: str | None, body: bytes, accepted: Sequence[str] = DEFAULT_MEDIA
) -> tuple[object, bool]:
    """(data, form) as `request.data` holds it after the view's parsers (`accepted`, the
    media types of DRF's parser classes in the view's order); ApiError 400 or 415 as DRF.

    >>> try:
    ...     parse("text/plain", b"hi")
    ... except ApiError as error:
    ...     error.status, error.body
    (415, {'detail': 'Unsupported media type "text/plain" in request.'})
    """
    media = MISSING_TYPE if content_type is None else content_type
    main, params, chosen = _negotiated(media, tuple(accepted))
    if not body:
        # Request._parse: no stream (Content-Length 0) gives empty data before any parser.
        return {}, main in (FORM, MULTIPART)
    if chosen is None:
        raise ApiError.detail(415, f'Unsupported media type "{media}" in request.')
    encoding = _encoding(params)
    if chosen == JSON:
        return _json(body, encoding), False
    if chosen == FORM:
        return _form(body, encoding), True
    return _multipart(media, params, body, encoding), True


@functools.lru_cache(maxsize=64)
def _negotiated(media: str, accepted: tuple[str, ...]) -> tuple[str, dict[str, str], str | None]:
    """The request's media type, its parameters, and the parser that takes it (None: 415),
    read once per Content-Type: a client sends the same one with every write. The
    parameters are only read, never changed.

    >>> _negotiated("Application/JSON; charset=UTF-8", DEFAULT_MEDIA)
    ('application/json', {'charset': 'UTF-8'}, 'application/json')
    """
    main, params = _split(media)
    chosen = None
    if len(media) <= MAX_MEDIA_TYPE_LENGTH:
        chosen = next((m for m in accepted if _matches(m, main, params)), None)
    return main, params, chosen


def _split(media: str) -> tuple[str, dict[str, str]]:
    """The media type, lower case, and its parameters by lower-case name, as Django's
    `parse_header_parameters` reads a header."""
    # python-multipart reads the header as Latin-1 text; a part's headers are UTF-8 text
    # (Django decodes each line so), which may hold any character: they go through as
    # their UTF-8 bytes and come back whole.
    main, raw = parse_options_header(media.encode("utf-8", "surrogatepass").decode("latin-1"))
    params = {
        k.decode("utf-8", "replace").lower(): v.decode("utf-8", "replace") for k, v in raw.items()
    }
    return main.decode("utf-8", "replace"), params


def _matches(parser_type: str, main: str, params: dict[str, str]) -> bool:
    """utils.mediatypes.media_type_matches(parser_type, request's type): a `*` on either
    side matches (so `*/*` and `application/*` reach JSONParser); the parser's types carry
    no parameters, so the request's are never compared."""
    ours_main, _, ours_sub = parser_type.partition("/")
    theirs_main, _, theirs_sub = main.partition("/")
    if "*" not in (ours_sub, theirs_sub) and ours_sub != theirs_sub:
        return False
    return "*" in (ours_main, theirs_main) or ours_main == theirs_main


def _encoding(params: dict[str, str]) -> str:
    """Django's `request.encoding` (the charset when Python knows it, else UTF-8), then
    DRF's `parsers.get_encoding`, which refuses a codec that is not a text encoding."""
    encoding = params.get("charset", DEFAULT_CHARSET)
    try:
        codecs.lookup(encoding)
    except LookupError:
        return DEFAULT_CHARSET
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError):
        raise ApiError.detail(
            400, f'Unsupported charset "{encoding}" in request Content-Type header.'
        ) from None
    return encoding


def _strict_constant(text: str):
    """rest_framework.utils.json.strict_constant: STRICT_JSON refuses NaN and Infinity."""
    raise ValueError("Out of range float values are not JSON compliant: " + repr(text))


# A run of 19 digits: a number past 64 bits maybe, which orjson reads as a float.
_LONG_NUMBER = re.compile(rb"[0-9]{19}")
# Opening brackets from which a body may nest past json's recursion limit (about 1,000
# levels, less the stack beneath), which orjson does not share (1,024).
_NESTED = 500


def _json(body: bytes, encoding: str) -> object:
    """JSONParser: the body through `codecs.getreader(encoding)` (an incomplete sequence at
    the end is left undecoded, not an error) into `json.load`."""
    if (
        encoding == DEFAULT_CHARSET
        and _LONG_NUMBER.search(body) is None
        and body.count(b"[") + body.count(b"{") < _NESTED
    ):
        # orjson reads every UTF-8 document it takes as json does, at a fifth of the time,
        # but for integers past 64 bits and nesting json refuses; whatever it refuses
        # (NaN, 1e400, a lone surrogate, bad UTF-8) is read by json below, for json's value
        # or message.
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        try:
            text = body.decode(encoding)  # the common case, the same text, at a tenth
        except UnicodeDecodeError:
            text = codecs.getreader(encoding)(io.BytesIO(body)).read()
        return json.loads(text, parse_constant=_strict_constant)
    # JSONDecodeError and UnicodeDecodeError alike; and json's RecursionError past ~1,000
    # levels of nesting, which DRF does not catch (a 500 there): the body is at fault.
    except (ValueError, RecursionError) as exc:
        raise ApiError.detail(400, f"JSON parse error - {exc}") from None


def _form(body: bytes, encoding: str) -> dict[str, list[str]]:
    """FormParser: `QueryDict(body, encoding)`: undecodable bytes are read as Latin-1,
    blank values kept, percent-escapes decoded with replacement characters."""
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")
    data: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, encoding=encoding):
        data.setdefault(key, []).append(value)
    return data


def _multipart(
    media: str, params: dict[str, str], body: bytes, encoding: str
) -> dict[str, list[str | Upload]]:
    """MultiPartParser (Django's), its Content-Type checks first; the parts through
    python-multipart. Django's parser is lenient: a body that does not parse gives the
    parts read so far, and a part cut off by the end of the body keeps what it has."""
    error = "Multipart form parse error - "
    if not media.startswith("multipart/"):  # `Multipart/form-data`: Django's check is exact
        raise ApiError.detail(400, f"{error}Invalid Content-Type: {media}")
    if not media.isascii():
        raise ApiError.detail(400, f"{error}Invalid non-ASCII Content-Type in multipart: {media}")
    boundary = params.get("boundary")
    if not boundary or not _BOUNDARY.fullmatch(boundary):
        raise ApiError.detail(400, f"{error}Invalid boundary in multipart: {boundary}")
    parts = _Parts()
    try:
        parser = MultipartParser(boundary.encode("ascii"), parts.callbacks())
        parser.write(body)
        parser.finalize()
    except FormParserError:  # MultipartParseError, or a header past its limits
        pass
    parts.end_part()  # a part the body ended inside
    fields: dict[str, list[str | Upload]] = {}
    files: dict[str, list[str | Upload]] = {}
    for headers, content in parts.done:
        _add(fields, files, headers, content, encoding)
    for name, uploads in files.items():
        fields.setdefault(name, []).extend(uploads)
    return fields


class _Parts:
    """The parts python-multipart reports: each one's headers (lower-case names) and bytes."""

    def __init__(self):
        self.done: list[tuple[dict[str, str], bytes]] = []
        self._headers: dict[str, str] | None = None
        self._field = b""
        self._value = b""
        self._data: list[bytes] = []

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
            "on_part_end": self.end_part,
        }

    def _begin(self) -> None:
        self._headers, self._data = {}, []

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        # Django decodes each header line as UTF-8 and skips one that is not.
        with contextlib.suppress(UnicodeDecodeError):
            if self._headers is not None:
                name = self._field.decode().strip().lower()
                self._headers[name] = self._value.decode().strip()
        self._field = self._value = b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._data.append(data[start:end])

    def end_part(self) -> None:
        if self._headers is not None:
            self.done.append((self._headers, b"".join(self._data)))
        self._headers, self._data = None, []


def _add(fields: dict, files: dict, headers: dict[str, str], content: bytes, encoding: str):
    """One part into the fields or the files, as Django's MultiPartParser._parse sorts it:
    no Content-Disposition or no name, skipped; a non-empty `filename`, a file; else a
    field, its bytes decoded with replacement characters."""
    disposition = headers.get("content-disposition")
    if disposition is None:
        return
    _, params = _split(disposition)
    if "name" not in params:
        return
    name = params["name"].strip()
    base64_encoded = headers.get("content-transfer-encoding", "").strip() == "base64"
    filename = params.get("filename")
    if not filename:
        if base64_encoded:
            with contextlib.suppress(binascii.Error):  # not base64: kept as sent
                content = base64.b64decode(content)
        fields.setdefault(name, []).append(content.decode(encoding, "replace"))
        return
    filename = _sanitize(filename)
    if filename is None:
        return
    if base64_encoded:
        try:
            content = base64.b64decode(b"".join(content.split()))
        except binascii.Error:
            raise ApiError.detail(
                400, "Multipart form parse error - Could not decode base64 data."
            ) from None
    content_type, _ = _split(headers.get("content-type", ""))
    files.setdefault(name, []).append(Upload(filename, content_type, content))


def _sanitize(filename: str) -> str | None:
    """MultiPartParser.sanitize_file_name: the last path segment, printable characters
    only; "", "." and ".." are no name."""
    name = html.unescape(filename).rsplit("/")[-1].rsplit("\\")[-1]
    name = "".join(char for char in name if char.isprintable())
    return None if name in ("", ".", "..") else name
