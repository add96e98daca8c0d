"""Showing a received request as it came (issue 15): pretty-printed when it is JSON or XML.

XML is parsed with defusedxml (no entities, no external DTDs); a payload that does not
parse is shown as received. The template escapes the text.
"""

from __future__ import annotations

import json

from defusedxml import minidom
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from carflow.extensions import db
from carflow.models import LeadIntake, LeadSource

PRETTY_MAX_CHARS = 200_000


def load_intake(intake_id: int) -> LeadIntake | None:
    """One received request with its API key (one query)."""
    query = (
        select(LeadIntake).options(joinedload(LeadIntake.api_key)).where(LeadIntake.id == intake_id)
    )
    return db.session.scalars(query).first()


def source_name(intake: LeadIntake) -> str | None:
    """The source the request came from: its key's, else the one named by `sender`."""
    if intake.api_key is not None:
        return db.session.get(LeadSource, intake.api_key.source_id).name
    kind, _sep, number = intake.sender.partition(":")
    if kind == "source" and number.isdigit():
        source = db.session.get(LeadSource, int(number))
        return source.name if source else None
    return None


def _pretty_json(raw: str) -> str | None:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def _pretty_xml(raw: str) -> str | None:
    try:
        text = minidom.parseString(raw.encode("utf-8")).toprettyxml(indent="  ")
    except Exception:  # any refusal of the parser (bombs included): show it as received
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines)


def pretty_payload(raw: str, content_type: str | None) -> str:
    """The payload indented for reading when it is JSON or XML, else as received."""
    if len(raw) > PRETTY_MAX_CHARS:
        return raw
    kind = (content_type or "").lower()
    stripped = raw.lstrip()
    if "json" in kind or stripped.startswith(("{", "[")):
        return _pretty_json(raw) or raw
    if "xml" in kind or stripped.startswith("<"):
        return _pretty_xml(raw) or raw
    return raw
