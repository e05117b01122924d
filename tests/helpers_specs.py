"""A small drf-spectacular-shaped spec with what real services have beyond plain lists: a
fixed sub-path beside `{id}`, a list and a detail action, a nested route without a parent
field, items without `id`, a custom envelope, an inline schema, "No response body", and a
path without its trailing slash."""

from __future__ import annotations

from pathlib import Path

import yaml


def _ok(schema: dict | None, code: str = "200") -> dict:
    if schema is None:
        return {code: {"description": "No response body"}}
    return {code: {"description": "", "content": {"application/json": {"schema": schema}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(items: dict) -> dict:
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": {"type": "array", "items": items},
        },
    }


def _get(operation_id: str, schema: dict | None, params=(), code: str = "200") -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "parameters": list(params),
            "responses": _ok(schema, code),
            "security": [{"tokenAuth": []}],
        }
    }


def _path_param(name: str, schema: dict | None = None) -> dict:
    return {"in": "path", "name": name, "required": True, "schema": schema or {"type": "integer"}}


BLOG = {
    "openapi": "3.0.3",
    "info": {"title": "Blog", "version": "1"},
    "paths": {
        "/users/": _get("users_list", _page(_ref("User"))),
        "/users/{id}/": _get("users_retrieve", _ref("User"), [_path_param("id")]),
        "/users/me/": _get("users_me_retrieve", _ref("User")),
        "/users/{id}/stats/": _get(
            "users_stats_retrieve",
            {"type": "object", "required": ["posts"], "properties": {"posts": {"type": "integer"}}},
            [_path_param("id")],
        ),
        "/posts/": _get(
            "posts_list",
            {
                "type": "object",
                "required": ["results", "pagination"],
                "properties": {
                    "pagination": {
                        "type": "object",
                        "required": ["current"],
                        "properties": {"current": {"type": "integer", "minimum": 1}},
                    },
                    "results": {"type": "array", "items": _ref("Post")},
                },
            },
        ),
        "/posts/{slug}/comments/": _get(
            "posts_comments_list",
            {"type": "array", "items": _ref("Comment")},
            [_path_param("slug", {"type": "string"})],
        ),
        "/posts/{slug}/": _get(
            "posts_retrieve", _ref("Post"), [_path_param("slug", {"type": "string"})]
        ),
        "/posts/recent/": _get("posts_recent_list", {"type": "array", "items": _ref("Post")}),
        "/notes": _get("notes_list", {"type": "array", "items": _ref("Note")}),
        "/notes/{uuid}": _get(
            "notes_retrieve",
            _ref("Note"),
            [_path_param("uuid", {"type": "string", "format": "uuid"})],
        ),
        "/health/": _get("health_retrieve", None),
        "/version/": _get(
            "version_retrieve",
            {
                "type": "object",
                "required": ["version"],
                "properties": {"version": {"type": "string"}},
            },
        ),
    },
    "components": {
        "schemas": {
            "User": {
                "type": "object",
                "required": ["id", "username"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "username": {"type": "string", "maxLength": 30},
                },
            },
            "Post": {
                "type": "object",
                "required": ["slug", "title", "author"],
                "properties": {
                    "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
                    "title": {"type": "string", "maxLength": 80},
                    "author": {"type": "integer"},
                },
            },
            "Comment": {
                "type": "object",
                "required": ["body"],
                "properties": {"body": {"type": "string", "maxLength": 200}},
            },
            "Note": {
                "type": "object",
                "required": ["uuid", "text"],
                "properties": {
                    "uuid": {"type": "string", "format": "uuid", "readOnly": True},
                    "text": {"type": "string", "maxLength": 50},
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


def blog_spec(directory: Path) -> Path:
    path = directory / "blog.yaml"
    path.write_text(yaml.safe_dump(BLOG, sort_keys=False), encoding="utf-8")
    return path
