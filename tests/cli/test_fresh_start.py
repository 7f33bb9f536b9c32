"""What `make run` does on a fresh clone: upgrade and seed the default SQLite under instance/."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_default_database_is_created_under_a_missing_instance_dir(tmp_path):
    instance = tmp_path / "not-yet" / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ATTACHMENTS_DIR")}
    env["INSTANCE_DIR"] = str(instance)
    upgraded = manage(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = manage(env, "seed-demo", "--if-empty")
    assert seeded.returncode == 0, seeded.stderr
    assert "453 markets" in seeded.stdout and "kiemtra" in seeded.stdout
    again = manage(env, "seed-demo", "--if-empty")
    assert "not loaded again" in again.stdout and "kiemtra" in again.stdout
    assert (instance / "cho_xanh.sqlite3").is_file()


def test_help_lists_the_operator_commands():
    result = manage(dict(os.environ), "--help")
    assert result.returncode == 0
    for command in (
        "db",
        "seed-demo",
        "import-org-units",
        "import-markets",
        "create-user",
        "serve",
    ):
        assert command in result.stdout
