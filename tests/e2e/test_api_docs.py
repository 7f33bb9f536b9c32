"""/api/docs: Swagger UI (from an installed package, within the app's CSP) lists every path of
the live OpenAPI document."""

import pytest
import requests

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
