"""`python manage.py simulate-devices`: phones against a running server (a load test).

It talks HTTP to --url like real phones do, so it works against any deployment; it does not
touch the database of this app.
"""

import sys

import click
from flask import Flask

TOTALS_ORDER = (
    "devices", "visits_recorded", "applied", "duplicate", "conflict", "rejected", "uploaded",
    "pulled", "retries", "requests", "pending", "errors", "elapsed_s", "requests_per_s",
)


def register(app: Flask) -> None:
    @app.cli.command("simulate-devices")
    @click.option("--url", default="http://127.0.0.1:5000", show_default=True,
                  help="Base URL of the running server.")
    @click.option("--devices", default=5, show_default=True, type=click.IntRange(1, 1000),
                  help="Phones syncing in parallel (one thread each).")
    @click.option("--visits", default=10, show_default=True, type=click.IntRange(0, 100_000),
                  help="Visits each phone records.")
    @click.option("--username", default="kiemtra", show_default=True,
                  help="Inspector every phone logs in as.")
    @click.option("--password", default="ChoXanh@2023", show_default=True,
                  help="That inspector's password (the demo one by default).")
    @click.option("--username-prefix", default=None,
                  help="Log phone i in as PREFIX1, PREFIX2, … instead (create them first).")
    @click.option("--photos/--no-photos", default=True, show_default=True,
                  help="Attach one small JPEG to each visit.")
    @click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 500),
                  help="Mutations per push request.")
    @click.option("--seed", default=0, show_default=True, type=int)
    def simulate_devices_command(url, devices, visits, username, password, username_prefix,
                                 photos, batch_size, seed):
        """Simulate phones: each logs in, pulls its markets, records visits, syncs.

        By default all phones log in as the same inspector (the demo's `kiemtra`), each with
        its own device_id: the server sees separate devices of one user. Half the phones sync
        halfway through as well as at the end. Prints the totals; exits 1 if any phone failed,
        any visit was refused or left unsent.
        """
        from syncclient.simulate import simulate_devices

        totals = simulate_devices(
            url, devices, visits, username=username, password=password,
            username_prefix=username_prefix, photo=photos, seed=seed, batch_size=batch_size,
        )
        for name in TOTALS_ORDER:
            click.echo(f"{name:>16}: {totals[name]}")
        for message in totals["messages"]:
            click.echo(f"  {message}", err=True)
        if not totals["ok"]:
            click.echo("FAILED: see the errors above.", err=True)
            sys.exit(1)
        click.echo("OK: every visit was applied exactly once.")
