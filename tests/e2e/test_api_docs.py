"""/api/docs: Swagger UI (from an installed package, within the app's CSP) lists every path of
the live OpenAPI document, and opens again with the server down once it has been read."""

import time

import pytest
import requests

from tests.e2e.helpers import WAIT_MS

pytestmark = pytest.mark.e2e


def test_api_docs_list_every_path(browser, server):
    spec = requests.get(server.url + "/api/v1/openapi.json", timeout=10).json()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside = []
    page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
    try:
        page.goto(server.url + "/api/docs")
        assert page.title() == "Chợ Xanh API"
        page.locator(".opblock").first.wait_for()
        shown = page.eval_on_selector_all(
            ".opblock-summary-path", "nodes => nodes.map(n => n.getAttribute('data-path'))")
        listed = {(path, method) for path, item in spec["paths"].items() for method in item}
        methods = page.eval_on_selector_all(
            ".opblock-summary-method", "nodes => nodes.map(n => n.textContent.toLowerCase())")
        assert set(shown) == set(spec["paths"])
        assert set(zip(shown, methods, strict=True)) == listed
        assert problems == []  # e.g. no script or style refused by the Content-Security-Policy
        assert outside == []  # no CDN, no swagger.io validator
    finally:
        context.close()


def _listed_paths(page) -> set:
    page.locator(".opblock").first.wait_for(timeout=WAIT_MS)
    return set(page.eval_on_selector_all(
        ".opblock-summary-path", "nodes => nodes.map(n => n.getAttribute('data-path'))"))


def test_api_docs_open_offline_after_one_visit(browser, server):
    spec = requests.get(server.url + "/api/v1/openapi.json", timeout=10).json()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url + "/api/docs")
        assert _listed_paths(page) == set(spec["paths"])
        # The page registers the app's service worker; once it controls the page, a reload
        # goes through it and keeps what it fetched.
        # Polled from here: wait_for_function's in-page predicate needs eval, which the docs
        # page's Content Security Policy refuses (it failed under load, not always).
        deadline = time.monotonic() + WAIT_MS / 1000
        while not page.evaluate("() => navigator.serviceWorker.controller !== null"):
            assert time.monotonic() < deadline, "the service worker never took the docs page"
            page.wait_for_timeout(100)
        page.reload()
        assert _listed_paths(page) == set(spec["paths"])
        server.stop()  # really down: the service worker's fetches fail too
        page.reload()
        assert page.title() == "Chợ Xanh API"
        assert _listed_paths(page) == set(spec["paths"])
    finally:
        context.close()
