"""Kinto as a WSGI app for gunicorn: `gunicorn kinto_wsgi:application` with KINTO_INI set."""

import logging.config
import os

from pyramid.paster import get_app

INI = os.environ["KINTO_INI"]
logging.config.fileConfig(INI, disable_existing_loggers=False)
application = get_app(INI, "main")
