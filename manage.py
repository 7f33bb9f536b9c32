"""Chợ Xanh command line: `python manage.py --help`."""

import click
from flask.cli import FlaskGroup

from server import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli():
    """Chợ Xanh: offline-first survey of nylon-bag use in Hanoi's markets (Plan 293/KH-UBND).

    Configuration comes from the environment: DATABASE_URL (default: SQLite under instance/),
    SECRET_KEY, ATTACHMENTS_DIR or ATTACHMENTS_URL (s3://bucket/prefix). See README.md.
    """


if __name__ == "__main__":
    cli()
