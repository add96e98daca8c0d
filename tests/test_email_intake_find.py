"""ADF found in e-mails wherever senders put it (issue 15, item 1: ADF by e-mail)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carflow.intake.adf import parse_adf
from carflow.intake.email_intake import find_adf, read_email
from carflow.intake.incoming import IntakeError
from tests import email_samples as mails


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (mails.whole_body, "plain-text body"),
        (mails.as_attachment, "attachment lead.xml"),
        (mails.in_html, "HTML body"),
        (lambda **kw: mails.in_html(escaped=False, **kw), "HTML body"),
        (mails.in_plain_text, "plain-text body"),
    ],
)
def test_adf_found_once_wherever_it_is(build, where):
    found = find_adf(build())
    assert len(found) == 1
    data, description = found[0]
    assert description == where
    lead = parse_adf(data)
    assert (lead.contact.first_name, lead.contact.last_name) == ("Sophie", "Peeters")
    assert lead.external_id == "AS24-778812"


def test_pi_bom_sample_as_attachment_keeps_its_bytes():
    raw = mails.as_attachment(mails.adf_sample("pi_before_declaration_bom.xml"))
    ((data, _),) = find_adf(raw)
    assert data.startswith(b"\xef\xbb\xbf<?adf")
    assert parse_adf(data).contact.first_name == "Zoë"


def test_idempotency_key_from_message_id():
    email = read_email(mails.as_attachment(message_id="<lead-1@portal.example>"))
    assert email.message_id == "<lead-1@portal.example>"
    assert [d.idempotency_key for d in email.documents] == ["email:<lead-1@portal.example>"]
    assert email.subject == "Lead attached"
    assert email.sender == "leads@autoscout24.example"


def test_several_documents_get_numbered_keys():
    message = EmailMessage()
    message["Message-ID"] = "<two@portal.example>"
    message.set_content("Two leads attached.")
    message.add_attachment(mails.adf_sample("sell.xml"), "application", "xml", filename="a.xml")
    message.add_attachment(mails.adf_sample("lease.xml"), "text", "xml", filename="b.adf")
    email = read_email(message.as_bytes())
    assert [d.idempotency_key for d in email.documents] == [
        "email:<two@portal.example>#1",
        "email:<two@portal.example>#2",
    ]
    assert [parse_adf(d.data).interest for d in email.documents] == ["sell", "lease"]


def test_message_without_message_id_keyed_by_its_bytes():
    message = EmailMessage()
    message.set_content(mails.adf_sample("sell.xml").decode())
    raw = message.as_bytes()
    first, second = read_email(raw), read_email(raw)
    assert first.message_id is None
    assert first.documents[0].idempotency_key.startswith("email-sha256:")
    assert first.documents[0].idempotency_key == second.documents[0].idempotency_key


def test_forwarded_message_is_read():
    outer = EmailMessage()
    outer["Message-ID"] = "<fwd@dealer.example>"
    outer.set_content("Forwarding this lead.")
    inner = EmailMessage()
    inner.set_content(mails.adf_sample("trade_in.xml").decode())
    outer.add_attachment(inner)
    ((data, _),) = find_adf(outer.as_bytes())
    assert parse_adf(data).vehicles[1].interest == "trade-in"


@pytest.mark.parametrize(
    "raw",
    [
        mails.without_adf(),
        b"",
        b"not a mail at all \xff\xfe",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nbroken",
    ],
)
def test_no_adf_found_is_an_empty_list_never_an_error(raw):
    assert find_adf(raw) == []
    assert read_email(raw).documents == ()


def test_a_very_long_message_id_is_hashed_into_a_short_key():
    long_id = "<" + "x" * 400 + "@portal.example>"
    email = read_email(mails.as_attachment(message_id=long_id))
    assert email.message_key.startswith("email-id-sha256:")
    assert len(email.documents[0].idempotency_key) <= 200
    assert read_email(mails.whole_body(message_id=long_id)).message_key == email.message_key


def test_headers_only_reads_no_document():
    email = read_email(mails.as_attachment(message_id="<big@x>"), headers_only=True)
    assert email.message_key == "email:<big@x>" and email.documents == ()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=3000))
def test_any_bytes_read_as_a_message_never_raise(raw):
    email = read_email(raw)
    assert email.message_key.startswith("email")


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(max_size=300), st.sampled_from(["plain", "html"]))
def test_any_text_around_an_adf_never_raises(noise, subtype):
    body = f"{noise}\n{mails.adf_sample('sell.xml').decode()}\n{noise}"
    message = EmailMessage()
    message["Message-ID"] = "<fuzz@x>"
    message.set_content(body, subtype=subtype)
    for data, _where in find_adf(message.as_bytes()):
        try:
            parse_adf(data)
        except IntakeError as error:
            assert error.field
