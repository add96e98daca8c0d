"""The leads search index (F2): terms per lead, prefix lookups on an index range.

`carflow.services.search_sync` calls `reindex_lead(lead_id)` / `reindex_contact(contact_id)`
before every commit for the leads whose searched data changed (lead code, linked contacts,
trade-ins, offers, test drives, contact names/email/phones), in the same transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, exists, false, func, insert, literal, select, tuple_

from carflow.extensions import db
from carflow.models import (
    Contact,
    Lead,
    LeadContact,
    LeadSearchTerm,
    Offer,
    TestDrive,
    TradeIn,
    Vehicle,
)

TERM_LENGTH = 64
SPARSE_CAP = 5000  # ≈ sqrt(page × leads) at 1M: lookups by id and row checks cost alike
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_SPLIT = re.compile(r"[\s\-'’/,.&()]+")


def normalize(text: str | None) -> str:
    """Lower-case ASCII letters and digits only: 'Müller-Lüdenscheidt' → 'mullerludenscheidt'."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())[:TERM_LENGTH]


def name_terms(text: str | None) -> set[str]:
    """Each word of a name, and the whole name run together ('Van den Berg' → 'vandenberg')."""
    if not text:
        return set()
    terms = {normalize(word) for word in _SPLIT.split(text)}
    terms.add(normalize(text))
    return {t for t in terms if t}


def phone_terms(phone: str | None) -> set[str]:
    """Phone digits, international and national ('+32 477…' → '32477…' and '0477…')."""
    digits = normalize(phone)
    if not digits:
        return set()
    terms = {digits}
    if digits.startswith("00"):
        digits = digits[2:]
        terms.add(digits)
    if digits.startswith("32") and len(digits) > 8:
        terms.add("0" + digits[2:])
    return terms


def contact_terms(contact) -> set[str]:
    """The searchable words of a contact (a row or an object with the contact's fields)."""
    terms = name_terms(contact.first_name) | name_terms(contact.last_name)
    terms |= phone_terms(contact.phone) | phone_terms(contact.mobile)
    if contact.email:
        terms.add(normalize(contact.email))
    return terms


def lead_terms(code: str, vehicle_ids: set[str] | None = None) -> set[str]:
    """The lead's own words: its code ('L2026-000123' → 'l2026000123', '000123')."""
    terms = {normalize(code)}
    if "-" in code:
        terms.add(normalize(code.rsplit("-", 1)[1]))
    return {t for t in terms | (vehicle_ids or set()) if t}


def _vehicle_terms(lead_id: int) -> set[str]:
    rows = list(
        db.session.execute(select(TradeIn.plate, TradeIn.vin).where(TradeIn.lead_id == lead_id))
    )
    for model in (Offer, TestDrive):
        rows += db.session.execute(
            select(Vehicle.plate, Vehicle.vin)
            .join(model, model.vehicle_id == Vehicle.id)
            .where(model.lead_id == lead_id)
        ).all()
    return {normalize(value) for row in rows for value in row if value}


def reindex_lead(lead_id: int) -> None:
    """Rewrite the search terms of one lead from its current data."""
    lead = db.session.get(Lead, lead_id)
    db.session.flush()
    db.session.execute(delete(LeadSearchTerm).where(LeadSearchTerm.lead_id == lead_id))
    if lead is None:
        return
    contact_ids = {lead.contact_id} | set(
        db.session.scalars(select(LeadContact.contact_id).where(LeadContact.lead_id == lead_id))
    )
    terms = lead_terms(lead.code, _vehicle_terms(lead_id))
    for contact in db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids))):
        terms |= contact_terms(contact)
    if terms:
        db.session.execute(
            insert(LeadSearchTerm),
            [
                {"lead_id": lead_id, "term": t, "lead_created_at": lead.created_at}
                for t in sorted(terms)
            ],
        )


def reindex_contact(contact_id: int) -> None:
    """Rewrite the search terms of every lead the contact belongs to (after an edit)."""
    db.session.flush()
    lead_ids = set(db.session.scalars(select(Lead.id).where(Lead.contact_id == contact_id)))
    lead_ids |= set(
        db.session.scalars(select(LeadContact.lead_id).where(LeadContact.contact_id == contact_id))
    )
    for lead_id in sorted(lead_ids):
        reindex_lead(lead_id)


def prefix_range(prefix: str):
    """The index range of terms starting with `prefix` (no LIKE: same plan on every database)."""
    column = LeadSearchTerm.term
    upper = prefix.rstrip("z")
    if not upper:
        return column >= prefix
    following = upper[:-1] + _ALPHABET[_ALPHABET.index(upper[-1]) + 1]
    return (column >= prefix) & (column < following)


def search_words(search: str | None) -> list[str]:
    """The normalized words of a search box input; every one must match.

    Groups of digits typed with spaces ('0477 12 34') are one phone number.
    """
    words: list[str] = []
    for word in (normalize(w) for w in (search or "").split()):
        if word.isdigit() and words and words[-1].isdigit():
            words[-1] += word
        elif word:
            words.append(word)
    return words


def _term_exists(word: str):
    return exists().where(LeadSearchTerm.lead_id == Lead.id, prefix_range(word))


@dataclass
class LeadSearch:
    """A search box input, as conditions on Lead.

    `longest` is the word with the fewest matches to expect; `term_range` its index range;
    `others` the conditions of the other words. How the longest word is matched depends on
    how many leads it matches (`condition`): few are read by id, many are checked row by
    row while the page's ordered scan runs (`dense_condition`).
    """

    longest: str
    term_range: object
    others: list = field(default_factory=list)

    def dense_condition(self):
        """Every word checked on the lead's (lead_id, term) key."""
        return and_(_term_exists(self.longest), *self.others)

    def sparse_condition(self):
        """The leads of the longest word's range, by id; the other words checked."""
        matches = select(LeadSearchTerm.lead_id).where(self.term_range)
        return and_(Lead.id.in_(matches), *self.others)

    def condition(self):
        """The WHERE for any sort: one query counts at most SPARSE_CAP+1 matching entries
        of the longest word and chooses the sparse or the dense form."""
        probe = select(LeadSearchTerm.lead_id).where(self.term_range).limit(SPARSE_CAP + 1)
        found = db.session.scalar(select(func.count()).select_from(probe.subquery()))
        if not found:
            return false()
        return self.dense_condition() if found > SPARSE_CAP else self.sparse_condition()


def search_leads(search: str | None) -> LeadSearch | None:
    """The search of the overview, or None when the input has no word (no query here)."""
    words = search_words(search)
    if not words:
        return None
    longest = max(words, key=len)
    others = [_term_exists(w) for w in words if w is not longest]
    return LeadSearch(longest, prefix_range(longest), others)


@dataclass
class IndexMatches:
    """What `newest_matches` read: lead ids in order, index entries read, and whether more
    than SPARSE_CAP entries follow the cursor (then the matches are dense)."""

    ids: list[int]
    read: int
    dense: bool


def newest_matches(term_range, after, descending: bool, limit: int) -> IndexMatches:
    """The first `limit` index entries of `term_range` in creation order from the cursor
    `after` ((created_at, id) or None), read from the index (term, lead_created_at,
    lead_id) alone, with the number of entries after the cursor (at most SPARSE_CAP+1):
    one query both decides whether the matches are few and gives the candidates."""
    keys = (LeadSearchTerm.lead_created_at, LeadSearchTerm.lead_id)
    entries = select(*keys).where(term_range)
    if after is not None:
        bound = tuple_(*[literal(v, type_=k.type) for k, v in zip(keys, after, strict=True)])
        entries = entries.where(tuple_(*keys) < bound if descending else tuple_(*keys) > bound)
    capped = entries.limit(SPARSE_CAP + 1).subquery()
    columns = (capped.c.lead_created_at, capped.c.lead_id)
    query = (
        select(capped.c.lead_id, func.count().over())
        .order_by(*[c.desc() if descending else c.asc() for c in columns])
        .limit(limit)
    )
    rows = db.session.connection().execute(query).all()
    ids = list(dict.fromkeys(lead_id for lead_id, _ in rows))
    return IndexMatches(ids, len(rows), bool(rows) and rows[0][1] > SPARSE_CAP)


def search_condition(search: str | None):
    """A WHERE condition on Lead for the search box, or None when it is empty."""
    found = search_leads(search)
    return None if found is None else found.condition()
