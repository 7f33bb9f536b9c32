"""Operator commands (DESIGN §11); `python manage.py --help` lists them."""

import sys

import click
from flask import Flask, current_app

from server.core.errors import ApiError


def _print_import_report(report, dry_run: bool) -> None:
    if report.errors:
        for line, message in report.errors:
            click.echo(f"line {line}: {message}", err=True)
        click.echo(f"{len(report.errors)} error(s); nothing was written.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: the file is valid; nothing was written.")
    else:
        click.echo(f"Imported: {report.created} created, {report.updated} updated.")


def register_commands(app: Flask) -> None:
    from server.attachments.cli import register as register_attachments
    from server.auth.cli import register as register_auth
    from server.backup.cli import register as register_backup
    from server.demo.cli import register as register_demo
    from server.indicator.cli import register as register_indicator
    from server.jobs.cli import register as register_jobs
    from server.simulate_cli import register as register_simulate

    # Each domain registers its own commands, so they can grow without touching this file.
    register_simulate(app)
    register_indicator(app)
    register_jobs(app)
    register_backup(app)
    register_attachments(app)
    register_demo(app)
    register_auth(app)

    @app.cli.command("import-org-units")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and report errors only.")
    def import_org_units_command(csv_file, dry_run):
        """Import org units from CSV: code,name,level,parent_code,valid_from,valid_to.

        All or nothing: any bad row is reported with its line number and nothing is written.
        A code already in the database is updated.
        """
        from server.orgunits.importer import import_org_units

        _print_import_report(import_org_units(csv_file, dry_run=dry_run), dry_run)

    @app.cli.command("import-markets")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and report errors only.")
    def import_markets_command(csv_file, dry_run):
        """Import markets from CSV:
        code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on.

        All or nothing, as import-org-units. market_class is 1, 2, 3 or unclassified.
        """
        from server.markets.importer import import_markets

        _print_import_report(import_markets(csv_file, dry_run=dry_run), dry_run)

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option(
        "--role",
        required=True,
        type=click.Choice(["inspector", "ward_officer", "city_officer", "admin"]),
    )
    @click.option("--org-unit", "org_unit", help="Code of the org unit the user is scoped to.")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="10+ characters, not the username, not a common one (asked when not given).",
    )
    @click.option("--display-name", default="", help="Name shown in the app and in reports.")
    def create_user_command(username, role, org_unit, password, display_name):
        """Create a user with a role and, for inspectors and ward officers, an org unit."""
        from server.auth.users import create_user

        try:
            user = create_user(username, role, password, org_unit, display_name)
        except ApiError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created {user.role} {user.username!r} (id {user.id}).")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed a database with no markets yet.")
    def seed_demo_command(if_empty):
        """Load the Hanoi demo data (idempotent): org units, ~450 markets, one user per role."""
        from server.demo.seed import DEMO_PASSWORD, DEMO_USERS, database_is_empty, seed_demo

        if if_empty and not database_is_empty():
            click.echo("The database already holds markets; demo data not loaded again.")
            names = ", ".join(f"{name} ({role})" for name, role, *_ in DEMO_USERS)
            click.echo(f"Demo logins, if seeded before (password {DEMO_PASSWORD}): {names}")
            return
        counts = seed_demo()
        logins = counts.pop("logins")
        click.echo(
            "Demo data: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        )
        click.echo(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(logins))

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option(
        "--with-scheduler",
        is_flag=True,
        help="Also run the scheduled jobs in this process (demo only; production runs "
        "`manage.py scheduler` on its own).",
    )
    def serve_command(host, port, with_scheduler):
        """Serve the API and the PWA (threaded; use gunicorn in production)."""
        from werkzeug.serving import run_simple

        from server.core.heap import settle_after_startup

        app_object = current_app._get_current_object()
        if with_scheduler:
            from server.jobs.registry import selected_jobs
            from server.jobs.scheduler import SchedulerService

            # Guarded like `manage.py scheduler`: with one already running, this one stands by.
            SchedulerService(app_object, selected_jobs(), blocking=False).start_in_thread()
            click.echo("Scheduled jobs run in this process (demo mode).")
        click.echo(f"Chợ Xanh is serving on http://{host}:{port}/  (Ctrl+C to stop)")
        settle_after_startup()
        run_simple(host, port, app_object, threaded=True)
