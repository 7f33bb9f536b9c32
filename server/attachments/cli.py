"""`manage.py attachments …`: where the photos are, and moving them (docs/DEPLOY.md)."""

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("attachments")
    def attachments_group():
        """The photo store (ATTACHMENTS_URL, or the folder ATTACHMENTS_DIR)."""

    @attachments_group.command("migrate")
    @click.option("--to", "to_url", required=True,
                  help="The target store: s3://bucket/prefix (or file:///path).")
    @click.option("--from", "from_url", default=None,
                  help="The source store (default: the configured one).")
    @click.option("--verbose", is_flag=True, help="One line per photo.")
    def migrate_command(to_url, from_url, verbose):
        """Copy every photo into another store, verifying each by its sha256; resumable (run
        it again to continue, or to copy what arrived since)."""
        from server.attachments.migrate import StoreUnavailable, migrate
        from server.attachments.stores import current_store, store_for_url

        try:
            source = store_for_url(from_url) if from_url else current_store()
            target = store_for_url(to_url)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        if source.url == target.url:
            raise click.ClickException(f"{target.url} is already the source")
        click.echo(f"Copying the photos of {source.url} into {target.url} …")

        def progress(sha, what):
            if verbose:
                click.echo(f"{sha} {what}")

        try:
            report = migrate(source, target, progress)
        except StoreUnavailable as exc:
            raise click.ClickException(f"{exc} — run the command again to resume") from None
        click.echo(f"Done: {report}.")
        for line in report.failed:
            click.echo(line, err=True)
        if report.failed:
            raise click.ClickException(f"{len(report.failed)} photos failed")
