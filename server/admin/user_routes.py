"""Admin routes for people: users and their devices (tokens). Admins only."""

from server.admin import bp
from server.admin.devices import list_devices, revoke_device
from server.admin.schemas import (
    AdminDeviceList,
    AdminDeviceOut,
    AdminDevicesQuery,
    AdminPasswordReset,
    AdminPasswordResetOut,
    AdminUserCreate,
    AdminUserList,
    AdminUserOut,
    AdminUsersQuery,
    AdminUserUpdate,
)
from server.admin.users import (
    add_user,
    change_user,
    get_user,
    list_users,
    reset_password,
    reset_totp,
)
from server.auth.tokens import require_auth
from server.core.apidoc import Body, doc
from server.core.queryparams import load_query


@bp.get("/users")
@require_auth("admin")
@doc(tags=["admin"], query=AdminUsersQuery, responses={200: AdminUserList},
     errors=(400, 401, 403))
def users_index():
    """Every user, by username (filters: q in username or display name, role, active,
    org_unit_id with its subtree)."""
    return list_users(load_query(AdminUsersQuery()))


@bp.get("/users/<int:user_id>")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminUserOut}, errors=(401, 403, 404))
def users_show(user_id: int):
    """One user (the admin screen opened by its URL)."""
    return get_user(user_id)


@bp.post("/users")
@require_auth("admin")
@doc(tags=["admin"], body=AdminUserCreate, load_body=True,
     responses={201: AdminUserOut}, errors=(400, 401, 403, 409, 415, 422))
def users_create(body: dict):
    """Create a user (inspectors and ward officers need an org unit; passwords: see
    server/auth/passwords.py)."""
    return add_user(body), 201


@bp.patch("/users/<int:user_id>")
@require_auth("admin")
@doc(tags=["admin"], body=AdminUserUpdate, load_body=True, responses={200: AdminUserOut},
     errors=(400, 401, 403, 404, 409, 415, 422))
def users_update(user_id: int, body: dict):
    """Change a user's display name, role, org unit or active flag. Deactivating revokes
    every device token of the user (reactivating does not revive them: the phones sign in
    again). The last active admin cannot be demoted or deactivated."""
    return change_user(user_id, body)


@bp.post("/users/<int:user_id>/password")
@require_auth("admin")
@doc(tags=["admin"], body=AdminPasswordReset, load_body=True,
     responses={200: AdminPasswordResetOut}, errors=(400, 401, 403, 404, 415, 422))
def users_password(user_id: int, body: dict):
    """Set a new password (optionally signing out every device of the user)."""
    return reset_password(user_id, body)


@bp.delete("/users/<int:user_id>/totp")
@require_auth("admin")
@doc(tags=["admin"], responses={204: Body("the second factor is off")},
     errors=(401, 403, 404))
def users_totp_reset(user_id: int):
    """Reset a user's two-factor sign-in (a lost phone): they sign in with the password alone,
    and enrol again if their role must. Idempotent: 204 also when there was none."""
    reset_totp(user_id)
    return "", 204


@bp.get("/devices")
@require_auth("admin")
@doc(tags=["admin"], query=AdminDevicesQuery, responses={200: AdminDeviceList},
     errors=(400, 401, 403))
def devices_index():
    """Device tokens, most recently seen first (never the token or its hash)."""
    return list_devices(load_query(AdminDevicesQuery()))


@bp.post("/devices/<int:token_id>/revoke")
@require_auth("admin")
@doc(tags=["admin"], responses={200: AdminDeviceOut}, errors=(401, 403, 404))
def devices_revoke(token_id: int):
    """Sign a device out: its next request gets 401 `token_revoked`."""
    return revoke_device(token_id)
