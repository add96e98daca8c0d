"""F31: the users admin — create, edit permissions, deactivate, reset password, audit log."""

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AuditLog, User
from carflow.permissions import Perm, effective_permissions
from tests.factories import PASSWORD, make_branch, make_user


def _new_user_form(**overrides):
    data = {
        "email": "nina@carflow.example",
        "first_name": "Nina",
        "last_name": "Claes",
        "password": "a-long-password",
        "branch_id": "",
        "language": "fr",
        "timezone": "Europe/Brussels",
        "role": "salesperson",
        "permissions": ["create_leads", "edit_leads", "assign_leads"],
    }
    data.update(overrides)
    return data


def _edit_form(user, **overrides):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "branch_id": str(user.branch_id or ""),
        "language": user.language,
        "timezone": user.timezone,
        "role": user.role,
        "permissions": sorted(effective_permissions(user)),
        "version": str(user.version_id),
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_admin_creates_a_user_with_argon2_password_and_adjusted_permissions(client, admin):
    response = client.post("/admin/users/new/", data=_new_user_form(branch_id=admin.branch_id))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina@carflow.example"))
    assert user.password_hash.startswith("$argon2id$")
    assert user.language == "fr" and user.branch_id == admin.branch_id
    # Salesperson preset minus what was not ticked: revocations are stored per user.
    assert Perm.CHANGE_STATUS in user.permissions_revoked
    assert Perm.CHANGE_STATUS not in effective_permissions(user)
    assert Perm.CREATE_LEADS in effective_permissions(user)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.target_user_id == user.id))
    assert entry.action == "user_created" and entry.actor_id == admin.id
    page = client.get(response.headers["Location"])
    assert b"User created" in page.data and b"Nina Claes" in page.data
    assert b"Permissions withdrawn from the role</span>: Change status" in page.data


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"password": "short"}, b"at least 10"),
        ({"email": "not-an-email"}, b"Invalid email"),
        ({"timezone": "Mars/Olympus"}, b"Not a valid choice"),
        ({"role": "superuser"}, b"Not a valid choice"),
        ({"permissions": ["rule_the_world"]}, b"not a valid choice"),
    ],
)
def test_bad_input_is_refused_on_the_form(client, admin, overrides, message):
    response = client.post("/admin/users/new/", data=_new_user_form(**overrides))
    assert response.status_code == 400
    assert message in response.data
    assert db.session.scalar(select(User).where(User.email == "nina@carflow.example")) is None


def test_email_must_be_unique(client, admin):
    make_user(email="nina@carflow.example")
    response = client.post("/admin/users/new/", data=_new_user_form(email="NINA@carflow.example"))
    assert b"exists already" in response.data
    assert len(db.session.scalars(select(User).where(User.email.like("nina%"))).all()) == 1


def test_edit_revokes_a_permission_and_logs_who_and_what(client, admin):
    user = make_user("salesperson", first_name="Sam")
    data = _edit_form(user)
    data["permissions"] = [p for p in data["permissions"] if p != Perm.CHANGE_STATUS] + [
        Perm.VIEW_ALL_BRANCHES
    ]
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.permissions_revoked == [Perm.CHANGE_STATUS]
    assert user.permissions_granted == [Perm.VIEW_ALL_BRANCHES]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user_changed"))
    assert entry.actor_id == admin.id and entry.target_user_id == user.id
    assert entry.details["permissions_revoked"] == [[], [Perm.CHANGE_STATUS]]
    other, old_branch = make_branch("Ghent"), db.session.get(User, user.id).branch.name
    data = _edit_form(db.session.get(User, user.id), branch_id=str(other.id))
    assert client.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    page = client.get(f"/admin/users/{user.id}").data.decode()
    assert "User changed" in page
    assert "Permissions withdrawn from the role</span>: — → Change status" in page
    assert "Permissions added to the role</span>: — → View all branches" in page
    assert f"Branch</span>: {old_branch} → Ghent" in page
    assert "permissions_revoked" not in page and "branch_id" not in page


def test_edit_with_a_stale_version_is_refused(client, admin):
    user = make_user("salesperson")
    data = _edit_form(user, first_name="Changed", version=str(user.version_id - 1))
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert b"Someone else changed" in response.data
    db.session.refresh(user)
    assert user.first_name != "Changed"


def test_admin_cannot_remove_own_manage_users(client, admin):
    data = _edit_form(admin)
    data["permissions"] = [p for p in data["permissions"] if p != Perm.MANAGE_USERS]
    response = client.post(f"/admin/users/{admin.id}/edit", data=data)
    assert b"cannot remove your own permission" in response.data
    db.session.refresh(admin)
    assert Perm.MANAGE_USERS in effective_permissions(admin)
    response = client.post(f"/admin/users/{admin.id}/edit", data={**data, "role": "read_only"})
    assert b"cannot remove your own permission" in response.data


def test_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert b"cannot deactivate your own account" in response.data
    db.session.refresh(admin)
    assert admin.active


def test_deactivation_ends_the_users_sessions_and_reactivation_restores_login(app, client, admin):
    victim = make_user("salesperson", email="vic@carflow.example")
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": "vic@carflow.example", "password": PASSWORD})
    assert other.get("/admin/lead/").status_code == 200
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 302
    assert other.get("/admin/lead/").status_code == 302  # the captured cookie is dead
    response = other.post("/login", data={"email": "vic@carflow.example", "password": PASSWORD})
    assert b"Invalid email or password" in response.data
    client.post(f"/admin/users/{victim.id}/reactivate")
    response = other.post("/login", data={"email": "vic@carflow.example", "password": PASSWORD})
    assert response.status_code == 302
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.target_user_id == victim.id)
    ).all()
    assert set(actions) == {"user_deactivated", "user_reactivated"}


def test_reset_password_sets_it_and_ends_sessions(app, client, admin):
    user = make_user("salesperson", email="reset@carflow.example")
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": "reset@carflow.example", "password": PASSWORD})
    assert other.get("/admin/lead/").status_code == 200
    client.post(f"/admin/users/{user.id}/password", data={"password": "brand-new-secret"})
    assert other.get("/admin/lead/").status_code == 302
    bad = other.post("/login", data={"email": "reset@carflow.example", "password": PASSWORD})
    assert bad.status_code == 200
    good = other.post(
        "/login", data={"email": "reset@carflow.example", "password": "brand-new-secret"}
    )
    assert good.status_code == 302
    assert "password_reset" in db.session.scalars(select(AuditLog.action)).all()


def test_reset_password_too_short_is_refused(client, admin):
    user = make_user("salesperson")
    before = user.password_hash
    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": "short"}, follow_redirects=True
    )
    assert b"at least 10 characters" in response.data
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize("role", ["sales_manager", "salesperson", "receptionist", "read_only"])
def test_users_admin_needs_manage_users(client, login_as, role):
    login_as(role)
    target = make_user()
    assert client.get("/admin/users/").status_code == 403
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 403
    db.session.refresh(target)
    assert target.active


def test_granted_manage_users_opens_the_admin(client, login_as):
    login_as("read_only", permissions_granted=[Perm.MANAGE_USERS])
    assert client.get("/admin/users/").status_code == 200


def test_users_list_shows_every_user_with_status(client, admin):
    make_user(first_name="Gone", active=False, branch=make_branch("Ghent"))
    page = client.get("/admin/users/").data.decode()
    assert "Gone" in page and "Deactivated" in page and admin.email in page


def test_own_profile_changes_only_its_fields(client, login_as):
    user = login_as("read_only")
    other_branch = make_branch("Antwerp")
    response = client.post(
        "/admin/profile/",
        data={
            "first_name": "Rita",
            "last_name": "Peeters",
            "language": "nl",
            "timezone": "Europe/Amsterdam",
            # mass assignment attempts
            "role": "admin",
            "branch_id": str(other_branch.id),
            "permissions": [Perm.MANAGE_USERS],
            "permissions_granted": Perm.MANAGE_USERS,
            "active": "y",
            "email": "hijack@carflow.example",
            "session_token": "x",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.first_name, user.language, user.timezone) == ("Rita", "nl", "Europe/Amsterdam")
    assert user.role == "read_only" and user.branch_id != other_branch.id
    assert user.permissions_granted == [] and user.email != "hijack@carflow.example"


def test_own_password_change_needs_the_current_one(app, client, login_as):
    user = login_as("salesperson", email="own@carflow.example")
    response = client.post(
        "/admin/profile/password",
        data={"current_password": "wrong", "new_password": "another-long-one"},
    )
    assert response.status_code == 400 and b"current password is not correct" in response.data
    response = client.post(
        "/admin/profile/password",
        data={"current_password": PASSWORD, "new_password": "another-long-one"},
    )
    assert response.status_code == 302
    assert client.get("/admin/lead/").status_code == 302  # signed out everywhere
    fresh = app.test_client()
    ok = fresh.post("/login", data={"email": user.email, "password": "another-long-one"})
    assert ok.status_code == 302
