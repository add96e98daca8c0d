"""The leads overview (F1–F4): list, filters, search, sort, and lead creation."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from carflow.admin.base import SecuredModelView
from carflow.admin.lead_filters import LEAD_FILTERS
from carflow.admin.lead_forms import LeadCreateForm, fill_lead_form_choices
from carflow.extensions import db
from carflow.i18n import fmt_datetime
from carflow.models import Branch, Contact, Lead, LeadSource, LeadType, User
from carflow.models.enums import ContactKind
from carflow.permissions import can, scope_leads
from carflow.services.contacts import search_contacts
from carflow.services.errors import ServiceError
from carflow.services.lead_creation import create_lead_from_form
from carflow.services.overview import fetch_page
from carflow.services.search import search_condition


def _per_request(key: str, build):
    """A value computed once per request (labels, URL patterns) for the page's rows."""
    cache = g.setdefault("lead_overview_cache", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _status_badge(view, context, model, name):
    status = model.status
    return _per_request(
        f"status:{status.value}",
        lambda: Markup('<span class="badge badge-{} status-badge">{}</span>').format(
            status.color, status.label
        ),
    )


def _code_link(view, context, model, name):
    pattern = _per_request("lead_url", lambda: url_for("lead_page.page", lead_id=0)[:-1])
    return Markup('<a href="{}{}">{}</a>').format(pattern, model.id, model.code)


def _owner(view, context, model, name):
    if model.owner is None:
        return _per_request(
            "queue",
            lambda: Markup('<span class="text-muted">{}</span>').format(_("Branch queue")),
        )
    return model.owner


def _deadline(view, context, model, name):
    from carflow.models import utcnow

    if model.next_deadline_at is None:
        return ""
    text = escape(fmt_datetime(model.next_deadline_at))
    if model.status.value == "open" and model.next_deadline_at < utcnow():
        return Markup('<span class="text-danger font-weight-bold overdue">{}</span>').format(text)
    return text


def _dt(view, context, model, name):
    return fmt_datetime(getattr(model, name))


def _row_options():
    """A row's relations, loaded in the page's own query (fixed query count)."""
    return [
        joinedload(Lead.contact),
        joinedload(Lead.owner),
        joinedload(Lead.branch),
        joinedload(Lead.lead_type),
        joinedload(Lead.source),
    ]


class OverviewRow:
    """One overview row as plain values (loading 50 ORM leads with five joined
    relations cost more than the SQL). Relations are their display texts."""

    __slots__ = ("id", "code", "status", "next_deadline_at", "created_at", "last_activity_at",
                 "contact", "owner", "branch", "lead_type", "source")  # fmt: skip

    def __init__(self, row):
        (self.id, self.code, self.status, self.next_deadline_at, self.created_at,
         self.last_activity_at, kind, first, last, owner_first, owner_last, self.branch,
         self.lead_type, self.source) = row  # fmt: skip
        self.contact = last if kind == ContactKind.company or not first else f"{first} {last}"
        has_owner = owner_first is not None or owner_last is not None
        self.owner = f"{owner_first or ''} {owner_last or ''}".strip() if has_owner else None


def _load_rows(ids):
    """The page's rows with their relations' names, in one query."""
    owner = aliased(User)
    query = (
        select(
            Lead.id,
            Lead.code,
            Lead.status,
            Lead.next_deadline_at,
            Lead.created_at,
            Lead.last_activity_at,
            Contact.kind,
            Contact.first_name,
            Contact.last_name,
            owner.first_name,
            owner.last_name,
            Branch.name,
            LeadType.name,
            LeadSource.name,
        )  # fmt: skip
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .join(Branch, Branch.id == Lead.branch_id)
        .join(LeadType, LeadType.id == Lead.lead_type_id)
        .join(LeadSource, LeadSource.id == Lead.source_id)
        .where(Lead.id.in_(ids))
    )
    return [OverviewRow(row) for row in db.session.execute(query)]


def _pager_urls(page) -> dict:
    """First / previous / next links: the current filters, sort and search plus a cursor."""
    args = {k: v for k, v in request.args.items() if k not in {"after", "before", "page"}}
    urls = {"first": url_for(".index_view", **args) if page.prev_cursor else None}
    urls["prev"] = page.prev_cursor and url_for(".index_view", before=page.prev_cursor, **args)
    urls["next"] = page.next_cursor and url_for(".index_view", after=page.next_cursor, **args)
    return urls


class LeadView(SecuredModelView):
    """Leads overview; rows link to the lead page. Scoped to what the user may see."""

    required_action = "lead.view"

    @property
    def can_create(self) -> bool:
        """The Create tab shows only to users who may create leads (F19)."""
        return bool(current_user and current_user.is_authenticated) and can(
            current_user, "lead.create"
        )

    can_edit = False
    can_delete = False
    can_view_details = False
    list_template = "admin/lead/list.html"
    simple_list_pager = True  # no count(*) of the whole table; see get_list
    create_template = "admin/lead/create.html"
    column_list = (
        "code",
        "contact",
        "owner",
        "branch",
        "lead_type",
        "source",
        "status",
        "next_deadline_at",
        "created_at",
        "last_activity_at",
    )
    column_labels = {
        "code": _l("Code"),
        "contact": _l("Contact"),
        "owner": _l("Owner"),
        "branch": _l("Branch"),
        "lead_type": _l("Type"),
        "source": _l("Source"),
        "status": _l("Status"),
        "next_deadline_at": _l("Next deadline"),
        "created_at": _l("Created"),
        "last_activity_at": _l("Last activity"),
    }
    column_sortable_list = (
        "code",
        ("contact", "contact.last_name"),
        ("owner", "owner.last_name"),
        ("branch", "branch.name"),
        ("lead_type", "lead_type.name"),
        ("source", "source.name"),
        "status",
        "next_deadline_at",
        "created_at",
        "last_activity_at",
    )
    column_default_sort = ("created_at", True)
    column_formatters = {
        "status": _status_badge,
        "code": _code_link,
        "owner": _owner,
        "next_deadline_at": _deadline,
        "created_at": _dt,
        "last_activity_at": _dt,
    }
    column_filters = LEAD_FILTERS
    column_searchable_list = ("code",)  # enables the search box; see _apply_search
    search_placeholder_text = _l("Code, name, email, phone, plate or VIN")

    def search_placeholder(self):
        return str(self.search_placeholder_text)

    def is_action_allowed(self, name):
        return False

    def get_query(self):
        """Scoped to the user's leads; the row's relations are loaded in the same query."""
        return scope_leads(super().get_query(), current_user).options(*_row_options())

    def get_count_query(self):
        return scope_leads(super().get_count_query(), current_user)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """F3: a keyset page (cursor in `after`/`before`); no OFFSET and no count.

        Counting the matches costs a scan of all of them (a filter on one owner: 25,000
        rows at 1M leads), so the pager shows First / Previous / Next instead of totals.
        """
        query = scope_leads(db.session.query(Lead), current_user)
        condition = search_condition(search) if search else None
        if condition is not None:
            query = query.filter(condition)
        if filters and self._filters:
            query = self._apply_filters(query, None, {}, {}, filters)[0]
        if sort_column is None:
            sort_column, sort_desc = "created_at", True
        result = fetch_page(
            query,
            sort_column,
            bool(sort_desc),
            after=request.args.get("after"),
            before=request.args.get("before"),
            page_size=page_size or self.page_size,
            load=_load_rows,
        )
        g.lead_pager = result
        g.lead_cells = [self._cells(lead) for lead in result.rows]
        g.lead_pager_urls = _pager_urls(result)
        return None, result.rows

    def _cells(self, lead) -> list:
        """A row's cell values, formatted once in Python (the stock row macros are slow)."""
        cells = []
        for name in self.column_list:
            formatter = self.column_formatters.get(name)
            value = formatter(self, None, lead, name) if formatter else getattr(lead, name)
            cells.append((name, "" if value is None else value))
        return cells

    def get_one(self, id):
        lead = super().get_one(id)
        if lead is None or not can(current_user, "lead.view", lead):
            return None
        return lead

    def _get_filter_groups(self):
        """Filter choices (owners, branches, types, sources) are read fresh per request."""
        self._refresh_filters_cache()
        return super()._get_filter_groups()

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """F4: create a lead — pick a contact found by search, or create one inline."""
        if not can(current_user, "lead.create"):
            abort(403)
        form = LeadCreateForm()
        fill_lead_form_choices(form, current_user)
        if form.validate_on_submit():
            try:
                lead = create_lead_from_form(form, current_user)
            except ServiceError as error:
                db.session.rollback()
                form.attach_error(error)
            else:
                db.session.commit()
                flash(_("Lead %(code)s created.", code=lead.code), "success")
                return redirect(url_for("lead_page.page", lead_id=lead.id))
        elif request.method == "GET":
            form.branch_id.data = current_user.branch_id
            form.owner_id.data = current_user.id
        return self.render(self.create_template, form=form)

    @expose("/contact-search")
    def contact_search(self):
        """JSON: contacts matching `q`, to pick one instead of creating a duplicate."""
        if not (can(current_user, "lead.create") or can(current_user, "lead.edit_contacts")):
            abort(403)
        results = [
            {
                "id": c.id,
                "name": c.display_name,
                "email": c.email or "",
                "phone": c.phone or c.mobile or "",
                "city": c.city or "",
            }
            for c in search_contacts(request.args.get("q", ""), user=current_user)
        ]
        return jsonify(results=results)
