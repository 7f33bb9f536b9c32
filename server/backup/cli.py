"""`manage.py backup` and `manage.py restore` (see server/backup/archive.py, docs/DEPLOY.md)."""

from pathlib import Path

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("--output", required=True, type=click.Path(file_okay=False),
                  help="A new (or empty) directory for the backup.")
    def backup_command(output):
        """Back up the database (a consistent snapshot, safe while serving) and the photos,
        with a manifest of row counts and sha256s."""
        from server.attachments.stores import current_store
        from server.backup.archive import BackupError, backup

        try:
            manifest = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], current_store(),
                              Path(output))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        tables = manifest["tables"]
        click.echo(f"Backup written to {output}: {manifest['database']['file']}, "
                   f"{tables.get('visit', 0)} visits, {tables.get('market', 0)} markets, "
                   f"{len(manifest['attachments'])} photos.")

    @app.cli.command("restore")
    @click.option("--input", "input_", required=True,
                  type=click.Path(exists=True, file_okay=False),
                  help="A directory written by `manage.py backup`.")
    def restore_command(input_):
        """Restore a backup into an empty database (DATABASE_URL) and the photo store
        (ATTACHMENTS_URL or ATTACHMENTS_DIR), after checking every file against the manifest;
        then check the row counts and every photo."""
        from server.attachments.stores import current_store
        from server.backup.archive import BackupError, restore
        from server.core.extensions import db

        db.engine.dispose()  # this process must not hold the target open
        try:
            manifest = restore(Path(input_), current_app.config["SQLALCHEMY_DATABASE_URI"],
                               current_store())
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Restored {sum(manifest['tables'].values())} rows in "
                   f"{len(manifest['tables'])} tables and {len(manifest['attachments'])} photos "
                   f"from the backup of {manifest['created_at']}.")
