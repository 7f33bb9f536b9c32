"""`manage.py seed-demo-visits` (see server/demo/visits.py)."""

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("seed-demo-visits")
    def seed_demo_visits_command():
        """Add demo inspections of 2023 to today (idempotent) so the dashboard has figures.

        Run after seed-demo. Visits are by demo inspectors kiemtra2 (Phường Hai Bà Trưng,
        reviewed by phuong, who keeps a queue to review) and doankt1..3 (the city's team)."""
        from server.demo.visits import seed_demo_visits

        result = seed_demo_visits()
        click.echo(f"Demo visits: {result['visits_added']} added "
                   f"({result['decisions_added']} review decisions); inspectors "
                   + ", ".join(result["inspectors"]) + ".")
