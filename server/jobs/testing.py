"""The job of the fast test list (CHOXANH_SCHEDULER_TEST_JOBS=1): write one row per run into
scheduler_test_run, a table the two-process test creates, so the test can count runs per fire
time and see which process ran each."""

import os
import time

from flask import g
from sqlalchemy import text

from server.core.extensions import begin_write, db


def tick() -> str:
    begin_write()
    db.session.execute(
        text("INSERT INTO scheduler_test_run (fire_time, pid) VALUES (:fire_time, :pid)"),
        {"fire_time": g.job_fire_time, "pid": os.getpid()},
    )
    time.sleep(0.2)  # hold the transaction a little, as a real job would
    db.session.commit()
    return f"tick by pid {os.getpid()}"
