"""Bytes a phone downloads on its first visit to the PWA, measured in a real Chromium.

    cd pwa && npm run build && cd ..
    .venv/bin/python bench/pwa/first_visit.py [--budget-kb 100] [--sign-in USER] [--dist DIR]
    .venv/bin/python bench/pwa/first_visit.py --gunicorn       # a bare gunicorn, no front end
    .venv/bin/python bench/pwa/first_visit.py --front-gzip     # behind a gzip front end

Serves the demo as the app serves itself: `manage.py serve` (bench/pwa/serve.py), which sends
the build's brotli or gzip copies (server/web.py); `--front-gzip` adds serve.py's WSGI gzip
middleware, as an nginx or CDN in front would (for builds without those copies). `--dist` serves
another build (PWA_DIST), e.g. an older commit's, to compare in one run. Opens `/` in a fresh
360×740 phone profile and waits until the app says "Sẵn sàng dùng khi không có mạng" (the
service worker has precached the app). Every request of the page AND of the service worker is
recorded (Playwright's PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS) with the bytes that
crossed the wire: the encoded (compressed) body (its Content-Length), plus the response headers.
Requests answered from the HTTP cache (the worker precaching the hashed assets the page has
just loaded) cost nothing and are listed as such.

`--sign-in USER` then signs that demo user in (password ChoXanh@2023) and waits until the app
says the role's screens are cached for offline use: what a ward officer's, city officer's or
admin's sign-in adds (their screens are not in the first precache; an inspector's sign-in adds
only API calls).

Prints one line per request and the totals:
  page HTML+JS+CSS   what the browser needs before it can draw the login screen
  first visit, all   everything, the service worker's precache and the API calls included
  sign-in adds       (with --sign-in) the app's files fetched after the sign-in button
Exits 1 when "first visit, all" is over --budget-kb (default 100 KB, issue #15).
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
from tests.e2e.helpers import PASSWORD  # noqa: E402

KINDS = {".html": "html", ".js": "js", ".css": "css"}


def kind_of(path: str, resource_type: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if resource_type == "document" or path in ("/", "/index.html"):
        return "html"
    return KINDS.get(Path(path).suffix, "other")


def measure(url: str, sign_in: str | None = None) -> list[dict]:
    rows = []
    phase = {"now": "first"}
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
                "phase": phase["now"],
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
        if sign_in:
            phase["now"] = "sign-in"
            page.get_by_label("Tên đăng nhập").fill(sign_in)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(lambda u: "/login" not in u)
            page.wait_for_selector("#offline-ready[data-state=ready]")
            page.wait_for_load_state("networkidle")
        browser.close()
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:7.1f} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--front-gzip", action="store_true",
                        help="through serve.py's gzip middleware (a front end), not the app alone")
    parser.add_argument("--budget-kb", type=float, default=100)
    parser.add_argument("--sign-in", metavar="USER", help="then sign this demo user in")
    parser.add_argument("--dist", help="serve this build instead of pwa/dist (PWA_DIST)")
    parser.add_argument("--gunicorn", action="store_true",
                        help="a bare gunicorn (2 workers) instead of manage.py serve")
    args = parser.parse_args()
    if args.dist:
        os.environ["PWA_DIST"] = str(Path(args.dist).resolve())

    with running_server(use_gzip=args.front_gzip, gunicorn=args.gunicorn) as url:
        rows = measure(url, args.sign_in)

    print(f"{'by':4} {'kind':5} {'status':6} {'enc':5} {'body':>10} {'headers':>10}  path")
    for row in rows:
        note = "  (HTTP cache)" if row["cached"] else ""
        if row["phase"] != "first":
            note += f"  [{row['phase']}]"
        print(f"{row['by']:4} {row['kind']:5} {row['status']!s:6} {row['encoding']:5} "
              f"{kb(row['body'])} {kb(row['headers'])}  {row['path']}{note}")

    def total(selected):
        return sum(r["body"] + r["headers"] for r in selected), sum(r["body"] for r in selected)

    first = [r for r in rows if r["phase"] == "first"]
    page_code = [r for r in first if r["by"] == "page" and r["kind"] in ("html", "js", "css")]
    code_all, code_body = total(page_code)
    all_all, all_body = total(first)
    mode = ("behind a gzip front end (serve.py)" if args.front_gzip
            else "the app itself, gunicorn" if args.gunicorn else "the app itself, manage.py serve")
    print()
    print(f"served: {mode}{'; dist ' + args.dist if args.dist else ''}; {len(first)} requests, "
          f"{sum(1 for r in first if r['cached'])} from the HTTP cache")
    print(f"page HTML+JS+CSS   {kb(code_body)} bodies, {kb(code_all)} with headers")
    print(f"first visit, all   {kb(all_body)} bodies, {kb(all_all)} with headers "
          f"(budget {args.budget_kb:.0f} KB)")
    if args.sign_in:
        # The app's files only: the first sync's API calls are data, and still running.
        later = [r for r in rows if r["phase"] == "sign-in" and r["kind"] != "api"]
        later_all, later_body = total(later)
        print(f"sign-in adds       {kb(later_body)} bodies, {kb(later_all)} with headers "
              f"of app files ({args.sign_in}: {len(later)} requests, API calls not counted)")
    return 0 if all_all <= args.budget_kb * 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
