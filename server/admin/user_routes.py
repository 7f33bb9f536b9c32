"""Admin routes for people: users and their devices (tokens). Admins only."""

from server.admin import bp
from server.admin.devices import list_devices, revoke_device
from server.admin.schemas import (
    AdminDevicesQuery,
    AdminPasswordReset,
    AdminUserCreate,
    AdminUsersQuery,
    AdminUserUpdate,
)
from server.admin.users import add_user, change_user, get_user, list_users, reset_password
from server.auth.tokens import require_auth
from server.core.http import json_body, load
from server.core.queryparams import load_query


@bp.get("/users")
@require_auth("admin")
def users_index():
    """Every user, by username (filters: q in username or display name, role, active,
    org_unit_id with its subtree).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminUsersQuery}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties: {users: {type: array, items: AdminUserOut}, total: {type: integer}}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return list_users(load_query(AdminUsersQuery()))


@bp.get("/users/<int:user_id>")
@require_auth("admin")
def users_show(user_id: int):
    """One user (the admin screen opened by its URL).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: user_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: AdminUserOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
    """
    return get_user(user_id)


@bp.post("/users")
@require_auth("admin")
def users_create():
    """Create a user (inspectors and ward officers need an org unit; passwords: see
    server/auth/passwords.py).
    ---
    post:
      tags: [admin]
      security: [{bearer: []}]
      requestBody: {content: {application/json: {schema: AdminUserCreate}}}
      responses:
        201: {content: {application/json: {schema: AdminUserOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        409: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    return add_user(load(AdminUserCreate(), json_body())), 201


@bp.patch("/users/<int:user_id>")
@require_auth("admin")
def users_update(user_id: int):
    """Change a user's display name, role, org unit or active flag. Deactivating revokes
    every device token of the user (reactivating does not revive them: the phones sign in
    again). The last active admin cannot be demoted or deactivated.
    ---
    patch:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: user_id, in: path, required: true, schema: {type: integer}}]
      requestBody: {content: {application/json: {schema: AdminUserUpdate}}}
      responses:
        200: {content: {application/json: {schema: AdminUserOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
        409: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    return change_user(user_id, load(AdminUserUpdate(), json_body()))


@bp.post("/users/<int:user_id>/password")
@require_auth("admin")
def users_password(user_id: int):
    """Set a new password (optionally signing out every device of the user).
    ---
    post:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: user_id, in: path, required: true, schema: {type: integer}}]
      requestBody: {content: {application/json: {schema: AdminPasswordReset}}}
      responses:
        200: {content: {application/json: {schema: AdminUserOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
        422: {$ref: "#/components/responses/Error"}
    """
    return reset_password(user_id, load(AdminPasswordReset(), json_body()))


@bp.get("/devices")
@require_auth("admin")
def devices_index():
    """Device tokens, most recently seen first (never the token or its hash).
    ---
    get:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{in: query, schema: AdminDevicesQuery}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  devices: {type: array, items: AdminDeviceOut}
                  total: {type: integer}
        400: {$ref: "#/components/responses/Error"}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
    """
    return list_devices(load_query(AdminDevicesQuery()))


@bp.post("/devices/<int:token_id>/revoke")
@require_auth("admin")
def devices_revoke(token_id: int):
    """Sign a device out: its next request gets 401 `token_revoked`.
    ---
    post:
      tags: [admin]
      security: [{bearer: []}]
      parameters: [{name: token_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200: {content: {application/json: {schema: AdminDeviceOut}}}
        401: {$ref: "#/components/responses/Error"}
        403: {$ref: "#/components/responses/Error"}
        404: {$ref: "#/components/responses/Error"}
    """
    return revoke_device(token_id)
