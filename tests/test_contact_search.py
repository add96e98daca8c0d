"""Issue 13: "Link an existing contact" finds a contact by every word typed (F4), like the
overview: 'Lotte Mertens' finds Lotte Mertens, each word matching a name, e-mail or phone."""

from carflow.extensions import db
from carflow.models import ContactKind
from tests.factories import make_branch, make_contact


def _names(client, q):
    response = client.get("/admin/lead/contact-search", query_string={"q": q})
    assert response.status_code == 200
    return sorted(r["name"] for r in response.get_json()["results"])


def test_every_word_must_match_a_name_email_or_phone(client, login_as):
    user = login_as("salesperson")
    branch = user.branch_id
    make_contact(
        first_name="Lotte",
        last_name="Mertens",
        email="lotte.m@example.com",
        phone="+32 477 12 34 56",
        branch_id=branch,
    )
    make_contact(first_name="Pieter", last_name="Mertens", email="pm@example.com", branch_id=branch)
    make_contact(first_name="Lotte", last_name="Janssens", email="lj@example.com", branch_id=branch)
    make_contact(
        first_name="Anna", last_name="Van den Berg", email="avdb@example.com", branch_id=branch
    )
    make_contact(
        kind=ContactKind.company,
        first_name=None,
        last_name="Garage Mertens",
        email="info@garage.example",
        branch_id=branch,
    )
    db.session.commit()
    assert _names(client, "Lotte Mertens") == ["Lotte Mertens"]
    assert _names(client, "mertens lotte") == ["Lotte Mertens"]
    assert _names(client, "  LOTTE   mert ") == ["Lotte Mertens"]
    assert _names(client, "Mertens") == ["Garage Mertens", "Lotte Mertens", "Pieter Mertens"]
    assert _names(client, "garage mertens") == ["Garage Mertens"]  # company name
    assert _names(client, "Anna Berg") == ["Anna Van den Berg"]  # a word inside a name
    assert _names(client, "lotte lotte.m@") == ["Lotte Mertens"]  # e-mail
    assert _names(client, "Lotte 0477 12") == ["Lotte Mertens"]  # national form of +32 477
    assert _names(client, "Lotte 0499") == []
    assert _names(client, "Lotte +32 477 12") == ["Lotte Mertens"]  # phone typed in groups
    assert _names(client, "Lotte Peeters") == []
    assert _names(client, "%") == [] and _names(client, "l_tte") == []  # LIKE is escaped


def test_two_word_search_stays_in_the_users_scope(client, login_as):
    login_as("salesperson")
    other = make_branch()
    make_contact(first_name="Lotte", last_name="Mertens", branch_id=other.id)
    db.session.commit()
    assert _names(client, "Lotte Mertens") == []
