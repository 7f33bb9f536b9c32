"""Lighthouse (mobile) against a local Chợ Xanh server: performance and accessibility scores.

    cd bench/pwa && npm ci && cd ../..          # once: Lighthouse 12 (not part of `make test`)
    cd pwa && npm run build && cd ..
    .venv/bin/python bench/pwa/lighthouse.py [--front-gzip] [--runs 3] [--path /] [--dist DIR]
    .venv/bin/python bench/pwa/lighthouse.py --screens     # accessibility of the signed-in screens

Serves the demo through bench/pwa/serve.py (the app itself, `manage.py serve`, which sends the
build's brotli/gzip copies; `--front-gzip`: behind a gzip middleware; `--dist`: another build)
and runs bench/pwa/node_modules/.bin/lighthouse with its default mobile
settings (Moto G Power viewport, simulated Slow 4G, 4× CPU slowdown) in Debian's Chromium:
CHROME_PATH=/usr/bin/chromium, --chrome-flags="--headless --no-sandbox --disable-gpu".
The page is the first visit of a phone: `/` shows the login screen (no session yet).

Prints the scores and the key metrics of each run, the median, and every accessibility audit
that did not pass. JSON reports go to bench/pwa/reports/ (git-ignored).

`--screens` checks what a first visit cannot reach: Playwright signs the inspector in (and
records one visit) in a Chromium profile opened with a remote-debugging port, and Lighthouse
joins that browser (`--port`, `--disable-storage-reset`) to audit the accessibility of
Chọn chợ, Phiếu kiểm tra, Lượt kiểm tra của tôi and one visit's details.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from serve import REPO_ROOT, running_server  # noqa: E402

sys.path.insert(0, str(REPO_ROOT))

LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def run_lighthouse(url: str, report: Path, *extra: str,
                   categories: str = "performance,accessibility") -> dict:
    command = [
        str(LIGHTHOUSE), url,
        f"--only-categories={categories}",
        "--output=json", f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet", *extra,
    ]
    env = {**os.environ, "CHROME_PATH": CHROME}
    subprocess.run(command, env=env, check=True)
    return json.loads(report.read_text(encoding="utf-8"))


def summary(result: dict) -> dict:
    categories = result["categories"]
    audits = result["audits"]
    row = {
        "performance": round(categories["performance"]["score"] * 100),
        "accessibility": round(categories["accessibility"]["score"] * 100),
    }
    for audit, short in METRICS.items():
        row[short] = audits[audit]["displayValue"].replace("\xa0", " ")
    return row


def failed_accessibility(result: dict) -> list[str]:
    lines = []
    for ref in result["categories"]["accessibility"]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            nodes = [item.get("node", {}).get("snippet", "") for item in items][:5]
            lines.append(f"{ref['id']}: {audit['title']}  {' | '.join(nodes)}")
    return lines


def signed_in_screens(url: str, reports: Path) -> None:
    """Accessibility of the screens behind the login, in a browser Playwright signed in."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.e2e.live_server import free_port
    from tests.e2e.helpers import AT_FIRST_MARKET, MARKETS, Inspector

    class Server:  # what Inspector needs of a LiveServer
        def __init__(self, url):
            self.url = url

    port = free_port()
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--remote-debugging-port={port}"],
            viewport={"width": 360, "height": 740}, locale="vi-VN",
            geolocation=AT_FIRST_MARKET, permissions=["geolocation"],
        )
        inspector = Inspector(context.pages[0], Server(url))
        inspector.login_and_load_markets()
        new_visit = inspector.page.get_by_role("link", name=MARKETS[0]).first.get_attribute("href")
        inspector.record_visit(MARKETS[0], total=40, using=2, files=[])
        visit = inspector.visit_id(MARKETS[0])
        for name, path in [
            ("markets", "/markets"),
            ("visit-form", new_visit),
            ("visits", "/visits"),
            ("visit-detail", f"/visits/{visit}"),
        ]:
            result = run_lighthouse(
                url + path, reports / f"lighthouse-a11y-{name}.json",
                f"--port={port}", "--disable-storage-reset", categories="accessibility",
            )
            shown = result["finalDisplayedUrl"].removeprefix(url)
            score = round(result["categories"]["accessibility"]["score"] * 100)
            print(f"{name:13} {shown:45} accessibility {score}", flush=True)
            for line in failed_accessibility(result):
                print("  a11y:", line)
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--front-gzip", action="store_true",
                        help="through serve.py's gzip middleware (a front end), not the app alone")
    parser.add_argument("--dist", help="serve this build instead of pwa/dist (PWA_DIST)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--path", default="/")
    parser.add_argument("--screens", action="store_true",
                        help="accessibility of the signed-in screens instead")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci` in {HERE}")
    reports = HERE / "reports"
    reports.mkdir(exist_ok=True)
    if args.dist:
        os.environ["PWA_DIST"] = str(Path(args.dist).resolve())
    mode = "front-gzip" if args.front_gzip else "app"
    if args.screens:
        with running_server(use_gzip=args.front_gzip) as url:
            signed_in_screens(url, reports)
        return 0

    rows, last = [], None
    with running_server(use_gzip=args.front_gzip) as url:
        for run in range(1, args.runs + 1):
            last = run_lighthouse(url + args.path, reports / f"lighthouse-{mode}-{run}.json")
            rows.append(summary(last))
            print(f"run {run} ({mode}): " + ", ".join(f"{k} {v}" for k, v in rows[-1].items()),
                  flush=True)
    print(f"\nLighthouse {last['lighthouseVersion']}, {last['environment']['hostUserAgent']}")
    print(f"median of {len(rows)} ({mode}): performance "
          f"{statistics.median(r['performance'] for r in rows):.0f}, accessibility "
          f"{statistics.median(r['accessibility'] for r in rows):.0f}")
    problems = failed_accessibility(last)
    for line in problems:
        print("  a11y:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
