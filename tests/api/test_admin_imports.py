"""Admin API, imports of markets and org units (DESIGN §11): CSV as a file or as the body, a
dry run, and all or nothing: a bad line changes nothing and is named."""

import io

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Market, OrgUnit
from tests.api.admin import MARKETS_CSV, UNITS_CSV, A, state
from tests.factories import login, pull_all


def upload(client, path, text, dry_run=False, as_file=True, headers=None):
    url = f"{A}/{path}" + ("?dry_run=1" if dry_run else "")
    headers = headers or login(client, "admin")
    data = text.encode() if isinstance(text, str) else text
    if as_file:
        return client.post(url, headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "import.csv")})
    return client.post(url, headers=headers, data=data, content_type="text/csv")


@pytest.mark.parametrize("as_file", [True, False])
def test_import_markets(client, world, as_file):
    dry = upload(client, "markets/import", MARKETS_CSV, dry_run=True, as_file=as_file)
    assert dry.status_code == 200
    assert dry.get_json() == {"dry_run": True, "rows": 2, "created": 1, "updated": 1}
    assert db.session.scalar(select(func.count()).select_from(Market)) == 4
    done = upload(client, "markets/import", MARKETS_CSV, as_file=as_file)
    assert done.status_code == 200
    assert done.get_json() == {"dry_run": False, "rows": 2, "created": 1, "updated": 1}
    names = dict(db.session.execute(select(Market.code, Market.name)).all())
    assert names["M-NEW"] == "Chợ Mới" and names["M-HOM"] == "Chợ Hôm – Đức Viên"


@pytest.mark.parametrize(("path", "text", "line"), [
    ("markets/import", MARKETS_CSV + "M-BAD,Chợ Lỗi,HBT-1,,95,105.8,3,,\n", "line 4"),
    ("markets/import", MARKETS_CSV.replace(",2,2001", ",7,2001"), "line 2"),
    ("markets/import", MARKETS_CSV + "M-X,Chợ X,NOWHERE,,,,,,\n", "line 4"),
    ("org-units/import", UNITS_CSV + "HBT-4,Phường Lỗi,hamlet,HBT,,\n", "line 4"),
    ("org-units/import", UNITS_CSV + "HBT-5,Phường X,ward,MISSING,,\n", "line 4"),
    ("org-units/import", "code,name\nX,Y\n", "line 1"),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_import_with_a_bad_line_changes_nothing_and_names_the_line(
        client, world, path, text, line, dry_run):
    admin = login(client, "admin")
    before = state()
    response = upload(client, path, text, dry_run=dry_run, headers=admin)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "nothing was written" in error["message"]
    assert list(error["fields"]) == [line] and error["fields"][line][0]
    db.session.expire_all()
    assert state() == before


def test_import_org_units(client, world):
    dry = upload(client, "org-units/import", UNITS_CSV, dry_run=True)
    assert dry.get_json() == {"dry_run": True, "rows": 2, "created": 1, "updated": 1}
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 7
    done = upload(client, "org-units/import", UNITS_CSV)
    assert done.status_code == 200 and done.get_json()["created"] == 1
    ward = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HBT-3"))
    assert ward.parent_id == world["units"]["HBT"].id
    changes, _ = pull_all(client, login(client, "insp_bd"))
    assert "Phường Bạch Đằng" in {c["data"]["name"] for c in changes if c["entity"] == "org_unit"}


@pytest.mark.parametrize(("kwargs", "status", "field"), [
    ({"text": "code,name\n".encode("utf-16")}, 422, "file"),
    ({"text": b"code,name\x00\n"}, 422, "file"),
    ({"text": b"  \n"}, 422, "file"),
])
def test_import_refuses_files_that_are_not_csv_text(client, world, kwargs, status, field):
    admin = login(client, "admin")
    before = state()
    response = upload(client, "markets/import", **kwargs, headers=admin)
    assert response.status_code == status
    assert field in response.get_json()["error"]["fields"]
    assert state() == before


def test_import_needs_a_file(client, world):
    admin = login(client, "admin")
    no_file = client.post(f"{A}/markets/import", headers=admin, content_type="multipart/form-data",
                          data={"other": (io.BytesIO(b"x"), "x.csv")})
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["fields"]
    as_json = client.post(f"{A}/markets/import", headers=admin, json={"csv": MARKETS_CSV})
    assert as_json.status_code == 415
    assert as_json.get_json()["error"]["code"] == "unsupported_media_type"
    bad_flag = client.post(f"{A}/markets/import?dry_run=perhaps", headers=admin,
                           data=MARKETS_CSV.encode(), content_type="text/csv")
    assert bad_flag.status_code == 400 and "dry_run" in bad_flag.get_json()["error"]["fields"]


def test_the_admin_import_lists_every_error_of_a_row(client, world):
    bad = MARKETS_CSV + "M-BAD,Chợ Lỗi,HBT-1,,21.0,,4,2001-13-01,\n"
    response = upload(client, "markets/import", bad)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["line 4"]
    messages = error["fields"]["line 4"]
    assert len(messages) == 3, messages
    assert any("market_class '4'" in m for m in messages)
    assert any("YYYY-MM-DD hoặc DD/MM/YYYY" in m for m in messages)
    assert any("thiếu lon" in m for m in messages)
    assert error["message"].startswith("3 error(s)")


def test_the_admin_import_reads_dates_written_dd_mm_yyyy(client, world):
    text = MARKETS_CSV + "M-VN,Chợ Việt,HBT-1,,,,3,05/03/2001,\n"
    response = upload(client, "markets/import", text)
    assert response.status_code == 200, response.get_json()
    opened = db.session.scalar(select(Market.opened_on).where(Market.code == "M-VN"))
    assert str(opened) == "2001-03-05"
