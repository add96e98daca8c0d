"""The back-office pages of the intake (issue 15), added to the admin in one call."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def register_intake_views(admin) -> None:
    """Settings › API keys, and the page of a received request (no menu entry)."""
    from carflow.intake.payload_page import LeadIntakePageView
    from carflow.intake.settings_views import ApiKeySettingsView

    admin.add_view(
        ApiKeySettingsView(
            name=_l("API keys"), endpoint="api_keys", url="/admin/api-keys", category=_l("Settings")
        )
    )
    admin.add_view(
        LeadIntakePageView(
            name=_l("Received request"), endpoint="lead_intake", url="/admin/lead-intake"
        )
    )
