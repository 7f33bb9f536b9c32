"""gunicorn's settings for Chợ Xanh (docs/DEPLOY.md §3), read by

    .venv/bin/gunicorn -c gunicorn.conf.py "server:create_app()"

(also by default when gunicorn starts in this folder). Command-line options override these.

Sized by bench/load_phones.py (docs/PERFORMANCE.md, "200 phones at once"): a request is a few
milliseconds of Python, so one process per core does the work, and a few threads in each let
it go on while another request waits on PostgreSQL or on a photo's fsync. Keep-alive spares a
phone a new connection for each of the ~45 requests of a sync.
"""

import os

# One process per core this host gives us (WEB_CONCURRENCY, gunicorn's usual variable, wins).
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
worker_class = "gthread"
# Threads per process: while one waits (a photo's fsync, PostgreSQL), the others run.
threads = int(os.environ.get("GUNICORN_THREADS", 12))
# Each thread may hold a database connection: the pool keeps one per thread (server/core/config).
os.environ.setdefault("DB_POOL_SIZE", str(threads))
keepalive = 15  # seconds an idle connection stays open: a sync's requests come back to back
timeout = 60  # a worker silent this long is restarted (a push of 500 mutations takes < 5 s)
graceful_timeout = 20
backlog = 2048  # connections waiting to be accepted: a crowd released at once queues here
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def post_worker_init(worker):
    """The worker's app is built: take its long-lived objects out of the garbage collector's
    walks (server/core/heap.py)."""
    from server.core.heap import settle_after_startup

    settle_after_startup()


def on_starting(server):
    """A production server without its own SECRET_KEY seals two-factor secrets under a key
    anyone can read in the source: say so loudly (docs/DEPLOY.md §1)."""
    if not os.environ.get("SECRET_KEY"):
        server.log.warning("SECRET_KEY is not set: the development key is in use; set a long "
                           "random SECRET_KEY (docs/DEPLOY.md, section 1) before real use")
