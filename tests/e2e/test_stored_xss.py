"""Stored hostile text renders as text on every PWA screen (DESIGN §9), in a real Chromium.

A market name, a user's display name and a visit's notes are set to HTML that would run script
if any screen inserted it as markup. Each screen of SCREENS is opened as its role: the text must
be visible literally, no script may run (a window flag, a dialog), no element may be created
from it, and the browser must report no Content-Security-Policy violation (a violation means
something tried to run inline code: the CSP caught it, but the screen was still wrong).

ADDING A SCREEN = ONE LINE in SCREENS: (role, path with {visit}/{market}, the texts it shows:
"market", "user", "notes").
"""

import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.helpers import MARKETS, Inspector, new_phone
from tests.resilience.live import DEMO, DEMO_PASSWORD

pytestmark = pytest.mark.e2e
WAIT_MS = 30_000

HOSTILE = {
    "market": 'Chợ Hôm <script>window.__xss="market"</script><img src=x '
              'onerror="window.__xss=\'market-img\'"> (demo)',
    "user": '<b onmouseover=alert(1)>Kiểm tra</b><script>window.__xss="user"</script>',
    "notes": '<script>window.__xss="notes"</script><img src=x onerror=alert("notes")> '
             '{{7*7}} \u202eRTL\u202c zero\u200bwidth 🛍️',
}
# (role, path, texts the screen must show literally)
SCREENS = [
    ("inspector", "/markets", ["market"]),
    ("inspector", "/visits", ["market"]),
    ("inspector", "/visits/{visit}", ["market", "notes"]),
    ("inspector", "/login", ["user"]),
    ("ward_officer", "/review?status=all", ["market"]),
    ("ward_officer", "/review/visits/{visit}", ["market", "notes"]),
    ("city_officer", "/city/markets?period=2023&status=pending_review", ["market"]),
    ("admin", "/admin/users?q=kiemtra", ["user"]),
]
WATCH = """
window.__xss = undefined;
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.sample || ''}`));
"""


def api(live, method, path, username, **kwargs):
    login = requests.post(f"{live.url}/api/v1/auth/token", timeout=20, json={
        "username": username, "password": DEMO_PASSWORD, "device_id": f"setup-{username}"})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    response = requests.request(method, live.url + "/api/v1" + path, headers=headers,
                                timeout=20, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def store_hostile_text(live) -> dict:
    """Rename the market the phone stands at and the inspector; record a visit there."""
    admin = DEMO["admin"]
    found = api(live, "GET", "/admin/markets", admin, params={"q": MARKETS[0]})
    market = next(m for m in found["markets"] if m["name"] == MARKETS[0])
    api(live, "PATCH", f"/admin/markets/{market['id']}", admin, json={"name": HOSTILE["market"]})
    users = api(live, "GET", "/admin/users", admin, params={"q": DEMO["inspector"]})["users"]
    inspector = next(u for u in users if u["username"] == DEMO["inspector"])
    api(live, "PATCH", f"/admin/users/{inspector['id']}", admin,
        json={"display_name": HOSTILE["user"]})
    visit_id = str(uuid.uuid4())
    answers = {"stalls_total": 30, "stalls_using_nondegradable": 2, "alternatives": ["paper_bag"],
               "signage_present": True, "outreach_held": False, "notes": HOSTILE["notes"]}
    result = api(live, "POST", "/sync/push", DEMO["inspector"], json={
        "device_id": "other-phone", "mutations": [{"id": str(uuid.uuid4()), "type": "visit.upsert",
        "data": {"id": visit_id, "base_rev": None, "market_id": market["id"],
                 "form_version": "2023.1", "observed_at": "2023-03-01T08:30:00+07:00",
                 "answers": answers, "location": None, "attachments": []}}]})
    assert result["results"][0]["status"] == "applied", result
    return {"visit": visit_id, "market": market["id"]}


@pytest.mark.parametrize(("role", "path", "texts"), SCREENS,
                         ids=[f"{role} {path}" for role, path, _ in SCREENS])
def test_hostile_text_renders_as_text(browser, server, role, path, texts):
    ids = store_hostile_text(server)
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        Inspector(page, server).login(DEMO[role], DEMO_PASSWORD)
        page.get_by_role("heading", name="Đăng nhập").wait_for(state="detached", timeout=WAIT_MS)
        page.goto(server.url + path.format(**ids))
        for key in texts:
            expect(page.locator("main, body").first).to_contain_text(HOSTILE[key],
                                                                     timeout=WAIT_MS)
        page.wait_for_timeout(300)  # let any late handler (img onerror) fire
        assert page.evaluate("window.__xss") is None, "a script from stored text ran"
        assert dialogs == [], f"a dialog opened: {dialogs}"
        assert page.evaluate("window.__csp") == [], "something tried to run inline code"
        assert page.locator('img[src="x"], b[onmouseover]').count() == 0
        assert page.evaluate(
            "[...document.scripts].some((s) => s.textContent.includes('__xss'))") is False
    finally:
        context.close()
