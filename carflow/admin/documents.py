"""Documents on a lead (F14): upload, download, rename, delete; the 413 page."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from carflow.admin.actions import form_status, submit_form
from carflow.admin.base import HiddenView
from carflow.admin.forms import CarflowForm
from carflow.admin.lead_page import get_visible_lead
from carflow.extensions import db
from carflow.lead_page_parts import register_lead_action, register_lead_panel
from carflow.models import Document
from carflow.permissions import can
from carflow.services.documents import (
    content_disposition,
    delete_document,
    load_documents_panel,
    rename_document,
    served_content_type,
    upload_document,
)
from carflow.storage import delete_stored, download_response
from carflow.timeline import register_item_endpoint
from carflow.unit_of_work import after_commit, on_rollback

register_lead_action(
    "document",
    _l("Document"),
    "fa-paperclip",
    action="document.manage",
    endpoint="document.upload",
    order=50,
)
register_lead_panel(
    "documents",
    tab="details",
    template="admin/documents/_panel.html",
    load=load_documents_panel,
    action="document.view",
    order=20,
)
register_item_endpoint(Document.__tablename__, "document.item_view")


class DocumentUploadForm(CarflowForm):
    title = StringField(
        lazy_pgettext("document", "Title"),
        validators=[DataRequired(message=_l("Give the document a title.")), Length(max=200)],
    )
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])


class DocumentRenameForm(CarflowForm):
    title = StringField(
        _l("New title"),
        validators=[DataRequired(message=_l("Give the document a title.")), Length(max=200)],
    )
    version = HiddenField()


class DocumentDeleteForm(CarflowForm):
    version = HiddenField()


def get_visible_document(document_id: int, action: str) -> Document:
    """The document if its lead allows `action` to the current user (404 out of scope)."""
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    get_visible_lead(document.lead_id, action)
    return document


def _back_to_lead(lead_id: int):
    return redirect(url_for("lead_page.page", lead_id=lead_id, tab="details"))


class DocumentView(HiddenView):
    """Endpoints of the documents of a lead (no menu entry)."""

    required_action = "document.view"

    @expose("/")
    def index(self):
        abort(404)

    @expose("/new/<int:lead_id>", methods=("GET", "POST"))
    def upload(self, lead_id: int):
        """F14: upload a file with a mandatory title."""
        lead = get_visible_lead(lead_id, "document.manage")
        form, outcome = DocumentUploadForm(), None
        if form.validate_on_submit():
            upload = form.file.data

            def call():
                document = upload_document(
                    lead, current_user, upload.stream, upload.filename, form.title.data
                )
                on_rollback(partial(delete_stored, document.stored_name))
                return document

            outcome = submit_form(form, call)
            if outcome.ok:
                flash(_("Document “%(title)s” added.", title=outcome.result.title), "success")
                return _back_to_lead(lead.id)
        page = self.render(
            "admin/documents/upload.html",
            lead=lead,
            form=form,
            action_title=_("Add a document"),
            limit_mb=current_app.config["MAX_UPLOAD_MB"],
        )
        return page, form_status(form, outcome)

    @expose("/<int:id>")
    def item_view(self, id: int):
        document = get_visible_document(id, "document.view")
        return self.render(
            "admin/documents/item.html",
            lead=document.lead,
            document=document,
            action_title=document.title,
            can_manage=can(current_user, "document.manage", document.lead),
        )

    @expose("/<int:id>/download")
    def download(self, id: int):
        """The file's bytes, always as an attachment, never sniffed or rendered."""
        document = get_visible_document(id, "document.view")
        response = download_response(
            document.stored_name,
            served_content_type(document),
            content_disposition(document.original_filename),
            etag=document.sha256,
        )
        if response is None:
            abort(404)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response.make_conditional(request)

    @expose("/<int:id>/rename", methods=("GET", "POST"))
    def rename(self, id: int):
        """F14: save under a new title (logged; refused when changed meanwhile)."""
        document = get_visible_document(id, "document.manage")
        form, outcome = DocumentRenameForm(), None
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: rename_document(document, current_user, form.title.data, form.version.data),
            )
            if outcome.ok:
                flash(_("Document saved as “%(title)s”.", title=document.title), "success")
                return _back_to_lead(document.lead_id)
        elif request.method == "GET":
            form.title.data = document.title
        if request.method == "GET" or not form.version.data:
            form.version.data = document.version_id
        page = self.render(
            "admin/documents/rename.html",
            lead=document.lead,
            document=document,
            form=form,
            action_title=_("Save under a new title"),
        )
        return page, form_status(form, outcome)

    @expose("/<int:id>/delete", methods=("GET", "POST"))
    def delete(self, id: int):
        """F14: delete after confirmation; the file goes from disk only once committed."""
        document = get_visible_document(id, "document.manage")
        lead_id, title = document.lead_id, document.title
        form, outcome = DocumentDeleteForm(), None
        if form.validate_on_submit():

            def call():
                stored_name = delete_document(document, current_user, form.version.data)
                after_commit(partial(delete_stored, stored_name))

            outcome = submit_form(form, call)
            if outcome.ok:
                flash(_("Document “%(title)s” deleted.", title=title), "success")
                return _back_to_lead(lead_id)
        form.version.data = document.version_id
        page = self.render(
            "admin/documents/delete.html",
            lead=document.lead,
            document=document,
            form=form,
            action_title=_("Delete a document"),
        )
        return page, form_status(form, outcome)


def register_too_large_page(app, view: DocumentView) -> None:
    """Whole request bodies over MAX_CONTENT_LENGTH get a clear page with HTTP 413."""

    def too_large(error):
        limit_mb = current_app.config["MAX_UPLOAD_MB"]
        back = None
        if request.endpoint == "document.upload" and request.view_args:
            back = url_for("document.upload", **request.view_args)
        html = view.render("admin/documents/too_large.html", limit_mb=limit_mb, back=back)
        return html, 413

    app.register_error_handler(413, too_large)
