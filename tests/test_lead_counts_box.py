"""Issue 13 (F8): the blue counts box says "1 trade-in / 2 offers / 0 test drives" with
plurals from ngettext, in every language, on a blue background."""

import re

import pytest

from carflow.extensions import db
from tests.factories import make_lead, make_offer, make_trade_in


def _counts(html: str) -> str:
    box = re.search(r'<div class="[^"]*item-counts">(.*?)</div>\s*</div>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", " ", box)
    return " / ".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 trade-in / 0 test drives / 2 offers"),
        ("fr", "1 reprise / 0 essai routier / 2 offres"),
        ("nl", "1 inruil / 0 proefritten / 2 offertes"),
    ],
)
def test_counts_box_uses_plurals(client, login_as, language, expected):
    user = login_as("salesperson")
    user.language = language
    lead = make_lead(owner=user)
    make_trade_in(lead, user)
    make_offer(lead, user)
    make_offer(lead, user)
    db.session.commit()
    html = client.get(f"/admin/leads/{lead.id}").text
    assert _counts(html) == expected
    assert 'class="bg-primary text-white rounded p-2 h-100 item-counts"' in html
    assert "bg-info" not in html.split("item-counts")[0].rsplit("<div", 1)[1]
