"""`manage.py scheduler` (DESIGN §11)."""

from flask import Flask


def register(app: Flask) -> None:
    pass
