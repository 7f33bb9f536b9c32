"""`manage.py snapshot` and `manage.py export` (DESIGN §11)."""

from flask import Flask


def register(app: Flask) -> None:
    pass
