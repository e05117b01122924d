"""Query strings to a Query: django-filter's parsing, in strict or lenient mode.

Lenient mode answers as the real service does, quirks included. Strict mode (the default)
also tells a client when it steps outside the spec: unknown parameters, values the real
service would silently ignore, and values the parameter's schema rejects all answer 400.
Both report every bad parameter at once, one key each, with DRF's wording.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

import orjson

from mockserver.contract.spec import PREFER, Operation, Param
from mockserver.contract.timefmt import parse_date, parse_datetime
from mockserver.errors import ApiError

# django-filter / Django form messages.
ENTER_NUMBER = "Enter a number."
ENTER_WHOLE_NUMBER = "Enter a whole number."
ENTER_DATETIME = "Enter a valid date/time."
ENTER_DATE = "Enter a valid date."
ENTER_JSON = "Enter a valid JSON."
NULL_CHARACTERS = "Null characters are not allowed."
ENTER_UUID = "Enter a valid UUID."
# django-filter's NumberFilter: MaxValueValidator(1e50), in Django's words.
_CAP = Decimal("1e50")
ABOVE_CAP = "Ensure this value is less than or equal to 1e+50."
RANGE_TWO_VALUES = "Range query expects two values."  # django-filter's BaseRangeField
# forms.ModelChoiceField (django-filter's ModelChoiceFilter, a ForeignKey's `exact`).
NO_SUCH_CHOICE = "Select a valid choice. That choice is not one of the available choices."
# DRF serializer field messages, for what strict mode adds.
VALID_BOOLEAN = "Must be a valid boolean."
VALID_INTEGER = "A valid integer is required."
NOT_BLANK = "This field may not be blank."  # DRF's CharField, allow_blank=False
REQUIRED = "This field is required."  # DRF's Field.default_error_messages["required"]
UNKNOWN_PARAMETER = "Unknown query parameter; the spec does not declare it for this operation."
NO_PATTERN_MATCH = "This value does not match the required pattern."
JSON_OUTSIDE_PATTERN = (
    "Enter a JSON object whose values are strings without escapes, numbers, booleans, null "
    "or such objects, as the contract's pattern says; the real service reads any JSON."
)

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def invalid_choice(value) -> str:
    return f"Select a valid choice. {value} is not one of the available choices."


def invalid_pk(value) -> str:
    return f"“{value}” is not a valid value."


@dataclass(frozen=True)
class Filter:
    field: str
    lookup: str
    value: object


@dataclass
class Query:
    """What a request asks for: filters (AND), sort terms, and the raw page and limit."""

    filters: list[Filter] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    page: str | None = None
    limit: int = 20
    offset: int = 0  # LimitOffsetPagination's
    cursor: str | None = None  # CursorPagination's, as sent
    search: list[str] | None = field(default_factory=list)  # SearchFilter's terms


@dataclass(frozen=True)
class Rules:
    strict: bool = True
    page_size: int = 20
    max_page_size: int = 100
    sortable: tuple[str, ...] = ()
    # The record fields' schemas, and whether an id exists in the collection a relation
    # field points at (a ForeignKey's filter checks it, as ModelChoiceField does).
    fields: dict = field(default_factory=dict, compare=False)
    exists: Callable[[str, int], bool] | None = field(default=None, compare=False)
    # The ids of a related collection's records that pass filters (`category__slug=x`).
    related: Callable[[str, list], list[int]] | None = field(default=None, compare=False)


# Read by other steps: `Prefer`'s controls (mockserver/http/prefer.py), an apiKey scheme's
# credential (mockserver/http/auth.py).
_ELSEWHERE = (PREFER, "credential")


class _Skip(Exception):
    """The value means 'no filter' (lenient mode's silent ignores)."""


def parse_query(
    op: Operation,
    items: list[tuple[str, str]],
    rules: Rules,
    headers: Mapping[bytes, bytes] | None = None,
) -> Query:
    """Parse a query string's pairs; raise ApiError(400) listing every bad parameter.

    `headers` (lower-case names, as ASGI gives them): strict mode checks the operation's
    header parameters too, in the same answer.
    """
    values: dict[str, list[str]] = {}
    for name, value in items:
        values.setdefault(name, []).append(value)
    problems: dict[str, list[str]] = {}
    query = Query(limit=rules.page_size)
    # Lenient mode reads what the real service reads: on a detail, the list's filters too.
    declared = op.query if rules.strict else op.lenient_query
    # The request's few parameters, not the operation's many: each looked up once.
    for name in values:
        param = declared.get(name)
        if param is None or param.control in _ELSEWHERE:
            continue
        try:
            _apply(query, param, values[name], rules)
        except _Skip:
            pass
        except ValueError as exc:
            problems[name] = [str(exc)]
    if len(problems) > 1:
        # DRF reports a FilterSet's errors in the order its filters are declared.
        order = _positions(declared)
        problems = dict(sorted(problems.items(), key=lambda item: order[item[0]]))
    if rules.strict:
        for name in values:
            if name not in op.query:
                problems[name] = [UNKNOWN_PARAMETER]
        for name in op.required:
            if name not in values:
                # The contract requires it; DRF itself reads no parameter as required, so
                # the real service goes on without it (lenient mode does the same).
                problems[name] = [REQUIRED]
        if headers is not None and op.headers:
            problems.update(header_problems(op, headers))
    if problems:
        raise ApiError.invalid(problems)
    if query.search is None:
        # The real service: SearchFilter runs after the filterset, and its CharField's
        # ValidationError is a bare list, `["Null characters are not allowed."]`.
        raise ApiError(400, [NULL_CHARACTERS])
    return query


_POSITIONS: dict[int, tuple[dict, dict[str, int]]] = {}


def _positions(declared: dict) -> dict[str, int]:
    """Each declared parameter's place, made once per operation's table."""
    found = _POSITIONS.get(id(declared))
    if found is None or found[0] is not declared:
        if len(_POSITIONS) > 10_000:  # reloads make new tables; old ones go
            _POSITIONS.clear()
        found = _POSITIONS[id(declared)] = (declared, {n: i for i, n in enumerate(declared)})
    return found[1]


def header_problems(op: Operation, headers: Mapping[bytes, bytes]) -> dict[str, list[str]]:
    """Strict mode: the contract's header parameters that are missing though required, or
    whose value their schema refuses, by the name the contract gives them.

    DRF reads no header parameter itself (a view reads `request.headers` as it likes), so
    the real service goes on either way; lenient mode does not look at them.
    """
    problems: dict[str, list[str]] = {}
    for key, param in op.headers.items():
        value = headers.get(key.encode("latin-1"))
        if value is None:
            if param.required:
                problems[param.name] = [REQUIRED]
            continue
        text = value.decode("latin-1")
        if not allowed(param.schema, text):
            problems[param.name] = [refusal(param.schema, text)]
    return problems


_CONTROLS = {
    "page": lambda query, text, rules: setattr(query, "page", _page(text.strip(), rules)),
    "limit": lambda query, text, rules: setattr(query, "limit", _limit(text.strip(), rules)),
    "sort": lambda query, text, rules: setattr(query, "sort", _sort(text, rules)),
    "offset": lambda query, text, rules: setattr(query, "offset", _offset(text.strip(), rules)),
    "cursor": lambda query, text, rules: setattr(query, "cursor", text),
}


def _apply(query: Query, param: Param, raw: list[str], rules: Rules) -> None:
    if not param.explode and param.repeated and param.lookup not in ("in", "range"):
        # `style: form, explode: false`: one comma-separated value (`in` and `range` read
        # theirs as django-filter's BaseCSVField does).
        raw = [part for value in raw[-1:] for part in value.split(",")]
    if param.allow_empty and raw[-1] == "":
        return  # `allowEmptyValue: true`: the contract's own way to send nothing
    if param.control is None and param.field is None:
        _unmodelled(param, raw, rules)
        return
    control = _CONTROLS.get(param.control)
    if control is not None:
        try:
            control(query, raw[-1], rules)
        except ValueError:
            # Strict mode answers 400 for a control value only where the contract's schema
            # rejects it; what the schema allows is read as the real service reads it
            # (`page_size=0` is the default size, `ordering=nope` is dropped, when the
            # contract says no more than "an integer" or "a string").
            text = raw[-1] if param.control == "sort" else raw[-1].strip()
            if not allowed(param.schema, text):
                raise
            control(query, raw[-1], replace(rules, strict=False))
    elif param.lookup == "related":
        _related(query, param, raw, rules)
    elif param.control == "search":
        if "\x00" in raw[-1] and not rules.strict:
            query.search = None  # reported after the filters' problems, if there are none
        else:
            query.search = _search(raw[-1])
    elif param.lookup in ("in", "range"):
        query.filters.append(Filter(param.field, param.lookup, _csv(param, raw[-1], rules)))
    elif param.lookup == "isnull":
        query.filters.append(Filter(param.field, "isnull", _boolean(raw[-1].strip(), rules)))
    elif param.repeated:
        query.filters.append(Filter(param.field, param.lookup, _ids(param, raw, rules)))
    else:
        value = _value(param, raw[-1].strip(), rules)  # the last of repeated values wins
        query.filters.append(Filter(param.field, param.lookup, value))


def _related(query: Query, param: Param, raw: list[str], rules: Rules) -> None:
    """django-filter across a relation: the related records that pass the lookup, then the
    records pointing at any of them (a list field: at least one; a key: one of them)."""
    target, field_name, lookup = param.related
    inner = Param(param.name, param.schema, field_name, lookup, number_cap=param.number_cap)
    found = Query()
    _apply(found, inner, raw, replace(rules, fields={}, exists=None, related=None))
    if not found.filters:
        return
    if target is None:  # a nested object's field, compared in the record itself
        query.filters.append(Filter(param.field, "nested", found.filters[0]))
        return
    if rules.related is None:
        return
    ids = tuple(rules.related(target, found.filters))
    many = (rules.fields.get(param.field) or {}).get("type") == "array"
    query.filters.append(Filter(param.field, "any" if many else "in", ids))


def _unmodelled(param: Param, raw: list[str], rules: Rules) -> None:
    """A parameter the engine cannot model (a custom filter method, a related lookup, a
    view's own parameter) filters nothing; strict mode still refuses a value its schema
    rejects, in the words of the DRF field of that type."""
    if not rules.strict:
        return
    schema = param.schema.get("items") or {} if param.repeated else param.schema
    for text in raw:
        if param.repeated and text == "":
            # No item of a multiple choice (the served /openapi.json: a minLength of 1).
            raise ValueError(invalid_pk(text))
        if not allowed(schema, text):
            raise ValueError(refusal(schema, text))
        if param.number_cap and schema.get("type") in ("integer", "number"):
            _decimal(text, cap=True)  # django-filter's NumberFilter: at most 1e50
        if "\x00" in text and _free_text(schema):
            # A filterset's CharField refuses NUL (ProhibitNullCharactersValidator), and the
            # served /openapi.json says so on every free text parameter (mockserver/http/docs.py).
            raise ValueError(NULL_CHARACTERS)


def _free_text(schema: dict) -> bool:
    """A string with no pattern, enum or format: what Django's CharField reads."""
    return schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema)


def refusal(schema: dict, text: str) -> str:
    """Why a value is outside its schema, as DRF's serializer fields say it.

    >>> refusal({"type": "integer"}, "x"), refusal({"type": "string", "enum": ["a"]}, "b")
    ('A valid integer is required.', '"b" is not a valid choice.')
    """
    if "enum" in schema:
        return f'"{text}" is not a valid choice.'
    # The form fields a filterset reads these formats with (UUIDField, DateTimeField,
    # DateField), in Django's words, as the modelled filters say them.
    fmt = _FORMAT_MESSAGES.get(schema.get("format"))
    if fmt is not None and not _FORMATS[schema["format"]](text):
        return fmt
    kind = schema.get("type")
    if kind in (None, "string") and not _length_fits(schema, text):
        # DRF CharField's messages (allow_blank=False, min_length, max_length).
        if text == "":
            return NOT_BLANK
        if len(text) < schema.get("minLength", 0):
            return f"Ensure this field has at least {schema['minLength']} characters."
        return f"Ensure this field has no more than {schema['maxLength']} characters."
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if _INTEGER.fullmatch(text.strip()):
            if low is not None and int(text) < low:
                return f"Ensure this value is greater than or equal to {low}."
            return f"Ensure this value is less than or equal to {high}."
        return VALID_INTEGER
    if kind == "number":
        return "A valid number is required."
    if kind == "boolean":
        return VALID_BOOLEAN
    return NO_PATTERN_MATCH


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(hex=text)
    except ValueError:
        return False
    return True


# The string formats a query value is checked for, as the filters read them.
_FORMATS: dict[str, Callable[[str], bool]] = {
    "uuid": _is_uuid,
    "date-time": lambda text: parse_datetime(text) is not None,
    "date": lambda text: parse_date(text) is not None,
    # RFC 3986: a URI begins with its scheme (a URLField's value always has one).
    "uri": lambda text: re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text) is not None,
}
_FORMAT_MESSAGES = {
    "uuid": ENTER_UUID,
    "date-time": ENTER_DATETIME,
    "date": ENTER_DATE,
    "uri": "Enter a valid URL.",  # Django's URLValidator
}


def allowed(schema: dict, text: str) -> bool:
    """Whether a query value's text is one its parameter's schema allows.

    >>> page = {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]}
    >>> [allowed(page, t) for t in ("3", "0", "last", "x")]
    [True, False, True, False]
    >>> allowed({"type": "string"}, ""), allowed({"type": "string", "pattern": "^a"}, "b")
    (True, False)
    >>> allowed({"type": "string", "format": "uuid"}, ""), allowed({"format": "date"}, "2025-01-31")
    (False, True)
    """
    members = schema.get("oneOf") or schema.get("anyOf")
    if members:
        return any(allowed(member, text) for member in members)
    if "enum" in schema and not _in_enum(schema, text):
        return False
    kind = schema.get("type")
    if kind in ("integer", "number"):
        try:
            number = int(text) if kind == "integer" else Decimal(text)
        except (ValueError, InvalidOperation):
            return False
        if kind == "number" and not number.is_finite():
            return False
        low, high = schema.get("minimum"), schema.get("maximum")
        return (low is None or number >= low) and (high is None or number <= high)
    if kind == "boolean":
        return text in ("true", "false")
    fmt = _FORMATS.get(schema.get("format"))
    if fmt is not None and not fmt(text):
        return False
    if not _length_fits(schema, text):
        return False
    pattern = schema.get("pattern")
    return pattern is None or re.search(pattern, text) is not None


def _length_fits(schema: dict, text: str) -> bool:
    shortest, longest = schema.get("minLength"), schema.get("maxLength")
    return (shortest is None or len(text) >= shortest) and (longest is None or len(text) <= longest)


def _in_enum(schema: dict, text: str) -> bool:
    """Whether the text is one of the schema's `enum`, read as its `type`: `false` is the
    boolean false, which an enum of the strings "false" and "true" does not hold.

    >>> _in_enum({"type": "boolean", "enum": ["false", "true"]}, "false")
    False
    >>> _in_enum({"type": "integer", "enum": [0, 1]}, "1"), _in_enum({"enum": [True]}, "true")
    (True, True)
    """
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    for member in schema["enum"]:
        if member is None:
            continue
        if _shown(member) == text and (None in kinds or any(_is_kind(member, k) for k in kinds)):
            return True
    return False


def _shown(choice) -> str:
    """A choice as its query text: `true` for the boolean true, as DRF writes it."""
    return ("true" if choice else "false") if isinstance(choice, bool) else str(choice)


def _is_kind(member, kind) -> bool:
    """Whether an enum member is of a JSON Schema type (a boolean is no integer)."""
    if kind == "boolean" or isinstance(member, bool):
        return kind == "boolean" and isinstance(member, bool)
    if kind == "integer":
        return isinstance(member, int) or (isinstance(member, float) and member.is_integer())
    if kind == "number":
        return isinstance(member, (int, float))
    return kind != "string" or isinstance(member, str)


def _csv(param: Param, text: str, rules: Rules) -> tuple:
    """django-filter's BaseCSVField: the value split at commas, each part cleaned by the
    lookup's field (an empty part is None); `range` wants exactly two."""
    if text == "":
        raise _Skip  # an empty list: no filter
    item = Param(
        param.name,
        param.schema.get("items") or {},
        param.field,
        "exact",
        number_cap=param.number_cap,
    )
    values = tuple(
        None if not p.strip() else _value(item, p.strip(), rules) for p in text.split(",")
    )
    if param.lookup == "range" and len(values) != 2:
        raise ValueError(RANGE_TWO_VALUES)
    return values


_QUOTED = re.compile(r"""((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)""")


def _search(text: str) -> list[str]:
    """SearchFilter's terms: split at whitespace and commas, a quoted phrase kept whole
    (DRF's search_smart_split over Django's smart_split). A NUL is DRF CharField's 400.

    >>> _search('red, "big box" x')
    ['red', 'big box', 'x']
    """
    if "\x00" in text:
        raise ValueError(NULL_CHARACTERS)
    terms = []
    for found in _QUOTED.finditer(text):
        term = found[0].strip(",")
        if term[:1] in ('"', "'") and term[0] == term[-1]:
            quote = term[0]
            terms.append(term[1:-1].replace("\\" + quote, quote).replace("\\\\", "\\"))
        else:
            terms += [part.strip() for part in term.split(",") if part]
    return terms


def _value(param: Param, text: str, rules: Rules):
    schema = param.schema
    kind, fmt = schema.get("type"), schema.get("format")
    if text == "":
        # django-filter: an empty value is no filter. Strict mode agrees only where the
        # schema accepts "" (plain text, no minLength); elsewhere it reports the type's
        # message.
        plain_text = kind == "string" and fmt is None and "enum" not in schema
        if not rules.strict or (plain_text and not param.json and allowed(schema, text)):
            raise _Skip
    if param.json:
        return _json(param, text, rules)
    if param.lookup == "date":
        value = parse_date(text)
        if value is None:
            raise ValueError(ENTER_DATE)
        return value
    numbers = kind in ("integer", "number")
    if numbers and "enum" in schema and text not in [str(c) for c in schema["enum"]]:
        # django-filter's ChoiceFilter (a field with choices): ChoiceField.valid_value
        # compares the text of each choice.
        raise ValueError(invalid_choice(text))
    if kind == "integer" and param.field in rules.fields and rules.exists is not None:
        return _choice(param, text, rules)
    if kind == "integer":
        return _integer(text, rules, param.number_cap)
    if kind == "number":
        return _decimal(text, param.number_cap)
    if fmt == "uuid":
        try:
            return str(uuid.UUID(hex=text))
        except ValueError:
            raise ValueError(ENTER_UUID) from None
    if kind == "boolean":
        return _boolean(text, rules)
    if fmt == "date-time":
        value = parse_datetime(text)
        if value is None:
            raise ValueError(ENTER_DATETIME)
        return value
    if fmt == "date":
        value = parse_date(text)
        if value is None:
            raise ValueError(ENTER_DATE)
        return value
    if "enum" in schema and text not in schema["enum"]:
        raise ValueError(invalid_choice(text))
    if "\x00" in text:  # Django's CharField (ProhibitNullCharactersValidator)
        raise ValueError(NULL_CHARACTERS)
    if rules.strict and not allowed(schema, text):
        raise ValueError(refusal(schema, text))  # a pattern, a minLength, ...
    return text


def _integer(text: str, rules: Rules, cap: bool = False) -> int:
    """NumberFilter reads a decimal and the lookup truncates it (`id=1.5` is id 1)."""
    if _INTEGER.fullmatch(text):
        if cap and Decimal(text) > _CAP:
            raise ValueError(ABOVE_CAP)
        if len(text) > 40:  # beyond int64 either way; int() refuses past 4300 digits
            return -(10**40) if text.startswith("-") else 10**40
        return int(text)
    # The decimal's own checks (strict mode says "whole number" before any cap).
    number = _decimal(text, cap and not rules.strict)
    if rules.strict:
        raise ValueError(ENTER_WHOLE_NUMBER)
    if number.adjusted() > 40:  # `1e999999999`: int() would build a billion digits
        return -(10**40) if number < 0 else 10**40
    return int(number)


def _decimal(text: str, cap: bool = False) -> Decimal:
    """forms.DecimalField, which django-filter's NumberFilter uses for a decimal field."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(ENTER_NUMBER) from None
    if not number.is_finite():
        raise ValueError(ENTER_NUMBER)
    if cap and number > _CAP:
        raise ValueError(ABOVE_CAP)
    return number


def _choice(param: Param, text: str, rules: Rules) -> int:
    """ModelChoiceField: the id of a record of the related collection, or its one message.

    `queryset.get(pk=value)` reads the text as Python's int() does; anything else, and an id
    that does not exist, is the same invalid choice.
    """
    try:
        number = int(text)
    except ValueError:
        raise ValueError(NO_SUCH_CHOICE) from None
    if not rules.exists(param.field, number):
        raise ValueError(NO_SUCH_CHOICE)
    return number


def _boolean(text: str, rules: Rules) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    if rules.strict:
        raise ValueError(
            f"{VALID_BOOLEAN} Use true, false, 1 or 0; the real service "
            "ignores this filter instead."
        )
    raise _Skip  # django-filter's BooleanFilter: anything else is no filter


def _json(param: Param, text: str, rules: Rules):
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ValueError(ENTER_JSON) from None
    if rules.strict:
        if not isinstance(value, dict):
            raise ValueError("Enter a JSON object.")
        _match_pattern(param, text, JSON_OUTSIDE_PATTERN)
    return value


def _match_pattern(param: Param, text: str, message: str = NO_PATTERN_MATCH) -> None:
    """Strict mode: a string outside the schema's `pattern` is outside the contract.

    JSON Schema patterns are not anchored (`re.search`); DRF's RegexField says this message.
    """
    pattern = param.schema.get("pattern")
    if pattern is not None and re.search(pattern, text) is None:
        raise ValueError(message)


def _ids(param: Param, raw: list[str], rules: Rules) -> tuple:
    """A repeated parameter (`?type=a&type=b`), each value read by its items' schema.

    Integer ids are ModelMultipleChoiceField._check_values: first any value that is no id at
    all, then any id that does not exist, each reported at its first occurrence; an id
    matches by its text (`01` is not `1`), as Django compares `str(pk)`; the ids are the
    items' enum, or those of the collection the field relates to. Choices (an `enum` of
    strings) are MultipleChoiceField's: a value outside them is its invalid choice. UUID
    keys are ModelMultipleChoiceField's too: a value no UUIDField reads is its invalid pk
    value. Any other text is taken as it is (strict mode still holds it to its schema).
    """
    items = param.schema.get("items") or {}
    if items.get("type") != "integer":
        # MultipleChoiceField and a UUID key read the text as sent (no strip).
        return tuple(dict.fromkeys(_item(items, text, rules) for text in raw))
    values = [value.strip() for value in raw]
    enum = items.get("enum")
    choices = {str(c) for c in enum or ()}
    for text in values:
        if not _INTEGER.fullmatch(text) or len(text) > 40:
            raise ValueError(invalid_pk(text))
    for text in values:
        known = (
            text in choices
            if enum is not None or rules.exists is None
            else str(int(text)) == text and rules.exists(param.field, int(text))
        )
        if not known:
            raise ValueError(invalid_choice(text))
    return tuple(dict.fromkeys(int(text) for text in values))


def _item(items: dict, text: str, rules: Rules) -> str:
    """One value of a repeated text parameter, as its items' schema reads it."""
    if "enum" in items:
        # Strict mode also reads the choice by its type (an enum of the strings "true" and
        # "false" for a boolean holds no boolean).
        if text not in [_shown(choice) for choice in items["enum"]] or (
            rules.strict and not allowed(items, text)
        ):
            raise ValueError(invalid_choice(text))
        return text
    if items.get("format") == "uuid":
        try:
            return str(uuid.UUID(hex=text))
        except ValueError:
            raise ValueError(invalid_pk(text)) from None
    if rules.strict and text == "":
        # `name=` is no choice of a MultipleChoiceFilter (the served /openapi.json gives such
        # items a minLength of 1, and the array a minItems of 1: mockserver/http/docs.py).
        raise ValueError(invalid_pk(text))
    if rules.strict and not allowed(items, text):
        raise ValueError(refusal(items, text))
    return text


def _page(text: str, rules: Rules) -> str:
    """The page stays text: the real service's 404 comes after filter errors."""
    if (
        rules.strict
        and text != "last"
        and not (text.isascii() and text.isdigit() and int(text) >= 1)
    ):
        raise ValueError('Enter a page number from 1, or "last".')
    return text


def _limit(text: str, rules: Rules) -> int:
    """DRF's `_positive_int(..., strict=True, cutoff=max_page_size)`: never an error, really."""
    try:
        number = int(text)
    except ValueError:
        if rules.strict:
            raise ValueError(VALID_INTEGER) from None
        return rules.page_size
    if number <= 0:
        if rules.strict:
            raise ValueError("Ensure this value is greater than or equal to 1.")
        return rules.page_size
    if number > rules.max_page_size:
        if rules.strict:
            raise ValueError(f"Ensure this value is less than or equal to {rules.max_page_size}.")
        return rules.max_page_size
    return number


def _offset(text: str, rules: Rules) -> int:
    """LimitOffsetPagination.get_offset: `_positive_int`, and 0 for anything else."""
    try:
        number = int(text)
    except ValueError:
        if rules.strict:
            raise ValueError(VALID_INTEGER) from None
        return 0
    if number < 0:
        if rules.strict:
            raise ValueError("Ensure this value is greater than or equal to 0.")
        return 0
    return number


def _sort(text: str, rules: Rules) -> list[tuple[str, bool]]:
    terms, unknown = [], []
    for term in text.split(","):
        term = term.strip()
        descending = term.startswith("-")
        name = term[1:] if descending else term
        if name in rules.sortable:
            terms.append((name, descending))
        else:
            unknown.append(term)
    if rules.strict and unknown:
        shown = ", ".join(f'"{t}"' for t in unknown)
        raise ValueError(
            f"Unknown sort field {shown}; the real service drops it. "
            f"Sortable fields: {', '.join(rules.sortable)}."
        )
    return terms
