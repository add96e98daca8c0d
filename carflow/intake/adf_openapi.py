"""The OpenAPI description of `POST /api/v1/leads/adf` (issue 15), added to the intake
API's document by `carflow.intake.openapi`."""

from __future__ import annotations

ADF_EXAMPLE = (
    '<?xml version="1.0"?>\n<?adf version="1.0"?>\n<adf><prospect>'
    '<id source="portal">A-1</id><requestdate>2026-11-29T10:15:00+01:00</requestdate>'
    '<vehicle interest="buy" status="used"><make>Skoda</make><model>Octavia</model>'
    '<stock>ST-1</stock></vehicle><customer><contact><name part="first">Ann</name>'
    '<name part="last">Lee</name><email>ann@example.com</email>'
    '<phone type="mobile">+32470112233</phone></contact></customer></prospect></adf>'
)
ADF_STATUSES = {
    "400": "Not acceptable XML: not well-formed, a DTD or entity declarations.",
    "401": "No API key, or an unknown or revoked one.",
    "409": "The same request is being received right now: retry.",
    "413": "The body is larger than the limit.",
    "415": "The body is not application/xml, text/xml or application/x-adf+xml.",
    "422": "An ADF element is wrong: `errors[].field` is its path (prospect/customer/…).",
    "429": "Too many requests with this key: slow down.",
}


def adf_paths(json_response) -> dict:
    """The `/leads/adf` path item; `json_response(ref, text)` builds a JSON response."""
    xml_body = {"schema": {"type": "string"}, "example": ADF_EXAMPLE}
    responses = {
        "201": json_response("LeadResult", "The lead was created, or added to an open lead."),
        "200": json_response("LeadResult", "A retry (same Idempotency-Key or ADF <id>)."),
    }
    responses.update({code: json_response("Errors", text) for code, text in ADF_STATUSES.items()})
    operation = {
        "operationId": "createAdfLead",
        "summary": "Send one lead in ADF (Auto-lead Data Format, XML)",
        "description": (
            "One <prospect> per document. With or without the XML declaration and the "
            '<?adf version="1.0"?> instruction; a <requestdate> without a zone is read in '
            "the key's branch zone. DTDs and entities are refused."
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
                "application/xml": xml_body,
                "text/xml": xml_body,
                "application/x-adf+xml": xml_body,
            },
        },
        "responses": responses,
    }
    return {"/leads/adf": {"post": operation}}
