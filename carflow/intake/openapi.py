"""The OpenAPI 3.1 document of the intake API, served at /api/v1/openapi.json.

The request body's schema is built from the parser's own field table
(`carflow.intake.json_payload`), so the document and the checks cannot drift apart.
"""

from __future__ import annotations

from carflow.intake.adf_openapi import adf_paths
from carflow.intake.json_payload import (
    CONTACT_FIELDS,
    LEAD_FIELDS,
    MAX_PHONES,
    MAX_VEHICLES,
    PHONE,
    VEHICLE_FIELDS,
    Field,
)

ERROR_STATUSES = {
    "400": "The body is not JSON, or not an object.",
    "401": "No API key, or an unknown or revoked one.",
    "409": "The same request is being received right now: retry.",
    "413": "The body is larger than the limit.",
    "415": "The body is not application/json.",
    "422": "A field is wrong: `errors[].field` is its JSON path.",
    "429": "Too many requests with this key: slow down.",
}


def _field_schema(spec: Field) -> dict:
    schema: dict = {}
    if spec.kind == "date-time":
        schema = {"type": ["string", "null"], "format": "date-time"}
    else:
        schema = {"type": [spec.kind, "null"]}
    if spec.max_length is not None:
        schema["maxLength"] = spec.max_length
    if spec.minimum is not None:
        schema["minimum"], schema["maximum"] = spec.minimum, spec.maximum
    if spec.choices is not None:
        schema["enum"] = [*spec.choices, None]
    if spec.pattern is not None:
        schema["pattern"] = spec.pattern
    if spec.description:
        schema["description"] = spec.description
    return schema


def _object_schema(fields: dict[str, Field], **extra_properties) -> dict:
    properties = {name: _field_schema(spec) for name, spec in fields.items()}
    properties.update(extra_properties)
    return {"type": "object", "additionalProperties": False, "properties": properties}


def _lead_request_schema() -> dict:
    contact = _object_schema(
        CONTACT_FIELDS,
        phones={"type": ["array", "null"], "maxItems": MAX_PHONES, "items": _field_schema(PHONE)},
    )
    contact["description"] = "The customer: an e-mail address or a phone number is required."
    schema = _object_schema(
        LEAD_FIELDS,
        contact={"$ref": "#/components/schemas/Contact"},
        vehicles={
            "type": ["array", "null"],
            "maxItems": MAX_VEHICLES,
            "items": {"$ref": "#/components/schemas/Vehicle"},
        },
    )
    schema["required"] = ["contact"]
    return {"LeadRequest": schema, "Contact": contact, "Vehicle": _object_schema(VEHICLE_FIELDS)}


RESULT_SCHEMA = {
    "type": "object",
    "required": ["id", "code", "url", "outcome"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "The lead's code, e.g. L2026-000123."},
        "url": {"type": "string", "format": "uri"},
        "outcome": {
            "type": "string",
            "enum": ["created", "enquiry_again"],
            "description": "enquiry_again: added to the contact's open lead of that type.",
        },
    },
}
ERRORS_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        }
    },
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _post_leads() -> dict:
    responses = {
        "201": _json("LeadResult", "The lead was created, or the request added to an open lead."),
        "200": _json("LeadResult", "A retry of a request already received: its first answer."),
    }
    responses.update({code: _json("Errors", text) for code, text in ERROR_STATUSES.items()})
    return {
        "operationId": "createLead",
        "summary": "Send one lead",
        "description": (
            "Creates a lead for the key's branch and source. A contact with the same e-mail "
            "or phone is reused; an open lead of the same type in the same branch within "
            "the enquiry-again window gets the request instead of a new lead."
        ),
        "security": [{"bearer": []}, {"apiKeyHeader": []}],
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Any unique string: a retry with it answers the first result.",
                "schema": {"type": "string", "maxLength": 200},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/LeadRequest"}}
            },
        },
        "responses": responses,
    }


def openapi_document(server_url: str) -> dict:
    """The whole document, with `server_url` (the API's base URL) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Carflow lead intake",
            "version": "1.0.0",
            "description": "Send leads to Carflow. Keys are created in Settings › API keys.",
        },
        "servers": [{"url": server_url}],
        "paths": {"/leads": {"post": _post_leads()}, **adf_paths(_json)},  # + ADF (issue 15)
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
            "schemas": {
                **_lead_request_schema(),
                "LeadResult": RESULT_SCHEMA,
                "Errors": ERRORS_SCHEMA,
            },
        },
    }
