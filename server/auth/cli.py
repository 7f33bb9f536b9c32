"""Operator commands for accounts: the way back in for an admin who lost their phone and
their recovery codes (no other admin can reset it for them)."""

import click
from flask import Flask
from sqlalchemy import select

from server.audit.record import record
from server.auth import totp
from server.core.extensions import begin_write, db
from server.models import User


def register(app: Flask) -> None:
    @app.cli.command("reset-totp")
    @click.argument("username")
    def reset_totp_command(username):
        """Turn off a user's two-step verification (they sign in with the password alone, and
        enrol again if their role must)."""
        begin_write()
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"No user {username!r}.")
        removed = totp.reset(user.id)
        if removed:
            record("auth.totp_reset", ("user", user.id, user.username))
        db.session.commit()
        click.echo(f"Two-step verification of {username!r} "
                   f"{'was reset' if removed else 'was not on; nothing to do'}.")
