"""The contact merge page (issue 15 item 2): pick the other contact with the search
picker, compare both side by side, choose per field, confirm.

/admin/contact-merge/<kept_id>            pick the contact to merge into this one
/admin/contact-merge/<kept_id>?other=<id> side-by-side preview and the confirm form (POST)

Needs "contact.merge" (administrators and sales managers) and both contacts visible (F32).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectMultipleField

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.contact_page import get_visible_contact
from carflow.admin.forms import CarflowForm, select_choices
from carflow.converters import is_valid_id
from carflow.services.contact_merge import MERGE_FIELDS, merge_contacts
from carflow.services.contact_page import load_linked_leads, load_main_leads
from carflow.timeline import FIELD_LABELS

SHOWN_FIELDS = (*MERGE_FIELDS[:-1], "notes")  # branch_id is not shown


class MergeForm(CarflowForm):
    """The confirm form: the other contact, both versions, the fields taken from it."""

    merged_id = HiddenField()
    kept_version = HiddenField()
    merged_version = HiddenField()
    take_merged = SelectMultipleField(
        _l("Take from the merged contact"), choices=select_choices((f, f) for f in MERGE_FIELDS)
    )


def _value(contact, field: str) -> str:
    value = getattr(contact, field)
    if value is None:
        return ""
    return str(getattr(value, "label", value))


def comparison(kept, merged) -> list[dict]:
    """One row per field either contact fills: label, both values, whether the user may
    choose (both differ) and whether the kept contact is filled from the merged one."""
    rows = []
    for field in SHOWN_FIELDS:
        mine, theirs = _value(kept, field), _value(merged, field)
        if not mine and not theirs:
            continue
        label = str(FIELD_LABELS.get(field, field))
        rows.append(
            {
                "field": field,
                "label": label[:1].upper() + label[1:],
                "kept": mine,
                "merged": theirs,
                "choice": field in MERGE_FIELDS and bool(mine) and bool(theirs) and mine != theirs,
                "filled": not mine and bool(theirs),
            }
        )
    return rows


class ContactMergeView(HiddenView):
    required_action = "contact.merge"

    @expose("/")
    def index(self):
        abort(404)

    def _other(self, kept):
        raw = request.values.get("other") or request.form.get("merged_id")
        if not raw:
            return None
        if not is_valid_id(raw):
            abort(404)
        other = get_visible_contact(int(raw))
        return None if other.id == kept.id else other

    @expose("/<int:contact_id>", methods=("GET", "POST"))
    def merge(self, contact_id: int):
        kept = get_visible_contact(contact_id)
        merged = self._other(kept)
        if merged is None:
            return self.render("admin/contacts/merge_pick.html", contact=kept)
        form, outcome = MergeForm(formdata=request.form or None), None
        if request.method == "POST" and form.validate():
            outcome = submit_form(
                form,
                lambda: merge_contacts(
                    current_user,
                    kept.id,
                    merged.id,
                    form.kept_version.data,
                    form.merged_version.data,
                    form.take_merged.data or [],
                ),
            )
            if outcome.ok:
                flash(_("The contacts were merged."), "success")
                return redirect(url_for("contact_page.page", contact_id=contact_id))
        elif request.method == "GET":
            form.merged_id.data = merged.id
            form.kept_version.data = kept.version_id
            form.merged_version.data = merged.version_id
        page = self.render(
            "admin/contacts/merge.html",
            form=form,
            kept=kept,
            merged=merged,
            rows=comparison(kept, merged),
            leads={
                "kept": (
                    load_main_leads(kept, current_user),
                    load_linked_leads(kept, current_user),
                ),
                "merged": (
                    load_main_leads(merged, current_user),
                    load_linked_leads(merged, current_user),
                ),
            },
        )
        return page, form_status(form, outcome)
