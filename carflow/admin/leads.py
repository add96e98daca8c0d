"""The leads overview (F1–F4): list, filters, search, sort, and lead creation."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import iter_multi_items

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import SecuredModelView
from carflow.admin.exports import ExportMixin
from carflow.admin.lead_filters import LEAD_FILTERS, apply_filters, filter_groups
from carflow.admin.lead_forms import NewLeadForm, fill_lead_form_choices
from carflow.admin.lead_rows import COLUMNS, load_rows
from carflow.extensions import db
from carflow.models import Lead
from carflow.permissions import can, scope_leads
from carflow.safe_form import without_control_characters
from carflow.services.contacts import search_contacts
from carflow.services.lead_creation import create_lead_with_contact
from carflow.services.overview import fetch_page
from carflow.services.search import search_leads

# Characters Werkzeug leaves unescaped in query strings (werkzeug.urls._urlencode).
URL_SAFE = "!$'()*,/:;?@"


def _row_options():
    """A lead's relations, loaded in the same query (`get_query`, used by `get_one`)."""
    return [
        joinedload(Lead.contact),
        joinedload(Lead.owner),
        joinedload(Lead.branch),
        joinedload(Lead.lead_type),
        joinedload(Lead.source),
    ]


def _pager_urls(page) -> dict:
    """First / previous / next links: the current filters, sort and search plus a cursor."""
    args = {k: v for k, v in request.args.items() if k not in {"after", "before", "page"}}
    urls = {"first": url_for(".index_view", **args) if page.prev_cursor else None}
    urls["prev"] = page.prev_cursor and url_for(".index_view", before=page.prev_cursor, **args)
    urls["next"] = page.next_cursor and url_for(".index_view", after=page.next_cursor, **args)
    return urls


class LeadView(ExportMixin, SecuredModelView):
    """Leads overview; rows link to the lead page. Scoped to what the user may see."""

    required_action = "lead.view"
    export_name = "leads"
    export_action = "lead.export"

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
    column_list = COLUMNS  # cells written by _overview_rows.html, in this order
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

    def with_list_filters(self, query, filters):
        """The export's query narrowed by the overview's filters, applied as the page
        applies them (the filters' public `clean`/`apply`, issue 14 item 2)."""
        return apply_filters(query, self.column_filters, filters) if filters else query

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """F3: a keyset page (cursor in `after`/`before`); no OFFSET and no count.

        Counting the matches costs a scan of all of them (a filter on one owner: 25,000
        rows at 1M leads), so the pager shows First / Previous / Next instead of totals.
        """
        query = scope_leads(db.session.query(Lead), current_user)
        if filters:
            query = apply_filters(query, self.column_filters, filters)
        if sort_column is None:
            sort_column, sort_desc = "created_at", True
        result = fetch_page(
            query,
            sort_column,
            bool(sort_desc),
            after=request.args.get("after"),
            before=request.args.get("before"),
            page_size=page_size or self.page_size,
            load=load_rows,
            search=search_leads(search) if search else None,
        )
        g.lead_pager = result
        g.lead_pager_urls = _pager_urls(result)
        return None, result.rows

    def get_one(self, id):
        lead = super().get_one(id)
        if lead is None or not can(current_user, "lead.view", lead):
            return None
        return lead

    def get_url(self, endpoint, **kwargs):
        """Flask-Admin's public URL hook. The list's own URL (sort, filter and pager links,
        ~20 a page) calls `url_for` once per request, then appends the arguments (encoded
        as Werkzeug does)."""
        if endpoint != ".index_view" or any(key.startswith("_") for key in kwargs):
            return super().get_url(endpoint, **kwargs)  # other pages, `_external` …
        prefix = g.get("lead_list_url")
        if prefix is None:
            prefix = g.lead_list_url = super().get_url(endpoint)
        items = [(k, v) for k, v in iter_multi_items(kwargs) if v is not None]
        return f"{prefix}?{urlencode(items, safe=URL_SAFE)}" if items else prefix

    def render(self, template, **kwargs):
        """The list page gets its filter menu built fresh (`lead_filters.filter_groups`)."""
        if template == self.list_template:
            kwargs["filter_groups"] = filter_groups(self, self.column_filters)
        return super().render(template, **kwargs)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """F4: create a lead — pick a contact found by search, or create one inline."""
        if not can(current_user, "lead.create"):
            abort(403)
        form, outcome = NewLeadForm(), None
        fill_lead_form_choices(form, current_user)
        if form.validate_on_submit():
            values = form.values()
            outcome = submit_form(form, lambda: create_lead_with_contact(current_user, values))
            if outcome.ok:
                lead = outcome.result
                flash(_("Lead %(code)s created.", code=lead.code), "success")
                return redirect(url_for("lead_page.page", lead_id=lead.id))
        elif request.method == "GET":
            form.branch_id.data = current_user.branch_id
            form.owner_id.data = current_user.id
        duplicates = getattr(outcome and outcome.error, "matches", None)
        return self.render(self.create_template, form=form, duplicates=duplicates), form_status(
            form, outcome
        )

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
            for c in search_contacts(
                without_control_characters(request.args.get("q", "")), user=current_user
            )
        ]
        return jsonify(results=results)
