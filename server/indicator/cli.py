"""`manage.py snapshot` and `manage.py export` (DESIGN §11)."""

from pathlib import Path

import click
from flask import Flask

from server.core.errors import ApiError


def _period(value: str):
    from server.core.periods import parse_period

    try:
        return parse_period(value)
    except ApiError as exc:
        raise click.BadParameter(exc.message, param_hint="--period") from None


def _unit_key(code: str | None) -> int | None:
    from server.indicator.hierarchy import find_unit

    if not code:
        return None
    try:
        unit = find_unit(code)
    except ApiError:
        raise click.BadParameter(f"no org unit {code!r}", param_hint="--org-unit") from None
    return None if unit.level == "city" else unit.id


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.2f}%"


def register(app: Flask) -> None:
    @app.cli.command("snapshot")
    @click.option("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM (Hanoi time).")
    def snapshot_command(period):
        """Recompute and store indicator 4.4 for a period (the city and every org unit).

        A period marked final is left as it is."""
        from server.indicator.report import indicator
        from server.indicator.snapshots import compute

        chosen = _period(period)
        compute(chosen)
        figures = indicator(chosen, None)
        state = "final (unchanged)" if figures["final"] else "provisional"
        click.echo(
            f"Indicator 4.4, {chosen.id} ({state}, computed {figures['computed_at']}): "
            f"{figures['compliant']}/{figures['markets_total']} markets compliant "
            f"= {_percent(figures['value'])}; non-compliant {figures['non_compliant']}, "
            f"not assessed {figures['not_assessed']} "
            f"(pending review {figures['pending_review']}); "
            f"coverage {_percent(figures['coverage'])}; target {_percent(figures['target'])}."
        )

    @app.cli.command("export")
    @click.option("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM (Hanoi time).")
    @click.option("--org-unit", "org_unit", default=None,
                  help="Org unit code (or id); default: the whole city.")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
    @click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="File to write.")
    def export_command(period, org_unit, fmt, output):
        """Write the compliance report (the same figures as the dashboard) to a file."""
        from server.indicator.export import build_csv, build_xlsx

        chosen, unit_key = _period(period), _unit_key(org_unit)
        build = build_csv if fmt == "csv" else build_xlsx
        try:
            body, summary = build(chosen, unit_key)
        except ApiError as exc:
            raise click.ClickException(exc.message) from None
        Path(output).write_bytes(body)
        click.echo(f"Wrote {output}: {summary['org_unit']['name']}, {chosen.id}, "
                   f"{summary['compliant']}/{summary['markets_total']} compliant "
                   f"= {_percent(summary['value'])}.")
