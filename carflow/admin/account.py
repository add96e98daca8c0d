"""Account settings (edition, company and legal data, logo) and the branches admin."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from carflow.admin.actions import submit_form
from carflow.admin.base import SecuredBaseView
from carflow.admin.user_forms import BranchForm, CompanyForm, EditionForm, LogoForm
from carflow.extensions import db
from carflow.models import AccountSettings, Branch, Edition
from carflow.permissions import EDITION_FEATURES, FEATURE_LABELS
from carflow.services import account as account_service
from carflow.storage import download_response, read_head, sniff_content_type
from carflow.unit_of_work import after_commit


class AccountSettingsView(SecuredBaseView):
    """The account's edition (with the feature × edition table), legal data and logo."""

    required_action = "settings.manage"

    def _render(self, company=None, edition=None, logo=None, status=200):
        settings = AccountSettings.get()
        if company is None:
            company = CompanyForm(obj=settings, formdata=None)
            company.version.data = settings.version_id
        if edition is None:
            edition = EditionForm(formdata=None, edition=settings.edition.value)
        page = self.render(
            "admin/account/settings.html",
            settings=settings,
            company_form=company,
            edition_form=edition,
            logo_form=logo or LogoForm(formdata=None),
            editions=list(Edition),
            features=FEATURE_LABELS,
            edition_features=EDITION_FEATURES,
        )
        return page, status

    @expose("/")
    def index(self):
        return self._render()

    @expose("/company", methods=("POST",))
    def company(self):
        form = CompanyForm()
        if form.validate_on_submit():
            fields = {name: getattr(form, name).data for name in account_service.COMPANY_FIELDS}
            outcome = submit_form(
                form,
                lambda: account_service.update_company(current_user, form.version.data, **fields),
            )
            if outcome.ok:
                flash(_("Company data saved."), "success")
                return redirect(url_for(".index"))
            return self._render(company=form, status=outcome.status)
        return self._render(company=form, status=400)

    @expose("/edition", methods=("POST",))
    def edition(self):
        form = EditionForm()
        if form.validate_on_submit():
            outcome = submit_form(
                form, lambda: account_service.change_edition(current_user, form.edition.data)
            )
            if outcome.ok:
                flash(_("Edition changed."), "success")
                return redirect(url_for(".index"))
            return self._render(edition=form, status=outcome.status)
        return self._render(edition=form, status=400)

    @expose("/logo", methods=("POST",))
    def upload_logo(self):
        form = LogoForm()
        if form.validate_on_submit():
            upload = form.file.data

            def call():
                previous = account_service.set_logo(current_user, upload.stream, upload.filename)
                after_commit(partial(account_service.discard_logo, previous))

            outcome = submit_form(form, call)
            if outcome.ok:
                flash(_("Logo saved."), "success")
                return redirect(url_for(".index"))
            return self._render(logo=form, status=outcome.status)
        return self._render(logo=form, status=400)

    @expose("/logo", methods=("GET",))
    def logo(self):
        name = AccountSettings.get().logo_stored_name
        if not name:
            abort(404)
        try:
            content_type = sniff_content_type(read_head(name))
        except FileNotFoundError:
            abort(404)
        response = download_response(name, content_type, "inline")
        if response is None:
            abort(404)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class BranchAdminView(SecuredBaseView):
    """Branches: address, contact data, time zone, opening hours (sales / after-sales)."""

    required_action = "settings.manage"

    @expose("/")
    def index(self):
        return self.render("admin/account/branches.html", branches=account_service.list_branches())

    def _form_page(self, branch: Branch | None):
        form = BranchForm(obj=branch if request.method == "GET" else None)
        if request.method == "GET":
            self._fill_hours(form, branch)
        if form.validate_on_submit():
            fields = {name: getattr(form, name).data for name in account_service.BRANCH_FIELDS}
            outcome = submit_form(
                form,
                lambda: account_service.save_branch(
                    current_user, branch, form.hours("sales"), form.hours("aftersales"), **fields
                ),
            )
            if outcome.ok:
                flash(_("Branch %(name)s saved.", name=outcome.result.name), "success")
                return redirect(url_for(".index"))
            status = outcome.status
        else:
            status = 400 if request.method == "POST" else 200
        return self.render("admin/account/branch_form.html", form=form, branch=branch), status

    @staticmethod
    def _fill_hours(form: BranchForm, branch: Branch | None) -> None:
        if branch is None:
            form.timezone.data = current_user.timezone
            return
        for kind, hours in (
            ("sales", branch.opening_hours_sales),
            ("aftersales", branch.opening_hours_aftersales),
        ):
            for day, text in account_service.format_opening_hours(hours).items():
                getattr(form, f"{kind}_{day}").data = text

    @expose("/new/", methods=("GET", "POST"))
    def create(self):
        return self._form_page(None)

    @expose("/<int:branch_id>/edit", methods=("GET", "POST"))
    def edit(self, branch_id: int):
        branch = db.session.get(Branch, branch_id)
        if branch is None:
            abort(404)
        return self._form_page(branch)


def register_account_views(admin) -> None:
    """Settings > Account and Branches, the Users admin and each user's profile."""
    from flask_babel import lazy_gettext as _l

    from carflow.admin.users import ProfileView, UserAdminView

    settings = _l("Settings")
    admin.add_view(
        AccountSettingsView(
            name=_l("Account"), endpoint="account", url="/admin/account", category=settings
        )
    )
    admin.add_view(
        BranchAdminView(
            name=_l("Branches"), endpoint="branch_admin", url="/admin/branches", category=settings
        )
    )
    admin.add_view(UserAdminView(name=_l("Users"), endpoint="user", url="/admin/users"))
    admin.add_view(ProfileView(name=_l("My profile"), endpoint="profile", url="/admin/profile"))
