"""The OpenAPI 3.1 document of the JSON API (``/api/v1/openapi.json``).

>>> doc = openapi_document()
>>> doc["openapi"], sorted(doc["paths"])[:2]
('3.1.0', ['/api/v1/csrf-token', '/api/v1/objects'])
"""

from __future__ import annotations

from typing import Any

from geoleads.web.filters import REVIEW_STATUSES, STATUS_FILTERS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _json(_ref("Error"), "Not logged in and no valid bearer token"),
    "403": _json(_ref("Error"), "The user's role does not allow this"),
}
NOT_FOUND = {"404": _json(_ref("Error"), "No such object")}
OBJECT_ID = {"name": "object_id", "in": "path", "required": True, "schema": {"type": "string"}}

RANK_COUNTRY = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "share": {"type": "number"},
        "tips": {"type": "integer"},
    },
}
RANK_ADMIN1 = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "country": {"type": "string"},
        "share": {"type": "number"},
        "tips": {"type": "integer"},
    },
}
RANK_LOCALITY = {
    "type": "object",
    "properties": {
        "geonameid": {"type": ["integer", "null"]},
        "name": {"type": "string"},
        "country": {"type": ["string", "null"]},
        "admin1": {"type": ["string", "null"]},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "share": {"type": "number"},
        "tips": {"type": "integer"},
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Verdict": {
        "type": "object",
        "properties": {
            "level": {"enum": ["none", "country", "admin1", "locality"]},
            "code": {"type": ["string", "null"]},
            "name": {"type": ["string", "null"]},
            "confidence": {"type": "number"},
        },
    },
    "Summary": {
        "type": "object",
        "description": "One entry of `geoleads summarize --format json` (DESIGN.md).",
        "required": ["object_id", "tips", "countries", "admin1", "localities", "verdict"],
        "properties": {
            "object_id": {"type": "string"},
            "tips": {"type": "integer"},
            "tips_with_places": {"type": "integer"},
            "countries": {"type": "array", "items": RANK_COUNTRY},
            "admin1": {"type": "array", "items": RANK_ADMIN1},
            "localities": {"type": "array", "items": RANK_LOCALITY},
            "peak": {"type": ["object", "null"]},
            "credible_region_km2": {"type": "object"},
            "verdict": _ref("Verdict"),
        },
    },
    "ObjectListItem": {
        "type": "object",
        "required": ["object_id", "tips", "unreviewed"],
        "properties": {
            "object_id": {"type": "string"},
            "title": {"type": "string"},
            "tips": {"type": "integer"},
            "unreviewed": {"type": "integer"},
            "last_tip_at": {"type": ["string", "null"], "format": "date-time"},
            "verdict": {"oneOf": [_ref("Verdict"), {"type": "null"}]},
        },
    },
    "Object": {
        "type": "object",
        "required": ["object_id", "summary"],
        "properties": {
            "object_id": {"type": "string"},
            "title": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]},
            "tips": {"type": "integer"},
            "unreviewed": {"type": "integer"},
            "last_tip_at": {"type": ["string", "null"], "format": "date-time"},
            "summary": _ref("Summary"),
        },
    },
    "Place": {
        "type": "object",
        "properties": {
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "kind": {"type": "string"},
            "label": {"type": "string"},
        },
    },
    "Tip": {
        "type": "object",
        "required": ["tip_id", "object_id", "text", "received_at", "review"],
        "properties": {
            "tip_id": {"type": "string"},
            "object_id": {"type": "string"},
            "text": {"type": "string"},
            "received_at": {"type": "string", "format": "date-time"},
            "language": {"type": ["string", "null"]},
            "review": {"enum": ["unreviewed", *REVIEW_STATUSES]},
            "reviewer": {"type": ["string", "null"]},
            "places": {"type": "array", "items": _ref("Place")},
        },
    },
    "TipPage": {
        "type": "object",
        "required": ["object_id", "total", "page", "per_page", "tips"],
        "properties": {
            "object_id": {"type": "string"},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "tips": {"type": "array", "items": _ref("Tip")},
        },
    },
    "ReviewRequest": {
        "type": "object",
        "required": ["tip_ids", "status"],
        "properties": {
            "tip_ids": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": 1000,
            },
            "status": {"enum": list(REVIEW_STATUSES)},
        },
    },
    "ReviewResult": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "reviewed": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
}

TIP_FILTERS = [
    {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "language tag"},
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "status", "in": "query", "schema": {"enum": list(STATUS_FILTERS)}},
    {
        "name": "country",
        "in": "query",
        "schema": {"type": "string"},
        "description": "ISO 3166-1 alpha-2 code of a place mentioned in the tip",
    },
    {"name": "has_place", "in": "query", "schema": {"enum": ["yes", "no"]}},
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "text contains"},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document as a dict."""
    secured: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "geoleads API",
            "version": "1",
            "description": "Objects, their summaries (rankings, verdict) and tips, for other "
            "tools. Authenticate with the session cookie of the web app or a bearer token "
            "from the account page.",
        },
        "servers": [{"url": "/"}],
        "security": secured,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "geoleads_session"},
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/api/v1/objects": {
                "get": {
                    "operationId": "listObjects",
                    "summary": "Every object with counts and its last computed verdict",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "objects": {"type": "array", "items": _ref("ObjectListItem")}
                                },
                            },
                            "Objects",
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/objects/{object_id}": {
                "get": {
                    "operationId": "getObject",
                    "summary": "One object with its summary",
                    "parameters": [OBJECT_ID],
                    "responses": {
                        "200": _json(_ref("Object"), "The object"),
                        **ERRORS,
                        **NOT_FOUND,
                    },
                }
            },
            "/api/v1/objects/{object_id}/summary": {
                "get": {
                    "operationId": "getSummary",
                    "summary": "The object's rankings, peak, credible regions and verdict",
                    "parameters": [OBJECT_ID],
                    "responses": {
                        "200": _json(_ref("Summary"), "The summary"),
                        **ERRORS,
                        **NOT_FOUND,
                    },
                }
            },
            "/api/v1/objects/{object_id}/tips": {
                "get": {
                    "operationId": "listTips",
                    "summary": "A filtered page of the object's tips, newest first",
                    "parameters": [OBJECT_ID, *TIP_FILTERS],
                    "responses": {"200": _json(_ref("TipPage"), "Tips"), **ERRORS, **NOT_FOUND},
                }
            },
            "/api/v1/reviews": {
                "post": {
                    "operationId": "reviewTips",
                    "summary": "Review tips (analysts and admins); all or nothing",
                    "description": "With the session cookie, send the CSRF token from "
                    "/api/v1/csrf-token in the X-CSRFToken header.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ReviewRequest")}},
                    },
                    "responses": {
                        "200": _json(_ref("ReviewResult"), "New review version per tip"),
                        "400": _json(_ref("Error"), "Bad request"),
                        **ERRORS,
                        "404": _json(_ref("Error"), "No such tip"),
                        "409": _json(_ref("Error"), "Reviewed by someone else meanwhile"),
                    },
                }
            },
            "/api/v1/csrf-token": {
                "get": {
                    "operationId": "csrfToken",
                    "summary": "A CSRF token for POSTs authenticated by the session cookie",
                    "responses": {
                        "200": _json(
                            {"type": "object", "properties": {"csrf_token": {"type": "string"}}},
                            "Token",
                        ),
                        **ERRORS,
                    },
                }
            },
        },
    }
