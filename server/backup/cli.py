"""`manage.py backup` and `manage.py restore`."""

from flask import Flask


def register(app: Flask) -> None:
    pass
