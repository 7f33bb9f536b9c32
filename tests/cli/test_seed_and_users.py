"""seed-demo is idempotent and sized like Hanoi in 2023; create-user refuses bad input."""

from sqlalchemy import func, select

from server.auth.users import check_password
from server.core.extensions import db
from server.models import ChangeLog, IndicatorTarget, Market, MarketAssignment, OrgUnit, User

HANOI_BOX = (20.5, 21.45, 105.25, 106.05)


def counts() -> dict:
    def n(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "districts": n(OrgUnit, OrgUnit.level == "district"),
        "wards": n(OrgUnit, OrgUnit.level == "ward"),
        "communes": n(OrgUnit, OrgUnit.level == "commune"),
        "markets": n(Market),
        "assignments": n(MarketAssignment),
        "users": n(User),
        "targets": n(IndicatorTarget),
        "changes": n(ChangeLog),
    }


def test_seed_demo_twice_leaves_the_same_counts(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts() == after_first
    assert after_first["districts"] == 30
    assert 440 <= after_first["markets"] <= 460
    assert after_first["users"] == 5 and after_first["targets"] == 4
    assert after_first["assignments"] == 2 * after_first["markets"]  # before and after 7/2025
    assert after_first["wards"] == 120 + 51 and after_first["communes"] == 75
    assert "kiemtra" in first.output and "ChoXanh@2023" in first.output


def test_seed_demo_matches_hanoi_2023(runner):
    runner.invoke(args=["seed-demo"])
    districts = db.session.scalars(select(OrgUnit.name).where(OrgUnit.level == "district")).all()
    assert sum(name.startswith("Quận ") for name in districts) == 12
    assert sum(name.startswith("Huyện ") for name in districts) == 17
    assert [name for name in districts if name.startswith("Thị xã ")] == ["Thị xã Sơn Tây"]
    mix = dict(
        db.session.execute(
            select(Market.market_class, func.count()).group_by(Market.market_class)
        ).all()
    )
    assert (mix["1"], mix["2"], mix["3"]) == (15, 58, 348)
    markets = db.session.scalars(select(Market)).all()
    assert all(m.name.endswith("(demo)") for m in markets)
    lat_min, lat_max, lon_min, lon_max = HANOI_BOX
    assert all(lat_min < m.lat < lat_max and lon_min < m.lon < lon_max for m in markets)
    assert any(m.name.startswith("Chợ Hôm") for m in markets)
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"inspector", "ward_officer", "city_officer", "admin"}
    target = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.period == "2023"))
    assert target.target == 1.0 and target.org_unit_id is None


def test_demo_inspector_sees_markets_in_their_ward(runner):
    runner.invoke(args=["seed-demo"])
    inspector = db.session.scalar(select(User).where(User.username == "kiemtra"))
    ward = db.session.get(OrgUnit, inspector.org_unit_id)
    assert ward.name == "Phường Hai Bà Trưng" and ward.valid_to is None
    in_scope = db.session.scalar(
        select(func.count()).select_from(Market).where(Market.org_unit_id == ward.id)
    )
    assert in_scope >= 5


def test_create_user_hashes_the_password(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=[
            "create-user",
            "lan",
            "--role",
            "inspector",
            "--org-unit",
            "HN-BD",
            "--password",
            "mật-khẩu-dài",
            "--display-name",
            "Phạm Thị Lan",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "lan"))
    assert user.display_name == "Phạm Thị Lan" and user.role == "inspector"
    assert "mật-khẩu-dài" not in user.password_hash
    assert check_password(user, "mật-khẩu-dài") and not check_password(user, "wrong")


def test_create_user_refuses_bad_input(runner):
    runner.invoke(args=["seed-demo"])
    cases = [
        (["kiemtra", "--role", "admin", "--password", "longenough"], "already exists"),
        (
            ["x", "--role", "inspector", "--org-unit", "NOPE", "--password", "longenough"],
            "does not exist",
        ),
        (["x", "--role", "inspector", "--password", "longenough"], "needs an org unit"),
        (["x", "--role", "admin", "--password", "short"], "at least 10"),
        (["x", "--role", "boss", "--password", "longenough"], "Invalid value for '--role'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code != 0
        assert message in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 5  # the demo users only
