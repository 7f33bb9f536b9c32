"""Device names (issue #14): a phone is named by its platform and browser at sign-in, its user
may rename it, and the admin's list shows the name, when it was last seen and last synced.
Sign-in failures say how many tries are left before the 15-minute lock."""

import pytest

from server.auth.devices import name_from_user_agent
from tests.api.admin import A
from tests.factories import PASSWORD, login, push, upsert, visit_data

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("user_agent", "name"), [
    (ANDROID_CHROME, "Android · Chrome"),
    (IPHONE_SAFARI, "iPhone · Safari"),
    ("Mozilla/5.0 (Linux; Android 12; SAMSUNG SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Android · Samsung Internet"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "iPhone · Chrome"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Windows · Edge"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
     "macOS · Firefox"),
    ("curl/8.4.0", None),
    (None, None),
])
def test_the_user_agent_names_platform_and_browser(user_agent, name):
    assert name_from_user_agent(user_agent) == name


def sign_in(client, device_id, user_agent, device_name=None, username="insp_hbt"):
    body = {"username": username, "password": PASSWORD, "device_id": device_id}
    if device_name is not None:
        body["device_name"] = device_name
    response = client.post("/api/v1/auth/token", json=body, headers={"User-Agent": user_agent})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def admin_device(client, device_id):
    body = client.get(f"{A}/devices", headers=login(client, "admin")).get_json()
    return next(d for d in body["devices"] if d["device_id"] == device_id)


def test_a_phone_is_named_at_sign_in_renamed_by_its_user_and_keeps_the_name(client, world):
    signed = sign_in(client, "phone-a", ANDROID_CHROME)
    assert signed["device_name"] == "Android · Chrome"
    assert admin_device(client, "phone-a")["device_name"] == "Android · Chrome"

    headers = {"Authorization": f"Bearer {signed['token']}"}
    renamed = client.patch("/api/v1/me/devices/phone-a", headers=headers,
                           json={"device_name": "  Máy của Thanh  "})
    assert renamed.status_code == 200
    assert renamed.get_json() == {"device_id": "phone-a", "device_name": "Máy của Thanh"}
    assert admin_device(client, "phone-a")["device_name"] == "Máy của Thanh"
    # Signing in again on that phone keeps the name its user gave it.
    again = sign_in(client, "phone-a", ANDROID_CHROME)
    assert again["device_name"] == "Máy của Thanh"
    # A name the phone sends itself wins (other clients may name their device).
    assert sign_in(client, "phone-b", IPHONE_SAFARI, "Tablet kho")["device_name"] == "Tablet kho"


def test_only_ones_own_device_can_be_renamed_and_not_to_blank(client, world):
    sign_in(client, "phone-a", ANDROID_CHROME)
    token = sign_in(client, "phone-x", IPHONE_SAFARI, username="insp_bd")["token"]
    other = {"Authorization": f"Bearer {token}"}
    refused = client.patch("/api/v1/me/devices/phone-a", headers=other,
                           json={"device_name": "Của tôi"})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    assert admin_device(client, "phone-a")["device_name"] == "Android · Chrome"
    for bad in ({"device_name": "   "}, {"device_name": "x" * 201}, {}):
        response = client.patch("/api/v1/me/devices/phone-x", headers=other, json=bad)
        assert response.status_code == 422
        assert "device_name" in response.get_json()["error"]["fields"]
    assert client.patch("/api/v1/me/devices/phone-x", json={"device_name": "a"}).status_code == 401


def test_the_admin_list_shows_when_a_device_last_synced(client, world):
    signed = sign_in(client, "phone-a", ANDROID_CHROME)
    headers = {"Authorization": f"Bearer {signed['token']}"}
    before = admin_device(client, "phone-a")
    assert before["last_synced_at"] is None and before["last_seen_at"].endswith("Z")
    assert client.get("/api/v1/sync/pull", headers=headers).status_code == 200
    pulled = admin_device(client, "phone-a")["last_synced_at"]
    assert pulled and pulled.endswith("Z")
    # A push alone commits exactly once and notes nothing; the pull that ends a sync does.
    pusher = login(client, "insp_hbt", device_id="phone-p")
    push(client, pusher, upsert(visit_data(world["markets"]["hom"])), device_id="phone-p")
    assert admin_device(client, "phone-p")["last_synced_at"] is None
    assert client.get("/api/v1/sync/pull", headers=pusher).status_code == 200
    assert admin_device(client, "phone-p")["last_synced_at"].endswith("Z")


def test_a_wrong_password_says_how_many_tries_are_left_before_the_lock(client, world):
    left = []
    for _ in range(5):
        response = client.post("/api/v1/auth/token", json={
            "username": "insp_hbt", "password": "guess", "device_id": "d"})
        assert response.status_code == 401
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "attempts_left"}
        assert error["code"] == "invalid_credentials"
        left.append(error["attempts_left"])
    assert left == [4, 3, 2, 1, 0]
    locked = client.post("/api/v1/auth/token", json={
        "username": "insp_hbt", "password": PASSWORD, "device_id": "d"})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "rate_limited"


def test_the_help_contact_is_readable_before_signing_in(client, app):
    assert client.get("/api/v1/health").get_json()["support_contact"] == ""
    app.config["SUPPORT_CONTACT"] = "Chị Lan, Phòng TN&MT — 024 3825 1234"
    assert client.get("/api/v1/health").get_json()["support_contact"] == (
        "Chị Lan, Phòng TN&MT — 024 3825 1234")


def test_the_admin_sets_the_help_contact_in_the_app(client, app, world):
    """Cài đặt: the admin's text wins over the deployment's SUPPORT_CONTACT, a blank one gives
    it back; each change is audited once, a refused one changes nothing."""
    app.config["SUPPORT_CONTACT"] = "Tổng đài 1022"
    admin = login(client, "admin")
    shown = lambda: client.get("/api/v1/health").get_json()["support_contact"]  # noqa: E731
    assert client.get("/api/v1/admin/settings", headers=admin).get_json() == {
        "support_contact": "Tổng đài 1022", "default_support_contact": "Tổng đài 1022",
        "updated_at": None}

    saved = client.put("/api/v1/admin/settings", headers=admin,
                       json={"support_contact": "  Chị Lan, Phòng Kinh tế —  0912 345 678 "})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["support_contact"] == "Chị Lan, Phòng Kinh tế — 0912 345 678"
    assert shown() == "Chị Lan, Phòng Kinh tế — 0912 345 678"

    too_long = client.put("/api/v1/admin/settings", headers=admin,
                          json={"support_contact": "x" * 301})
    assert too_long.status_code == 422
    assert "support_contact" in too_long.get_json()["error"]["fields"]
    refused = client.put("/api/v1/admin/settings", headers=login(client, "ward_hbt"),
                         json={"support_contact": "Ai đó"})
    assert refused.status_code == 403
    assert shown() == "Chị Lan, Phòng Kinh tế — 0912 345 678"

    client.put("/api/v1/admin/settings", headers=admin, json={"support_contact": ""})
    assert shown() == "Tổng đài 1022"
    events = client.get("/api/v1/admin/audit", headers=admin,
                        query_string={"action": "settings.update"}).get_json()["events"]
    assert [e["details"]["after"]["support_contact"] for e in events] == [
        "Tổng đài 1022", "Chị Lan, Phòng Kinh tế — 0912 345 678"]
