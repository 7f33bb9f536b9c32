"""GET /indicator/trend: each month's `year_to_date` is GET /indicator for 1 January to that
month's end (period YYYY-YTDmm); December's equals the year's."""

from datetime import datetime

import pytest

from server.core.periods import parse_period, periods_containing
from tests.factories import login
from tests.indicator import fixture
from tests.indicator.expected import EXPECTED, FIELDS

COUNTS = FIELDS[:7]  # the counts, value and coverage


@pytest.fixture
def city(client, app):
    fixture.build()
    return login(client, "city")


def get(client, headers, path, **query):
    response = client.get(f"/api/v1{path}", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("unit", [None, "HBT", "HBT-2"])
def test_december_to_date_is_the_year(client, city, unit):
    query = {"org_unit": unit} if unit else {}
    trend = get(client, city, "/indicator/trend", year="2023", **query)
    december = trend["months"][11]["year_to_date"]
    assert december["period"] == {"id": "2023-YTD12", "start": "2023-01-01", "end": "2023-12-31"}
    assert tuple(december[f] for f in COUNTS) == EXPECTED[("2023", unit)][:7]
    year = get(client, city, "/indicator", period="2023", **query)
    assert {f: december[f] for f in COUNTS} == {f: year[f] for f in COUNTS}


def test_each_month_to_date_is_the_indicator_of_that_span(client, city):
    trend = get(client, city, "/indicator/trend", year="2023", org_unit="HBT")
    march = trend["months"][2]["year_to_date"]
    assert tuple(march[f] for f in COUNTS) == EXPECTED[("2023-Q1", "HBT")][:7]
    for month in trend["months"]:
        ytd = month["year_to_date"]
        direct = get(client, city, "/indicator", period=ytd["period"]["id"], org_unit="HBT")
        assert {f: ytd[f] for f in COUNTS} == {f: direct[f] for f in COUNTS}
        assert ytd["markets_total"] >= month["markets_total"]
    compliant = [m["year_to_date"]["compliant"] + m["year_to_date"]["non_compliant"]
                 for m in trend["months"]]
    assert compliant[0] <= compliant[-1]


def test_the_year_to_date_period():
    period = parse_period("2025-YTD06")
    assert (period.kind, period.start.isoformat(), period.end.isoformat()) == (
        "year_to_date", "2025-01-01", "2025-06-30")
    assert parse_period("2024-YTD02").end.isoformat() == "2024-02-29"
    ids = periods_containing(datetime(2023, 10, 5, 3))  # 10:00 on 5 October, Hanoi time
    assert ids == ["2023", "2023-Q4", "2023-10", "2023-YTD10", "2023-YTD11", "2023-YTD12"]
