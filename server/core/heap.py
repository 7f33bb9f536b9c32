"""The Python heap of a serving process, settled once the app is built.

A built app holds a few hundred thousand long-lived objects (SQLAlchemy's mappers and compiled
statements, marshmallow's schemas, Flask's routing). CPython's cyclic garbage collector walked
all of them at every full collection, which a push of hundreds of visits triggers again and
again: freezing them after start-up (gc.freeze: they are never collected, and never looked at)
cut a push's CPU by ~10-30 % (bench/profile_sync.py). Only serving processes call this, after
their one app is built: a test run builds hundreds of apps and must be able to collect them.
"""

import gc


def settle_after_startup() -> None:
    gc.collect()
    gc.freeze()
