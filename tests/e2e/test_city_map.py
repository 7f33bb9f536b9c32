"""The city map (/city/map) in a real Chromium against a real server.

The fixture seeds, through the server's own models in a subprocess on the live server's
database, Hanoi after 1 July 2025: the 126 units of shared_schema/geo/hanoi-2025/wards.csv
directly under the city (valid from 2025-07-01; reused where the demo has them), the demo's
2023 districts and wards ended on 2025-06-30 (its markets closed then), and five markets at
some units' inside points. Visits of this year go in through the API: one approved compliant,
one approved non-compliant, one waiting for review (with a GPS point 250 m away, for the review
sketch); two markets are never visited.
"""

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PHONE
from tests.e2e.live_server import REPO_ROOT, LiveServer
from tests.e2e.test_city_dashboard import DESK, Api, approve, sign_in

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
WARDS_CSV = REPO_ROOT / "shared_schema" / "geo" / "hanoi-2025" / "wards.csv"
# (unit code, market code): markets at these units' inside points.
PLACED = [("00070", "E2E-HK"), ("00004", "E2E-BD"), ("00008", "E2E-NH"), ("00025", "E2E-GV"),
          ("00376", "E2E-SS")]
INSPECTOR = "kiemtra_tp"
PASSWORD = "ChoXanh@2023"

SEED = r"""
import csv, sys
from datetime import date
from sqlalchemy import delete, or_, select, update
from server import create_app
from server.auth.users import create_user
from server.core.extensions import db
from server.models import IndicatorSnapshot, IndicatorSnapshotItem, Market, OrgUnit

csv_path, placed, inspector, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
app = create_app()
with app.app_context():
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.level == "city"))
    reform = date(2025, 7, 1)
    ended = date(2025, 6, 30)
    # The demo may already hold the 126 units (seed-demo seeds Hanoi as it is now): reuse them.
    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    db.session.execute(update(OrgUnit).where(
        OrgUnit.level != "city", or_(OrgUnit.valid_from.is_(None), OrgUnit.valid_from < reform),
    ).values(valid_to=ended))
    db.session.execute(update(Market).values(closed_on=ended))
    units = {}
    with open(csv_path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            unit = existing.get(row["code"])
            if unit is None:
                unit = OrgUnit(code=row["code"], name=row["name"], level=row["level"],
                               parent_id=city.id, valid_from=reform)
                db.session.add(unit)
            units[row["code"]] = (unit, float(row["inside_lat"]), float(row["inside_lon"]))
    db.session.flush()
    for pair in placed.split(","):
        code, market_code = pair.split(":")
        unit, lat, lon = units[code]
        db.session.add(Market(code=market_code, name=f"Chợ {unit.name} (e2e)", org_unit_id=unit.id,
                              lat=lat, lon=lon, market_class="3", opened_on=reform))
    db.session.execute(delete(IndicatorSnapshotItem))
    db.session.execute(delete(IndicatorSnapshot))
    db.session.commit()
    create_user(inspector, "inspector", password, city.code, "Kiểm tra viên thành phố")
    db.session.commit()
"""

FORGET = r"""
from sqlalchemy import delete
from server import create_app
from server.core.extensions import db
from server.models import IndicatorSnapshot, IndicatorSnapshotItem
with create_app().app_context():
    db.session.execute(delete(IndicatorSnapshotItem))
    db.session.execute(delete(IndicatorSnapshot))
    db.session.commit()
"""


def run_in_server(server: LiveServer, script: str, *args: str) -> None:
    subprocess.run([sys.executable, "-c", script, *args], cwd=REPO_ROOT, env=server.env,
                   check=True, capture_output=True, text=True)


def hanoi_now() -> datetime:
    return datetime.now(UTC) + timedelta(hours=7)


def visit(market: dict, using: int, when: datetime, location: dict | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()), "type": "visit.upsert",
        "data": {
            "id": str(uuid.uuid4()), "base_rev": None, "market_id": market["id"],
            "form_version": "2023.1", "observed_at": when.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            "answers": {"stalls_total": 30, "stalls_using_nondegradable": using,
                        "alternatives": ["paper_bag"], "signage_present": True,
                        "outreach_held": True, "notes": "Bản đồ e2e"},
            "location": location, "attachments": [],
        },
    }


@pytest.fixture
def reform(server: LiveServer) -> dict:
    """The seeded data set → {year, markets: {code: market}, visits: {role: id}}."""
    placed = ",".join(f"{unit}:{market}" for unit, market in PLACED)
    run_in_server(server, SEED, str(WARDS_CSV), placed, INSPECTOR, PASSWORD)
    api = Api(server)
    markets = {}
    cursor = None
    while True:
        body = api.get("/sync/pull", INSPECTOR, limit=500, **({"cursor": cursor} if cursor else {}))
        for change in body["changes"]:
            if change["entity"] == "market" and change["data"]["code"].startswith("E2E-"):
                markets[change["data"]["code"]] = change["data"]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert sorted(markets) == sorted(m for _, m in PLACED)
    now = hanoi_now()
    when = max(now - timedelta(days=2), now.replace(month=1, day=1, hour=9))
    pending = markets["E2E-NH"]
    near = {"lat": pending["lat"] + 250 / 111_195, "lon": pending["lon"], "accuracy_m": 30}
    results = api.push(INSPECTOR, visit(markets["E2E-HK"], 0, when),
                       visit(markets["E2E-BD"], 4, when), visit(pending, 0, when, near))
    api.push("thanhpho", *[approve(r["record"]) for r in results[:2]])
    run_in_server(server, FORGET)  # the first answer of each period is computed afresh
    return {"year": now.year, "markets": markets,
            "visits": {"compliant": results[0]["record"]["id"],
                       "non_compliant": results[1]["record"]["id"],
                       "pending": results[2]["record"]["id"]}}


@pytest.fixture
def desk(browser):
    context = browser.new_context(**DESK)
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert violations == []


def without_year_to_date(route) -> None:
    """GET /indicator/trend as an older server answered it: months without `year_to_date`."""
    response = route.fetch()
    body = response.json()
    for month in body["months"]:
        month.pop("year_to_date", None)
    route.fulfill(response=response, json=body)


def shot(page: Page, name: str, locator=None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if os.environ.get("CHOXANH_SCREENSHOTS") != "1":  # by hand: CHOXANH_SCREENSHOTS=1
        return
    for attempt in range(3):  # a screen may redraw (a sync ends) while the picture is taken
        try:
            (locator or page).screenshot(path=str(SCREENSHOTS / name))
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)


def open_map(page: Page, server: LiveServer, query: str, markets: int) -> None:
    page.goto(f"{server.url}/city/map?{query}")
    # The markets' coordinates come from the phone's replica: the first pull may still run.
    expect(page.locator("[data-market]")).to_have_count(markets, timeout=WAIT_MS)


def test_city_map_current_year_2023_drill_evidence_and_offline(server, reform, desk, browser):
    page = desk
    year = reform["year"]
    api = Api(server)
    sign_in(page, server)

    # This year: the 126 units in force, one point per market, coloured by status.
    open_map(page, server, f"period={year}", len(PLACED))
    expect(page.locator("path[data-org-unit]")).to_have_count(126)
    for code, status in (("E2E-HK", "compliant"), ("E2E-BD", "non_compliant"),
                         ("E2E-NH", "pending_review"), ("E2E-GV", "not_assessed")):
        expect(page.locator(f"[data-market='{code}']")).to_have_attribute("data-status", status)
    unit = page.locator("path[data-org-unit='00070']")
    expect(unit).to_have_attribute("data-shade", "s4")
    expect(page.locator("path[data-org-unit='00004']")).to_have_attribute("data-hatched", "false")
    expect(page.locator("path[data-org-unit='00025']")).to_have_attribute("data-hatched", "true")
    unit.focus()
    expect(page.locator(".map-panel")).to_contain_text("Phường Hoàn Kiếm")
    expect(page.locator(".map-panel")).to_contain_text("1/1 chợ đạt")
    shot(page, "city-map-current.png", page.locator(".map-layout"))

    # A unit drills in: its own map, the unit alone, its market on it.
    unit.dispatch_event("click")
    unit_id = unit.get_attribute("data-unit-id") or ""
    expect(page).to_have_url(f"{server.url}/city/map?period={year}&org_unit={unit_id}",
                             timeout=WAIT_MS)
    expect(page.locator("path[data-org-unit]")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("path.map-unit--current[data-org-unit='00070']")).to_have_count(1)
    expect(page.locator("[data-market]")).to_have_count(1)
    shot(page, "city-map-unit.png", page.locator(".map-layout"))

    # On a phone a fingertip is wider than a dot: a tap beside the market opens it too.
    phone = browser.new_context(**PHONE).new_page()
    sign_in(phone, server)
    phone.goto(page.url)  # this unit's own map
    dot = phone.locator("[data-market='E2E-HK']")
    dot.wait_for(timeout=WAIT_MS)
    phone.eval_on_selector("[data-market='E2E-HK']", "el => el.scrollIntoView({block: 'center'})")
    box = dot.bounding_box()
    assert box["width"] < 12, box  # a few pixels: the finger would miss it
    phone.touchscreen.tap(box["x"] + box["width"] / 2 + 14, box["y"] + box["height"] / 2)
    expect(phone).to_have_url(re.compile(rf"/review/visits/{reform['visits']['compliant']}"),
                              timeout=WAIT_MS)
    phone.context.close()

    # A market opens its evidence visit.
    page.locator("[data-market='E2E-HK']").dispatch_event("click")
    expect(page).to_have_url(re.compile(  # with the way back to this map
        rf"/review/visits/{reform['visits']['compliant']}\?from=%2Fcity%2Fmap%3F"),
        timeout=WAIT_MS)

    # The dashboard links to the map; the review screen sketches the pending visit's place.
    page.goto(f"{server.url}/review/visits/{reform['visits']['pending']}")
    sketch = page.locator(".place-sketch")
    expect(sketch.locator("[data-point='visit']")).to_have_count(1, timeout=WAIT_MS)
    expect(sketch).to_contain_text("250 m")
    page.wait_for_load_state("networkidle")
    page.set_viewport_size({"width": 900, "height": 2000})  # the tab bar hides nothing
    shot(page, "review-visit-sketch.png", page.locator(".answers dd").filter(has=sketch))
    page.set_viewport_size(DESK["viewport"])

    # The trend: the year-to-date line against the target (the server's `year_to_date`), and
    # the month-by-month drawing when an older server answers without it.
    page.goto(f"{server.url}/city?period={year}")
    chart = page.locator("figure.trend")
    expect(chart.locator("svg")).to_have_attribute("data-mode", "ytd", timeout=WAIT_MS)
    expect(chart.locator("table thead th")).to_have_count(8)
    shot(page, "city-dashboard-trend.png", chart)
    page.route("**/api/v1/indicator/trend*", without_year_to_date)
    page.reload()
    expect(chart.locator("svg")).to_have_attribute("data-mode", "month", timeout=WAIT_MS)
    page.unroute("**/api/v1/indicator/trend*")
    page.reload()
    page.locator("[data-link='map']").click()
    expect(page).to_have_url(f"{server.url}/city/map?period={year}", timeout=WAIT_MS)

    # 2023: the old districts have no boundaries; every market sits on the city outline.
    markets_2023 = api.get("/indicator/markets", period="2023")["markets"]
    assert len(markets_2023) > 100 and not any(
        m["market"]["code"].startswith("E2E-") for m in markets_2023)
    open_map(page, server, "period=2023", len(markets_2023))
    expect(page.locator("path[data-org-unit]")).to_have_count(0)
    expect(page.locator(".map-outline__path")).to_have_count(1)
    expect(page.locator("[data-note='no-shapes']")).to_be_visible()
    shot(page, "city-map-2023.png", page.locator(".map-layout"))

    # After that online visit, with the server really stopped, the map still draws.
    open_map(page, server, f"period={year}", len(PLACED))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT_MS)
    server.stop()
    page.reload()
    expect(page.locator("path[data-org-unit]")).to_have_count(126, timeout=WAIT_MS)
    expect(page.locator("[data-market]")).to_have_count(len(PLACED))
    expect(page.locator(".banner--warn")).to_contain_text("Không có mạng")
