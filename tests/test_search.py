"""F2: the leads search index — prefixes of names, phone digits, plates, codes; kept in sync."""

import re

import pytest

from carflow.extensions import db
from carflow.models import LeadSearchTerm, TradeIn
from carflow.services import search
from carflow.services.contacts import update_contact
from carflow.services.search import normalize, prefix_range, reindex_lead
from tests.factories import make_branch, make_contact, make_lead, make_user


def _codes(client, term: str) -> list[str]:
    page = client.get("/admin/lead/", query_string={"search": term}).get_data(as_text=True)
    return re.findall(r">(L\d{4}-\d{6})</a>", page)


@pytest.fixture
def leads(login_as):
    user = login_as("sales_manager")
    found = make_lead(
        owner=user,
        contact=make_contact(
            first_name="Élodie",
            last_name="Van den Berghe",
            email="elodie.vdb@mail.example",
            phone="+32 477 12 34 56",
        ),
    )
    other = make_lead(owner=user, contact=make_contact(first_name="Tom", last_name="Bertels"))
    db.session.add(TradeIn(lead_id=other.id, make="Skoda", model="Fabia", plate="1-KLM-042"))
    reindex_lead(other.id)  # what the trade-in service does after saving one
    db.session.commit()
    return found, other


def test_normalize_keeps_letters_and_digits():
    assert normalize("Müller-Lüdenscheidt") == "mullerludenscheidt"
    assert normalize("+32 (0)477/12.34") == "320477" + "1234"
    assert normalize(None) == ""


@pytest.mark.parametrize(
    "term",
    ["van", "Van den B", "berg", "vandenb", "élo", "elodie", "ELODIE.VDB@", "+32477", "0477 12"],
)
def test_prefix_search_finds_names_email_and_phone(client, leads, term):
    found, _ = leads
    assert _codes(client, term) == [found.code]


def test_search_by_plate_without_dashes_and_by_code(client, leads):
    found, other = leads
    assert _codes(client, "1klm0") == [other.code]
    assert _codes(client, "1-KLM-042") == [other.code]
    assert _codes(client, found.code) == [found.code]
    assert _codes(client, found.code.split("-")[1]) == [found.code]


def test_every_word_must_match(client, leads):
    found, other = leads
    assert _codes(client, "elodie berg") == [found.code]
    assert _codes(client, "elodie bertels") == []
    assert _codes(client, "zzzz") == []


def test_index_follows_a_contact_edit(client, leads):
    found, _ = leads
    update_contact(found.contact, None, last_name="Janssens", phone="+32 2 555 66 77")
    db.session.commit()
    assert _codes(client, "janss") == [found.code]
    assert _codes(client, "berghe") == []
    assert _codes(client, "0477") == []
    assert _codes(client, "025556") == [found.code]


def test_dense_matches_are_checked_row_by_row(client, leads, monkeypatch):
    monkeypatch.setattr(search, "SPARSE_CAP", 0)  # every search takes the 'dense' path
    found, other = leads
    assert _codes(client, "vandenb") == [found.code]
    assert _codes(client, "1klm") == [other.code]


def test_search_stays_within_the_users_scope(client, login_as):
    ghent = make_branch("Ghent")
    hidden = make_lead(owner=make_user(branch=ghent), contact=make_contact(last_name="Secretis"))
    visible = make_lead(owner=make_user(), contact=make_contact(last_name="Secretus"))
    login_as("salesperson", branch_=visible.branch)
    assert _codes(client, "secret") == [visible.code]
    assert hidden.code not in _codes(client, hidden.code)


def test_prefix_range_is_an_index_range(app):
    assert str(prefix_range("abz").compile()).count("lead_search.term") == 2
    assert "<" not in str(prefix_range("zz").compile())  # no upper bound after 'zz…'
    lead = make_lead()
    db.session.execute(db.delete(LeadSearchTerm))
    for term in ["ab", "ab0", "abz9", "ac", "b", "a"]:
        db.session.add(LeadSearchTerm(lead_id=lead.id, term=term, lead_created_at=lead.created_at))
    db.session.flush()
    query = db.select(LeadSearchTerm.term).order_by(LeadSearchTerm.term)
    assert db.session.scalars(query.where(prefix_range("ab"))).all() == ["ab", "ab0", "abz9"]
    assert db.session.scalars(query.where(prefix_range("abz"))).all() == ["abz9"]
    assert db.session.scalars(query.where(prefix_range("b"))).all() == ["b"]
