"""Bytes a phone downloads on its first visit to the PWA, measured in a real Chromium.

    cd pwa && npm run build && cd ..
    .venv/bin/python bench/pwa/first_visit.py [--plain] [--budget-kb 150]

Serves the demo through bench/pwa/serve.py (gzip, as a production front end would; `--plain`:
Werkzeug's uncompressed development server), opens `/` in a fresh 360×740 phone profile and
waits until the app says "Sẵn sàng dùng khi không có mạng" (the service worker has precached
the app). Every request of the page AND of the service worker is recorded (Playwright's
PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS) with the bytes that crossed the wire: the
encoded (compressed) body (its Content-Length), plus the response headers.
Requests answered from the HTTP cache (the worker precaching the hashed assets the page has
just loaded) cost nothing and are listed as such.

Prints one line per request and the totals:
  page HTML+JS+CSS   what the browser needs before it can draw the login screen
  first visit, all   everything, the service worker's precache and the API calls included
Exits 1 when "first visit, all" is over --budget-kb (default 150 KB).
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

# Must be set before Playwright starts its driver: it reports the service worker's own fetches.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from serve import running_server  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402

KINDS = {".html": "html", ".js": "js", ".css": "css"}


def kind_of(path: str, resource_type: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if resource_type == "document" or path in ("/", "/index.html"):
        return "html"
    return KINDS.get(Path(path).suffix, "other")


def measure(url: str) -> list[dict]:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**{**PHONE, "device_scale_factor": 1})

        def finished(request):
            response = request.response()
            sizes = request.sizes()
            body = sizes["responseBodySize"]
            length = response.headers.get("content-length") if response else None
            if body > 0 and length and length.isdigit():
                # Both servers send Content-Length (no chunking): the body on the wire. Chromium
                # under-reports the service worker's own script fetch (/sw.js) otherwise.
                body = max(body, int(length))
            path = urlsplit(request.url).path
            rows.append({
                "by": "sw" if request.service_worker else "page",
                "path": path,
                "kind": kind_of(path, request.resource_type),
                "status": response.status if response else None,
                "encoding": (response.headers.get("content-encoding") if response else None)
                or "-",
                # A negative or zero body with headers: served from the HTTP cache.
                "cached": body <= 0,
                "body": max(body, 0),
                "headers": sizes["responseHeadersSize"] if body > 0 else 0,
            })

        context.on("requestfinished", finished)
        page = context.new_page()
        page.goto(url + "/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.get_by_text("Sẵn sàng dùng khi không có mạng").wait_for()
        page.wait_for_load_state("networkidle")
        browser.close()
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plain", action="store_true", help="no gzip (manage.py serve)")
    parser.add_argument("--budget-kb", type=float, default=150)
    args = parser.parse_args()

    with running_server(use_gzip=not args.plain) as url:
        rows = measure(url)

    print(f"{'by':4} {'kind':5} {'status':6} {'enc':5} {'body':>10} {'headers':>10}  path")
    for row in rows:
        note = "  (HTTP cache)" if row["cached"] else ""
        print(f"{row['by']:4} {row['kind']:5} {row['status']!s:6} {row['encoding']:5} "
              f"{kb(row['body'])} {kb(row['headers'])}  {row['path']}{note}")

    def total(selected):
        return sum(r["body"] + r["headers"] for r in selected), sum(r["body"] for r in selected)

    page_code = [r for r in rows if r["by"] == "page" and r["kind"] in ("html", "js", "css")]
    code_all, code_body = total(page_code)
    all_all, all_body = total(rows)
    mode = "uncompressed (plain)" if args.plain else "gzip"
    print()
    print(f"served: {mode}; {len(rows)} requests, "
          f"{sum(1 for r in rows if r['cached'])} from the HTTP cache")
    print(f"page HTML+JS+CSS   {kb(code_body)} bodies, {kb(code_all)} with headers")
    print(f"first visit, all   {kb(all_body)} bodies, {kb(all_all)} with headers "
          f"(budget {args.budget_kb:.0f} KB)")
    return 0 if all_all <= args.budget_kb * 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
