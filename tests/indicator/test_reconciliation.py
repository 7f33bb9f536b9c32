"""Indicator 4.4 on the hand-computed fixture: the API gives exactly the figures worked out by
hand, for a year, a quarter and a month, for the city, a district and its wards."""

import pytest

from tests.factories import login
from tests.indicator import fixture
from tests.indicator.expected import EXPECTED, FIELDS, YEAR_MARKETS


@pytest.fixture
def world(app):
    return fixture.build()


@pytest.fixture
def city(client, world):
    return login(client, "city")


def get(client, headers, path, **query):
    response = client.get(f"/api/v1{path}", query_string=query, headers=headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(("period", "unit"), list(EXPECTED))
def test_figures_match_the_hand_computed_ones(client, city, period, unit):
    status, body = get(client, city, "/indicator", period=period,
                       **({"org_unit": unit} if unit else {}))
    assert status == 200, body
    assert tuple(body[f] for f in FIELDS) == EXPECTED[(period, unit)]
    assert body["indicator"] == "4.4"
    assert body["org_unit"]["code"] == unit


def test_breakdown_rows_are_the_child_units_with_their_own_figures(client, city):
    _, body = get(client, city, "/indicator", period="2023-Q1", org_unit="HBT")
    assert body["period"] == {"id": "2023-Q1", "start": "2023-01-01", "end": "2023-03-31"}
    assert body["org_unit"]["name"] == "Quận Hai Bà Trưng"
    assert body["org_unit"]["level"] == "district"
    assert [row["org_unit"]["code"] for row in body["breakdown"]] == ["HBT-1", "HBT-2"]
    for row in body["breakdown"]:
        expected = EXPECTED[("2023-Q1", row["org_unit"]["code"])]
        assert tuple(row[f] for f in FIELDS[:7]) == expected[:7]
    _, city_body = get(client, city, "/indicator", period="2023")
    assert city_body["org_unit"] == {"id": None, "code": None, "name": "Thành phố Hà Nội",
                                     "level": "city"}
    assert [row["org_unit"]["code"] for row in city_body["breakdown"]] == ["BD", "HBT"]
    _, ward = get(client, city, "/indicator", period="2023", org_unit="HBT-1")
    assert ward["breakdown"] == []


def test_every_market_shows_its_status_and_evidence(client, city, world):
    _, body = get(client, city, "/indicator/markets", period="2023", org_unit="HBT")
    got = {m["market"]["code"]: (m["status"], m["pending_review"], m["visit_id"])
           for m in body["markets"]}
    assert got == YEAR_MARKETS  # M11 closed before 2023, B01 is in another district
    m07 = next(m for m in body["markets"] if m["market"]["code"] == "M07")
    assert m07["observed_at"] == "2023-08-15T02:00:00.000Z"
    assert m07["decided_at"] == "2023-08-16T03:04:05.000Z"
    assert m07["inspector"] == {"id": world["inspector"].id, "name": "Nguyễn Văn Kiểm"}
    assert m07["reviewer"] == {"id": world["reviewer"].id, "name": "Trần Thị Duyệt"}
    assert m07["ward"]["code"] == "HBT-1" and m07["district"]["code"] == "HBT"
    assert m07["market"]["market_class"] == "3"
    m03 = next(m for m in body["markets"] if m["market"]["code"] == "M03")
    assert m03["inspector"] is None and m03["observed_at"] is None


def test_markets_filter_by_status_and_pending(client, city):
    _, pending = get(client, city, "/indicator/markets", period="2023", org_unit="HBT",
                     status="pending_review")
    assert sorted(m["market"]["code"] for m in pending["markets"]) == ["M04", "M15", "M16"]
    _, compliant = get(client, city, "/indicator/markets", period="2023-Q1", status="compliant")
    assert sorted(m["market"]["code"] for m in compliant["markets"]) == ["M01", "M07"]
    status, body = get(client, city, "/indicator/markets", period="2023", status="nope")
    assert status == 400 and body["error"]["code"] == "invalid_query"


def test_trend_has_twelve_months_matching_the_monthly_figures(client, city):
    status, body = get(client, city, "/indicator/trend", year="2023", org_unit="HBT")
    assert status == 200, body
    assert [m["period"]["id"] for m in body["months"]] == [f"2023-{n:02d}" for n in range(1, 13)]
    assert body["target"] == 1.0
    december = body["months"][11]
    assert tuple(december[f] for f in FIELDS[:7]) == EXPECTED[("2023-12", "HBT")][:7]
    # March: M01 compliant; M15 (submitted on the 20th) and M16 (reopened) pending.
    march = body["months"][2]
    assert (march["compliant"], march["pending_review"], march["markets_total"]) == (1, 2, 14)


@pytest.mark.parametrize("period", ["2023-Q5", "2023-13", "23", "2023-1", "abc", "2023-Q0"])
def test_an_invalid_period_is_a_400(client, city, period):
    status, body = get(client, city, "/indicator", period=period)
    assert status == 400 and body["error"]["code"] == "invalid_period"


def test_an_unknown_org_unit_is_a_400(client, city):
    # (a NUL anywhere in a URL is refused before any route: tests/security/test_hostile_input.py)
    for unit in ("NOPE", "99999", "99999999999999999999", "x" * 300):
        status, body = get(client, city, "/indicator", period="2023", org_unit=unit)
        assert status == 400 and body["error"]["code"] == "invalid_org_unit"
        assert "org_unit" in body["error"]["fields"]


def test_scope_ward_officers_see_their_subtree_only_and_inspectors_nothing(client, world):
    ward = login(client, "ward_hbt1")
    status, body = get(client, ward, "/indicator", period="2023")
    assert status == 200 and body["org_unit"]["code"] == "HBT-1"  # their unit by default
    assert tuple(body[f] for f in FIELDS) == EXPECTED[("2023", "HBT-1")]
    for other in ("HBT", "HBT-2", "BD"):
        status, body = get(client, ward, "/indicator", period="2023", org_unit=other)
        assert status == 403 and body["error"]["code"] == "forbidden"
    district = login(client, "ward_hbt")
    assert get(client, district, "/indicator", period="2023", org_unit="HBT-2")[0] == 200
    assert get(client, district, "/indicator/markets", period="2023", org_unit="BD")[0] == 403
    inspector = login(client, "insp_hbt")
    for path in ("/indicator", "/indicator/markets", "/indicator/trend"):
        status, body = get(client, inspector, path, period="2023")
        assert status == 403 and body["error"]["code"] == "forbidden"
