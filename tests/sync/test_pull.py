"""Pull: the visible set by role, incremental changes, deletes, cursors (DESIGN §5.2)."""

from sqlalchemy import update

from server.core.extensions import db
from server.models import SyncMeta
from tests.factories import apply_changes, decision, login, pull_all, push, upsert, visit_data


def keys(changes, entity):
    return {str(c["id"]) for c in changes if c["entity"] == entity and c["op"] == "upsert"}


def record_visits(client, world):
    """insp_hbt at Chợ Hôm and Chợ Mơ, insp_hbt2 at Chợ Hôm, insp_bd at Chợ Ngọc Hà."""
    m = world["markets"]
    visits = {
        "hbt_hom": visit_data(m["hom"]), "hbt_mo": visit_data(m["mo"]),
        "hbt2_hom": visit_data(m["hom"]), "bd_nh": visit_data(m["ngocha"]),
    }
    push(client, login(client, "insp_hbt"), upsert(visits["hbt_hom"]), upsert(visits["hbt_mo"]))
    push(client, login(client, "insp_hbt2"), upsert(visits["hbt2_hom"]))
    push(client, login(client, "insp_bd"), upsert(visits["bd_nh"]))
    return {name: data["id"] for name, data in visits.items()}


def test_first_pull_is_the_visible_set_by_role(client, world):
    ids = record_visits(client, world)
    m = {k: str(v.id) for k, v in world["markets"].items()}

    inspector, _ = pull_all(client, login(client, "insp_hbt"))
    assert keys(inspector, "market") == {m["hom"], m["mo"]}
    assert keys(inspector, "visit") == {ids["hbt_hom"], ids["hbt_mo"]}  # only their own
    assert len(keys(inspector, "org_unit")) == 7
    assert keys(inspector, "form") == {"market_visit@2023.1"}
    form = next(c for c in inspector if c["entity"] == "form")["data"]
    assert form["version"] == "2023.1"

    ward, _ = pull_all(client, login(client, "ward_hbt1"))
    assert keys(ward, "market") == {m["hom"]}
    assert keys(ward, "visit") == {ids["hbt_hom"], ids["hbt2_hom"]}

    city, _ = pull_all(client, login(client, "city"))
    assert keys(city, "market") == set(m.values())
    assert keys(city, "visit") == set(ids.values())


def test_paging_small_limits_gives_the_same_set(client, world):
    ids = record_visits(client, world)
    headers = login(client, "city")
    big, _ = pull_all(client, headers)
    small, _ = pull_all(client, headers, limit=1)
    assert sorted((c["entity"], str(c["id"])) for c in small) == sorted(
        (c["entity"], str(c["id"])) for c in big)
    assert keys(small, "visit") == set(ids.values())


def test_incremental_pull_returns_only_new_changes(client, world):
    record_visits(client, world)
    headers = login(client, "insp_hbt")
    _, cursor = pull_all(client, headers)
    nothing, cursor = pull_all(client, headers, cursor)
    assert nothing == []
    data = visit_data(world["markets"]["hom"])
    push(client, headers, upsert(data))
    push(client, login(client, "insp_bd"), upsert(visit_data(world["markets"]["kimma"])))
    news, _ = pull_all(client, headers, cursor)
    assert [(c["entity"], c["id"], c["op"]) for c in news] == [("visit", data["id"], "upsert")]


def test_inspector_sees_the_decision_and_comment_on_next_pull(client, world):
    ids = record_visits(client, world)
    inspector = login(client, "insp_hbt")
    replica = apply_changes({}, pull_all(client, inspector)[0])
    _, cursor = pull_all(client, inspector)
    push(client, login(client, "ward_hbt"),
         decision(ids["hbt_hom"], 1, "return", "Ảnh mờ, chụp lại quầy thịt."))
    news, _ = pull_all(client, inspector, cursor)
    apply_changes(replica, news)
    visit = replica[("visit", ids["hbt_hom"])]
    assert visit["status"] == "returned" and visit["rev"] == 2
    assert visit["review"]["comment"] == "Ảnh mờ, chụp lại quầy thịt."


def test_market_moving_out_of_scope_arrives_as_delete(client, world, runner, tmp_path):
    ids = record_visits(client, world)
    ward = login(client, "ward_hbt1")  # Phường Phố Huế: sees Chợ Hôm and its visits
    replica = apply_changes({}, pull_all(client, ward)[0])
    _, cursor = pull_all(client, ward)
    hom = world["markets"]["hom"]
    csv = tmp_path / "move.csv"
    csv.write_text(
        "code,name,org_unit_code,address,lat,lon,market_class,opened_on,closed_on\n"
        f"{hom.code},Chợ Hôm,HBT-2,,21.0153,105.8513,1,,\n", encoding="utf-8")
    assert runner.invoke(args=["import-markets", str(csv)]).exit_code == 0
    news, _ = pull_all(client, ward, cursor)
    deleted = {(c["entity"], str(c["id"])) for c in news if c["op"] == "delete"}
    assert ("market", str(hom.id)) in deleted
    assert {("visit", ids["hbt_hom"]), ("visit", ids["hbt2_hom"])} <= deleted
    apply_changes(replica, news)
    fresh = apply_changes({}, pull_all(client, ward)[0])
    assert replica == fresh  # after syncing, the phone holds exactly the server's set

    other = login(client, "ward_hbt")  # the district officer still sees it, now in HBT-2
    district = apply_changes({}, pull_all(client, other)[0])
    assert district[("market", str(hom.id))]["org_unit_id"] == world["units"]["HBT-2"].id


def test_cursor_after_purge_is_expired_and_bad_cursors_are_refused(client, world):
    headers = login(client, "insp_hbt")
    _, cursor = pull_all(client, headers)
    push(client, headers, upsert(visit_data(world["markets"]["hom"])))
    db.session.add(SyncMeta(key="change_log_purged_through", value=10**9))
    db.session.commit()
    response = client.get("/api/v1/sync/pull", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == "cursor_expired"
    for bad in ("not-base64!", "eyJ2IjoxfQ", "e30"):
        response = client.get("/api/v1/sync/pull", query_string={"cursor": bad}, headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_cursor"
    for limit in ("0", "1001", "abc", "-1"):
        response = client.get("/api/v1/sync/pull", query_string={"limit": limit}, headers=headers)
        assert response.status_code == 400


def test_cursor_of_another_user_is_refused_and_scope_change_expires(client, world):
    mine, theirs = login(client, "insp_hbt"), login(client, "insp_hbt2")
    _, cursor = pull_all(client, mine)
    response = client.get("/api/v1/sync/pull", query_string={"cursor": cursor}, headers=theirs)
    assert response.status_code == 400
    user = world["users"]["insp_hbt"]
    db.session.execute(update(type(user)).where(type(user).id == user.id)
                       .values(org_unit_id=world["units"]["BD"].id))
    db.session.commit()
    response = client.get("/api/v1/sync/pull", query_string={"cursor": cursor}, headers=mine)
    assert response.status_code == 410


def test_pull_needs_a_token(client, world):
    response = client.get("/api/v1/sync/pull")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_moving_a_ward_to_another_district_expires_scoped_cursors(client, world, runner,
                                                                   tmp_path):
    record_visits(client, world)
    ward, city = login(client, "ward_hbt"), login(client, "city")
    _, ward_cursor = pull_all(client, ward)
    _, city_cursor = pull_all(client, city)
    csv = tmp_path / "units.csv"
    csv.write_text("code,name,level,parent_code,valid_from,valid_to\n"
                   "HBT-1,Phường Phố Huế,ward,BD,,\n", encoding="utf-8")
    assert runner.invoke(args=["import-org-units", str(csv)]).exit_code == 0
    response = client.get("/api/v1/sync/pull", query_string={"cursor": ward_cursor},
                          headers=ward)
    assert response.status_code == 410  # the phone starts over and drops Chợ Hôm
    fresh, _ = pull_all(client, ward)
    assert str(world["markets"]["hom"].id) not in keys(fresh, "market")
    city_news, _ = pull_all(client, city, city_cursor)  # city-wide: nothing to redo
    assert [c["entity"] for c in city_news] == ["org_unit"]


def test_pull_pages_name_the_people_of_their_visits(client, world):
    """A phone names inspectors and reviewers offline: each page carries the names of the
    people its visits mention, and only theirs (issue #14)."""
    ids = record_visits(client, world)
    push(client, login(client, "ward_hbt"), decision(ids["hbt_hom"], 1, "return", "Chụp lại"))
    ward = client.get("/api/v1/sync/pull", query_string={"limit": 1000},
                      headers=login(client, "ward_hbt")).get_json()
    users = world["users"]
    assert ward["people"] == sorted([
        {"id": users[name].id, "username": name, "display_name": name.title()}
        for name in ("insp_hbt", "insp_hbt2", "ward_hbt")], key=lambda p: p["id"])
    inspector = login(client, "insp_hbt")
    first = client.get("/api/v1/sync/pull", query_string={"limit": 1000},
                       headers=inspector).get_json()
    assert {p["username"] for p in first["people"]} == {"insp_hbt", "ward_hbt"}
    # A page without visits names nobody.
    later = client.get("/api/v1/sync/pull", query_string={"cursor": first["cursor"]},
                       headers=inspector).get_json()
    assert later["changes"] == [] and later["people"] == []
