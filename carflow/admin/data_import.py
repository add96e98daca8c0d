"""Settings → Import (issue 17 item 4): upload, preview and mapping, check, import.

Administrators only (`settings.manage`). The checking and importing passes run on the
job queue; the page polls the JSON status endpoint for its progress bar.
"""

from __future__ import annotations

from flask import abort, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import SecuredBaseView
from carflow.admin.forms import CarflowForm, select_choices
from carflow.data_import import services as imports
from carflow.data_import.fields import FIELDS, KINDS
from carflow.extensions import db
from carflow.models import Branch, DataImport
from carflow.tabular import csv_response


class ImportUploadForm(CarflowForm):
    kind = SelectField(_l("The file holds"))
    branch_id = SelectField(_l("Branch"), coerce=int)
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ImportMappingForm(CarflowForm):
    """Only the CSRF token: the column choices are read as a list (`mapping`)."""


def _branch_choices():
    branches = db.session.scalars(select(Branch).order_by(Branch.name))
    return select_choices([(0, _("No branch"))] + [(b.id, b.name) for b in branches])


def _get_import(import_id: int) -> DataImport:
    record = db.session.get(DataImport, import_id)
    if record is None:
        abort(404)
    return record


class ImportView(SecuredBaseView):
    """Upload a file, map its columns, check every row, then import it in the background."""

    required_action = "settings.manage"

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form, outcome = ImportUploadForm(), None
        form.kind.choices = select_choices([(k, str(v)) for k, v in KINDS.items()])
        form.branch_id.choices = _branch_choices()
        if form.validate_on_submit():
            upload = form.file.data
            outcome = submit_form(
                form,
                lambda: imports.upload_import(
                    current_user,
                    form.kind.data,
                    form.branch_id.data or None,
                    upload.stream,
                    upload.filename,
                ),
            )
            if outcome.ok:
                return redirect(url_for(".item", import_id=outcome.result.id))
        elif request.method == "GET":
            form.branch_id.data = current_user.branch_id or 0
        page = self.render(
            "admin/import/index.html",
            form=form,
            imports=imports.recent_imports(),
            kind_label=imports.kind_label,
        )
        return page, form_status(form, outcome)

    @expose("/<int:import_id>", methods=("GET", "POST"))
    def item(self, import_id: int):
        record = _get_import(import_id)
        form, outcome = ImportMappingForm(), None
        if form.validate_on_submit():
            mapping = request.form.getlist("mapping")
            outcome = submit_form(form, lambda: imports.check_import(current_user, record, mapping))
            if outcome.ok:
                return redirect(url_for(".item", import_id=record.id))
        page = self.render(
            "admin/import/item.html",
            record=record,
            form=form,
            fields=FIELDS[record.kind],
            mapping=request.form.getlist("mapping") if outcome else record.mapping,
            preview=imports.preview_rows(record),
            errors=imports.first_errors(record),
            earlier=imports.earlier_import(record),
            status=imports.import_status(record),
            kind_label=imports.kind_label(record.kind),
        )
        return page, form_status(form, outcome)

    @expose("/<int:import_id>/run", methods=("POST",))
    def run(self, import_id: int):
        record = _get_import(import_id)
        if ImportMappingForm().validate_on_submit():
            press_button(
                lambda: imports.run_import(current_user, record), _("The import has started.")
            )
        return redirect(url_for(".item", import_id=import_id))

    @expose("/<int:import_id>/status")
    def status(self, import_id: int):
        """JSON: the progress of the import (polled by static/js/import_progress.js)."""
        return jsonify(imports.import_status(_get_import(import_id)))

    @expose("/<int:import_id>/errors.csv")
    def errors(self, import_id: int):
        """The error report: row number, column, value, reason."""
        record = _get_import(import_id)
        header = [_("Row"), _("Column"), _("Value"), _("Reason")]
        return csv_response(
            f"import-{record.id}-errors.csv", header, imports.error_report_rows(record)
        )


def register_import_view(admin) -> None:
    """Settings → Import."""
    admin.add_view(
        ImportView(
            name=_l("Import"), endpoint="data_import", url="/admin/import", category=_l("Settings")
        )
    )
