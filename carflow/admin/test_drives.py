"""Test-drive pages (F12): book, edit, cancel; the vehicle is picked by search."""

from __future__ import annotations

from datetime import datetime

from flask import abort, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.lead_page import get_visible_lead
from carflow.admin.sales_forms import TestDriveForm
from carflow.admin.sales_items import (
    back_to_lead,
    get_visible_item,
    lead_url,
    to_local,
    to_utc,
)
from carflow.extensions import db
from carflow.i18n import fmt_datetime
from carflow.lead_page_parts import register_lead_action
from carflow.models import Contact, TestDrive, Vehicle
from carflow.permissions import can
from carflow.services.test_drives import (
    TestDriveData,
    book_test_drive,
    delete_test_drive,
    lead_contact_ids,
    update_test_drive,
)
from carflow.timeline import register_event_kind, register_item_endpoint


def _driver_choices(form: TestDriveForm, lead) -> None:
    ids = lead_contact_ids(lead)
    contacts = {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(ids)))}
    form.driver.choices = [(i, contacts[i].display_name) for i in ids if i in contacts]


def _data(form: TestDriveForm) -> TestDriveData:
    return TestDriveData(
        vehicle_id=form.vehicle_id.data,
        driver_contact_id=form.driver.data,
        starts_at=to_utc(form.starts_at.data),
        ends_at=to_utc(form.ends_at.data),
        licence_number=form.licence_number.data,
        mileage_out=form.mileage_out.data,
        mileage_in=form.mileage_in.data,
        notes=form.notes.data,
    )


def _fill(form: TestDriveForm, drive: TestDrive) -> None:
    form.vehicle_id.data = drive.vehicle_id
    form.driver.data = drive.driver_contact_id
    form.starts_at.data = to_local(drive.starts_at)
    form.ends_at.data = to_local(drive.ends_at)
    for name in ("licence_number", "mileage_out", "mileage_in", "notes"):
        getattr(form, name).data = getattr(drive, name)
    form.version.data = drive.version_id


class TestDriveView(HiddenView):
    """The lead's test drives; every item URL is checked against its lead's scope."""

    __test__ = False
    required_action = "test_drive.view"

    @expose("/")
    def index(self):
        abort(404)

    def _render(self, form, lead, drive=None, outcome=None):
        vehicle_id = form.vehicle_id.data
        vehicle = db.session.get(Vehicle, vehicle_id) if vehicle_id and vehicle_id > 0 else None
        page = self.render(
            "admin/sales/test_drive_form.html",
            form=form,
            lead=lead,
            drive=drive,
            vehicle=vehicle,
            action_title=_("Test drive") if drive else _("New test drive"),
            can_manage=can(current_user, "test_drive.manage", lead),
        )
        return page, form_status(form, outcome)

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def create_view(self, lead_id: int):
        lead = get_visible_lead(lead_id, "test_drive.manage")
        form, outcome = TestDriveForm(), None
        _driver_choices(form, lead)
        if form.validate_on_submit():
            outcome = submit_form(form, lambda: book_test_drive(lead, current_user, _data(form)))
            if outcome.ok:
                return back_to_lead(lead, _("Test drive booked."))
        elif request.method == "GET":
            form.driver.data = lead.contact_id
        return self._render(form, lead, outcome=outcome)

    @expose("/<int:id>", methods=("GET", "POST"))
    def edit_view(self, id: int):
        drive = get_visible_item(TestDrive, id, "test_drive.view")
        lead = drive.lead
        form, outcome = TestDriveForm(), None
        _driver_choices(form, lead)
        if request.method == "POST":
            if not can(current_user, "test_drive.manage", lead):
                abort(403)
            if form.validate_on_submit():
                outcome = submit_form(
                    form,
                    lambda: update_test_drive(drive, current_user, _data(form), form.version.data),
                )
                if outcome.ok:
                    return back_to_lead(lead, _("Test drive saved."))
        else:
            _fill(form, drive)
        return self._render(form, lead, drive, outcome)

    @expose("/<int:id>/delete", methods=("POST",))
    def delete_view(self, id: int):
        drive = get_visible_item(TestDrive, id, "test_drive.manage")
        lead = drive.lead
        if press_button(
            lambda: delete_test_drive(drive, current_user), _("Test drive cancelled.")
        ).ok:
            return redirect(lead_url(lead))
        return redirect(url_for("test_drive.edit_view", id=id))

    @expose("/lead/<int:lead_id>")
    def for_lead(self, lead_id: int):
        lead = get_visible_lead(lead_id, "test_drive.view")
        items = db.session.scalars(
            select(TestDrive)
            .where(TestDrive.lead_id == lead.id)
            .options(
                selectinload(TestDrive.vehicle),
                selectinload(TestDrive.driver),
                selectinload(TestDrive.owner),
            )
            .order_by(TestDrive.starts_at.desc())
        ).all()
        return self.render(
            "admin/sales/test_drive_list.html",
            lead=lead,
            items=items,
            action_title=_("Test drives"),
            can_manage=can(current_user, "test_drive.manage", lead),
        )


def _when(d: dict) -> str:
    try:
        return fmt_datetime(datetime.fromisoformat(d.get("starts_at", "")))
    except (TypeError, ValueError):
        return ""


register_lead_action(
    "test_drive",
    _l("Test drive"),
    "fa-road",
    action="test_drive.manage",
    endpoint="test_drive.create_view",
    order=30,
)
register_item_endpoint("test_drive", "test_drive.edit_view")
register_event_kind(
    "test_drive_booked",
    "fa-road",
    lambda d: _("Test drive booked: %(v)s on %(t)s", v=d.get("vehicle", ""), t=_when(d)),
)
register_event_kind(
    "test_drive_updated",
    "fa-road",
    lambda d: _("Test drive changed: %(v)s on %(t)s", v=d.get("vehicle", ""), t=_when(d)),
)
register_event_kind(
    "test_drive_deleted",
    "fa-trash",
    lambda d: _("Test drive cancelled: %(v)s on %(t)s", v=d.get("vehicle", ""), t=_when(d)),
)
