"""Chợ Xanh sync server: `create_app()` builds the Flask app (see README)."""

import logging
from pathlib import Path

from flask import Flask

from server.core import config as config_module
from server.core.extensions import db, migrate
from server.core.http import JsonProvider

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(config_module.from_env())
    if config:
        if "DATABASE_URL" in config:
            url = config_module.normalise_database_url(config["DATABASE_URL"])
            config = {**config, "SQLALCHEMY_DATABASE_URI": url}
        app.config.update(config)
    app.config["VERSION"] = __version__
    # The default SQLite file lives in instance/, which a fresh clone does not have yet.
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    app.json = JsonProvider(app)
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses
    app.json.sort_keys = False
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.REPO_ROOT / "migrations"))

    from server import models  # noqa: F401  (registers every table with the metadata)
    from server.admin.routes import bp as admin_bp
    from server.api.docs_page import bp as api_docs_bp
    from server.api.openapi import bp as openapi_bp
    from server.attachments.routes import bp as attachments_bp
    from server.attachments.stores import init_app as init_attachment_store
    from server.auth import totp_routes  # noqa: F401  (attaches /me/totp to auth_bp)
    from server.auth.routes import bp as auth_bp
    from server.auth.scope import forget_cached_scopes
    from server.cli import register_commands
    from server.core.errors import register_error_handlers
    from server.core.http import refuse_nul_in_url
    from server.health.routes import bp as health_bp
    from server.indicator.routes import bp as indicator_bp
    from server.markets.routes import bp as markets_bp
    from server.reports.routes import bp as reports_bp
    from server.sync.routes import bp as sync_bp
    from server.visits.routes import bp as review_bp
    from server.web import add_security_headers, install_log_redaction
    from server.web import bp as web_bp

    _wire_domains()
    init_attachment_store(app)  # a malformed ATTACHMENTS_URL fails here, at start
    install_log_redaction()
    app.before_request(refuse_nul_in_url)
    app.before_request(forget_cached_scopes)
    register_error_handlers(app)
    register_commands(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sync_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(markets_bp)
    app.register_blueprint(indicator_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(web_bp)  # last: its catch-all serves the PWA
    app.after_request(add_security_headers)
    return app


def _wire_domains() -> None:
    """What the protocol and the writers leave open, filled in here so that no package imports
    one above it: the push's mutation handlers, and who reacts when a transaction changes
    visits or markets (the live indicator). Idempotent."""
    from server.indicator.live import on_changes
    from server.sync.changes import CHANGE_ROWS, subscribe
    from server.sync.push import register_mutation
    from server.visits.decide import decide
    from server.visits.upsert import upsert_visit
    from server.visits.upsert_batch import UpsertBatch

    register_mutation("visit.upsert", upsert_visit, batch=UpsertBatch)
    register_mutation("review.decide", decide)
    subscribe(CHANGE_ROWS, on_changes)  # the live indicator
