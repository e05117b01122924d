"""A drf-spectacular-shaped spec of a writable shop, as `ModelViewSet`s document it: products
(a required name with a max length, a unique sku, choices, a decimal, an email, a nullable
float and date, a foreign key, a many-to-many, read-only timestamps), their categories, and
reviews pointing at products (deleted with them, Django's CASCADE)."""

from __future__ import annotations

from pathlib import Path

import yaml


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {m: {"schema": schema} for m in _MEDIA}, "required": True}


_MEDIA = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
_SECURITY = [{"tokenAuth": []}]
_ID = {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}


def _answer(schema: dict | None, code: str = "200") -> dict:
    if schema is None:
        return {code: {"description": "No response body"}}
    return {code: {"content": {"application/json": {"schema": schema}}, "description": ""}}


def _page(name: str) -> dict:
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer", "example": 123},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": {"type": "array", "items": _ref(name)},
        },
    }


def _viewset(name: str, plural: str, writes: bool = True, extra: dict | None = None) -> dict:
    """The list and detail paths of a ModelViewSet (or a ReadOnlyModelViewSet)."""
    listing = {
        "get": {
            "operationId": f"{plural}_list",
            "parameters": [
                {"in": "query", "name": "page", "schema": {"type": "integer"}},
                {"in": "query", "name": "ordering", "schema": {"type": "string"}},
                *(extra or {}).get("filters", []),
            ],
            "responses": _answer(_page(name)),
            "security": _SECURITY,
            **({"x-resource": extra["x-resource"]} if extra and "x-resource" in extra else {}),
        }
    }
    detail = {
        "get": {
            "operationId": f"{plural}_retrieve",
            "parameters": [_ID],
            "responses": _answer(_ref(name)),
            "security": _SECURITY,
        }
    }
    if writes:
        listing["post"] = {
            "operationId": f"{plural}_create",
            "requestBody": _json(_ref(name)),
            "responses": _answer(_ref(name), "201"),
            "security": _SECURITY,
        }
        detail["put"] = {
            "operationId": f"{plural}_update",
            "parameters": [_ID],
            "requestBody": _json(_ref(name)),
            "responses": _answer(_ref(name)),
            "security": _SECURITY,
        }
        detail["patch"] = {
            "operationId": f"{plural}_partial_update",
            "parameters": [_ID],
            "requestBody": {"content": {m: {"schema": _ref(f"Patched{name}")} for m in _MEDIA}},
            "responses": _answer(_ref(name)),
            "security": _SECURITY,
        }
        detail["delete"] = {
            "operationId": f"{plural}_destroy",
            "parameters": [_ID],
            "responses": _answer(None, "204"),
            "security": _SECURITY,
        }
    return {f"/{plural}/": listing, f"/{plural}/{{id}}/": detail}


_PRODUCT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "maxLength": 40},
        "sku": {"type": "string", "maxLength": 12},
        "status": {"enum": ["draft", "live", "retired"], "type": "string"},
        "price": {"type": "string", "format": "decimal", "pattern": "^-?\\d{0,6}(?:\\.\\d{0,2})?$"},
        "contact": {"type": "string", "format": "email", "maxLength": 254},
        "weight": {"type": "number", "format": "double", "nullable": True},
        "launched": {"type": "string", "format": "date", "nullable": True},
        "category": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "integer"}},
        "created": {"type": "string", "format": "date-time", "readOnly": True},
        "updated": {"type": "string", "format": "date-time", "readOnly": True},
    },
    "required": ["id", "name", "sku", "price", "category", "created", "updated"],
}

SHOP = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1.0.0"},
    "paths": {
        **_viewset(
            "Product",
            "products",
            extra={
                "x-resource": {
                    "size": 30,
                    "unique": ["sku"],
                    "relations": {"category": "/categories/", "tags": "/tags/"},
                },
                "filters": [
                    {"in": "query", "name": "category", "schema": {"type": "integer"}},
                    {"in": "query", "name": "status", "schema": _PRODUCT["properties"]["status"]},
                ],
            },
        ),
        **_viewset("Category", "categories", writes=False, extra={"x-resource": {"size": 5}}),
        **_viewset("Tag", "tags", writes=False, extra={"x-resource": {"size": 8}}),
        **_viewset(
            "Review",
            "reviews",
            extra={
                "x-resource": {"size": 40, "relations": {"product": "/products/"}},
                "filters": [{"in": "query", "name": "product", "schema": {"type": "integer"}}],
            },
        ),
    },
    "components": {
        "schemas": {
            "Product": _PRODUCT,
            "PatchedProduct": {**_PRODUCT, "required": []},
            "Category": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "maxLength": 30},
                },
                "required": ["id", "name"],
            },
            "Tag": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "label": {"type": "string", "maxLength": 20},
                },
                "required": ["id", "label"],
            },
            "Review": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "product": {"type": "integer"},
                    "stars": {"type": "integer", "minimum": 1, "maximum": 5},
                    "created": {"type": "string", "format": "date-time", "readOnly": True},
                },
                "required": ["id", "product", "stars", "created"],
            },
            "PatchedReview": {
                "type": "object",
                "properties": {
                    "product": {"type": "integer"},
                    "stars": {"type": "integer", "minimum": 1, "maximum": 5},
                },
            },
        },
        "securitySchemes": {
            "tokenAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": 'Token-based authentication with required prefix "Token"',
            }
        },
    },
}


def shop_spec(directory: Path) -> Path:
    path = directory / "shop.yaml"
    path.write_text(yaml.safe_dump(SHOP, sort_keys=False), encoding="utf-8")
    return path
