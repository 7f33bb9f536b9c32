"""Administration (DESIGN §1, role `admin` only): users, devices, markets, org units, targets.

The routes live in user_routes.py and data_routes.py on this one blueprint; register it with
`from server.admin.routes import bp as admin_bp`."""

from flask import Blueprint

from server.core.http import API_PREFIX

bp = Blueprint("admin", __name__, url_prefix=API_PREFIX + "/admin")
