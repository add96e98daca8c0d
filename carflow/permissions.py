"""The one place that decides who may do what (F19, F31–F33).

`can(user, action, lead=None)` combines three checks:
1. the license edition has the action's feature (F33), for every user;
2. the user holds the action's permission (role preset + per-user adjustments, F31);
3. when a lead is given, the user may see that lead (branch scoping, F32).

Views, templates (to show a button) and services all ask `can`; `scope_leads`
applies rule 3 to a query so lists never show what `can` would refuse.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from carflow.models.enums import Edition


class Perm:
    """Permission names (stored in users' grant/revoke lists)."""

    VIEW_ALL_BRANCHES = "view_all_branches"
    CREATE_LEADS = "create_leads"
    EDIT_LEADS = "edit_leads"
    CHANGE_STATUS = "change_status"
    ASSIGN = "assign_leads"
    MANAGE_SALES_ITEMS = "manage_sales_items"
    MANAGE_DOCUMENTS = "manage_documents"
    SEND_COMMUNICATIONS = "send_communications"
    MANAGE_TASKS = "manage_tasks"
    MANAGE_STOCK = "manage_stock"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_USERS = "manage_users"
    EXPORT_PERSONAL_DATA = "export_personal_data"  # issue 17: subject access export
    ERASE_PERSONAL_DATA = "erase_personal_data"  # issue 17: "forget this person"
    MERGE_CONTACTS = "merge_contacts"
    EXPORT_DATA = "export_data"


PERMISSION_LABELS = {
    Perm.VIEW_ALL_BRANCHES: _l("View all branches' leads"),
    Perm.CREATE_LEADS: _l("Create leads"),
    Perm.EDIT_LEADS: _l("Edit leads"),
    Perm.CHANGE_STATUS: _l("Change status"),
    Perm.ASSIGN: _l("Assign leads"),
    Perm.MANAGE_SALES_ITEMS: _l("Manage trade-ins, offers and test drives"),
    Perm.MANAGE_DOCUMENTS: _l("Manage documents"),
    Perm.SEND_COMMUNICATIONS: _l("Send communications"),
    Perm.MANAGE_TASKS: _l("Manage tasks"),
    Perm.MANAGE_STOCK: _l("Manage stock"),
    Perm.MANAGE_SETTINGS: _l("Manage settings"),
    Perm.MANAGE_USERS: _l("Manage users"),
    Perm.EXPORT_PERSONAL_DATA: _l("Export a contact's personal data"),
    Perm.ERASE_PERSONAL_DATA: _l("Erase a contact's personal data"),
    Perm.MERGE_CONTACTS: _l("Merge contacts"),
    Perm.EXPORT_DATA: _l("Export lists (CSV, XLSX)"),
}
ALL_PERMISSIONS = frozenset(PERMISSION_LABELS)

_SALES = {
    Perm.CREATE_LEADS,
    Perm.EDIT_LEADS,
    Perm.CHANGE_STATUS,
    Perm.ASSIGN,
    Perm.MANAGE_SALES_ITEMS,
    Perm.MANAGE_DOCUMENTS,
    Perm.SEND_COMMUNICATIONS,
    Perm.MANAGE_TASKS,
}

ROLE_PRESETS: dict[str, frozenset[str]] = {
    "admin": ALL_PERMISSIONS,
    "sales_manager": frozenset(
        _SALES
        | {
            Perm.VIEW_ALL_BRANCHES,
            Perm.MANAGE_STOCK,
            Perm.EXPORT_PERSONAL_DATA,
            Perm.MERGE_CONTACTS,
            Perm.EXPORT_DATA,
        }
    ),
    "salesperson": frozenset(_SALES),
    "receptionist": frozenset({Perm.CREATE_LEADS, Perm.ASSIGN, Perm.MANAGE_TASKS}),
    "read_only": frozenset(),
}
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "sales_manager": _l("Sales manager"),
    "salesperson": _l("Salesperson"),
    "receptionist": _l("Receptionist"),
    "read_only": _l("Read-only"),
}


class Feature:
    """Features that a license edition may or may not include."""

    LEADS = "leads"
    TRADE_INS = "trade_ins"
    OFFERS = "offers"
    TEST_DRIVES = "test_drives"
    DOCUMENTS = "documents"
    COMMUNICATIONS = "communications"
    TASKS = "tasks"
    STOCK = "stock"


FEATURE_LABELS = {
    Feature.LEADS: _l("Leads"),
    Feature.TRADE_INS: _l("Trade-ins"),
    Feature.OFFERS: _l("Offers, quotes and purchase orders"),
    Feature.TEST_DRIVES: _l("Test drives"),
    Feature.DOCUMENTS: _l("Documents"),
    Feature.COMMUNICATIONS: _l("Communication with customers"),
    Feature.TASKS: _l("Tasks and deadlines"),
    Feature.STOCK: _l("Stock"),
}

# F33: which feature belongs to which edition — the one table.
EDITION_FEATURES: dict[Edition, frozenset[str]] = {
    Edition.go: frozenset({Feature.STOCK}),
    Edition.pro: frozenset(
        {
            Feature.STOCK,
            Feature.LEADS,
            Feature.TRADE_INS,
            Feature.OFFERS,
            Feature.DOCUMENTS,
            Feature.TASKS,
        }
    ),
    Edition.expert: frozenset(FEATURE_LABELS),
}

# action -> (permission needed or None, feature needed or None)
ACTIONS: dict[str, tuple[str | None, str | None]] = {
    "lead.view": (None, Feature.LEADS),
    "lead.create": (Perm.CREATE_LEADS, Feature.LEADS),
    "lead.edit": (Perm.EDIT_LEADS, Feature.LEADS),
    "lead.note": (Perm.EDIT_LEADS, Feature.LEADS),
    "lead.change_status": (Perm.CHANGE_STATUS, Feature.LEADS),
    "lead.assign": (Perm.ASSIGN, Feature.LEADS),
    "lead.edit_contacts": (Perm.EDIT_LEADS, Feature.LEADS),
    "trade_in.view": (None, Feature.TRADE_INS),
    "trade_in.manage": (Perm.MANAGE_SALES_ITEMS, Feature.TRADE_INS),
    "offer.view": (None, Feature.OFFERS),
    "offer.manage": (Perm.MANAGE_SALES_ITEMS, Feature.OFFERS),
    "test_drive.view": (None, Feature.TEST_DRIVES),
    "test_drive.manage": (Perm.MANAGE_SALES_ITEMS, Feature.TEST_DRIVES),
    "document.view": (None, Feature.DOCUMENTS),
    "document.manage": (Perm.MANAGE_DOCUMENTS, Feature.DOCUMENTS),
    "communication.view": (None, Feature.COMMUNICATIONS),
    "communication.send": (Perm.SEND_COMMUNICATIONS, Feature.COMMUNICATIONS),
    "task.view": (None, Feature.TASKS),
    "task.manage": (Perm.MANAGE_TASKS, Feature.TASKS),
    "deadline.manage": (Perm.EDIT_LEADS, Feature.TASKS),
    "contact.view": (None, Feature.LEADS),
    "contact.edit": (Perm.EDIT_LEADS, Feature.LEADS),
    "stock.view": (None, Feature.STOCK),
    "stock.manage": (Perm.MANAGE_STOCK, Feature.STOCK),
    "settings.manage": (Perm.MANAGE_SETTINGS, None),
    "users.manage": (Perm.MANAGE_USERS, None),
    # Personal data (issue 17)
    "contact.record_consent": (Perm.EDIT_LEADS, Feature.LEADS),
    "contact.export_personal_data": (Perm.EXPORT_PERSONAL_DATA, Feature.LEADS),
    "contact.erase": (Perm.ERASE_PERSONAL_DATA, Feature.LEADS),
    "contact.merge": (Perm.MERGE_CONTACTS, Feature.LEADS),
    "report.view": (None, Feature.LEADS),
    "report.export": (None, Feature.LEADS),
    "lead.export": (Perm.EXPORT_DATA, Feature.LEADS),
    "contact.export": (Perm.EXPORT_DATA, Feature.LEADS),
    "stock.export": (Perm.EXPORT_DATA, Feature.STOCK),
    "task.export": (Perm.EXPORT_DATA, Feature.TASKS),
}


def effective_permissions(user) -> frozenset[str]:
    """The role preset, plus the user's grants, minus the user's revocations."""
    user = _unproxied(user)
    granted, revoked = user.permissions_granted, user.permissions_revoked
    # Asked ~100 times per lead page: memoized on the user object (one per request),
    # keyed by copies of its inputs so that a change in the same request is seen.
    key = (user.role, tuple(granted or ()), tuple(revoked or ()))
    memo = getattr(user, "_carflow_permissions", None)
    if memo is not None and memo[0] == key:
        return memo[1]
    base = ROLE_PRESETS.get(user.role, frozenset())
    answer = frozenset((base | (set(granted or ()) & ALL_PERMISSIONS)) - set(revoked or ()))
    user._carflow_permissions = (key, answer)  # noqa: SLF001  our own memo on our own User
    return answer


def _unproxied(user):
    """`current_user` is a LocalProxy: resolve it once instead of on every attribute."""
    get = getattr(user, "_get_current_object", None)
    return get() if get is not None else user


_EDITION_KEY = "carflow.edition"


def current_edition() -> Edition:
    """The account's license edition (read once per request: with the signed-in user, or
    on first use)."""
    from flask import has_request_context, request

    from carflow.models.settings import AccountSettings

    if not has_request_context():
        return AccountSettings.get().edition
    if _EDITION_KEY not in request.environ:
        request.environ[_EDITION_KEY] = AccountSettings.get().edition
    return request.environ[_EDITION_KEY]


def remember_edition(edition: Edition) -> None:
    """Keep the edition read with the signed-in user for the rest of the request."""
    from flask import has_request_context, request

    if has_request_context():
        request.environ[_EDITION_KEY] = edition


def edition_has(feature: str | None, edition: Edition | None = None) -> bool:
    """True when the account's edition includes `feature` (None: always)."""
    if feature is None:
        return True
    return feature in EDITION_FEATURES[edition or current_edition()]


EDITION_REFUSAL = _l("This feature is not included in your edition.")


def refusal_message(action: str) -> str | None:
    """Why `action` is refused when the edition lacks its feature (F19, F33), else None."""
    feature = ACTIONS[action][1]
    return None if edition_has(feature) else str(EDITION_REFUSAL)


def refuse(action: str | None = None):
    """Abort with 403: the edition's message when the edition lacks the feature (F19)."""
    from flask import abort

    abort(403, description=refusal_message(action) if action in ACTIONS else None)


def can_see_lead(user, lead) -> bool:
    """F32: own branch, owned by the user, or the user may view all branches."""
    if Perm.VIEW_ALL_BRANCHES in effective_permissions(user):
        return True
    return lead.owner_id == user.id or (
        user.branch_id is not None and lead.branch_id == user.branch_id
    )


def access_key(user) -> tuple | None:
    """What every `can(user, action)` without a lead depends on: the user's effective
    permissions and active flag, and the account's edition. Two users with the same key
    see the same menu (the shell keeps its markup per key); None when signed out."""
    user = _unproxied(user)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (effective_permissions(user), bool(user.active), current_edition())


def can(user, action: str, lead=None) -> bool:
    """May `user` do `action` (on `lead`, when given)? Unknown actions are refused."""
    user = _unproxied(user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: add it to permissions.ACTIONS")
    permission, feature = ACTIONS[action]
    if not edition_has(feature):
        return False
    if permission is not None and permission not in effective_permissions(user):
        return False
    return lead is None or can_see_lead(user, lead)


def may_own_leads(user, branch_id: int | None) -> bool:
    """May `user` own (and be given tasks on) leads of branch `branch_id`? Active, allowed to
    work leads (edit permission: not read-only, not reception), and the branch is theirs
    unless they view all branches. The assign action may still cross branches (F17)."""
    if user is None or not user.active:
        return False
    permissions = effective_permissions(user)
    if Perm.EDIT_LEADS not in permissions:
        return False
    if Perm.VIEW_ALL_BRANCHES in permissions:
        return True
    return branch_id is not None and user.branch_id == branch_id


def can_see_task(user, task) -> bool:
    """F32 for a task: its lead's rule; a task without a lead is seen by its assignee and
    its creator, and by users who view all branches."""
    user = _unproxied(user)
    if task.lead_id is not None:
        return can_see_lead(user, task.lead)
    if user.id in (task.assignee_id, task.created_by_id):
        return True
    return Perm.VIEW_ALL_BRANCHES in effective_permissions(user)


def scope_branches(query, user, branch_model=None):
    """Restrict a query on branches to those `user` works in (F32): all of them with
    'view all branches', else their own (pickers and filters offer no other)."""
    from carflow.models.user import Branch

    model = branch_model or Branch
    if Perm.VIEW_ALL_BRANCHES in effective_permissions(user):
        return query
    return query.where(model.id == user.branch_id)


def users_in_scope(viewer, users) -> list:
    """Of `users`, those `viewer` may pick in filters (F32): all with 'view all branches',
    else the colleagues of their branch and themselves."""
    viewer = _unproxied(viewer)
    if Perm.VIEW_ALL_BRANCHES in effective_permissions(viewer):
        return list(users)
    return [u for u in users if u.branch_id == viewer.branch_id or u.id == viewer.id]


def scope_leads(query, user, lead_model=None):
    """Restrict a query on leads to what `user` may see (F32)."""
    from carflow.models.lead import Lead

    model = lead_model or Lead
    if Perm.VIEW_ALL_BRANCHES in effective_permissions(user):
        return query
    conditions = [model.owner_id == user.id]
    if user.branch_id is not None:
        conditions.append(model.branch_id == user.branch_id)
    return query.where(or_(*conditions))


def scope_contacts(query, user, contact_model=None):
    """Restrict a query on contacts to those of visible leads or of the user's branch (F32)."""
    from sqlalchemy import select

    from carflow.models import Contact, Lead, LeadContact

    model = contact_model or Contact
    if Perm.VIEW_ALL_BRANCHES in effective_permissions(user):
        return query
    visible_leads = scope_leads(select(Lead.id), user)
    conditions = [
        model.id.in_(scope_leads(select(Lead.contact_id), user)),
        model.id.in_(select(LeadContact.contact_id).where(LeadContact.lead_id.in_(visible_leads))),
    ]
    if user.branch_id is not None:
        conditions.append(model.branch_id == user.branch_id)
    return query.where(or_(*conditions))


def can_see_contact(user, contact) -> bool:
    """F32 for one contact: the same rule as `scope_contacts`."""
    from sqlalchemy import select

    from carflow.extensions import db
    from carflow.models import Contact

    query = scope_contacts(select(Contact.id).where(Contact.id == contact.id), user)
    return db.session.scalar(query) is not None


def report_scope(user) -> tuple[int | None, int | None]:
    """Issue 16: the (branch_id, owner_id) a user's report figures are forced to; None is
    free. 'View all branches': everything; someone who works leads (a salesperson): their
    own leads only, whatever the filters say; anyone else: their branch."""
    user = _unproxied(user)
    permissions = effective_permissions(user)
    if Perm.VIEW_ALL_BRANCHES in permissions:
        return None, None
    if Perm.EDIT_LEADS in permissions:
        return None, user.id
    return user.branch_id if user.branch_id is not None else -1, None
