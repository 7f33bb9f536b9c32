"""The A4 report's issuing body, number prefix and recipient are the admin's settings, with
defaults that do not address the report to its own issuer (issue #14)."""

from tests.factories import login


def test_defaults_address_the_report_to_another_body(client, world):
    body = client.get("/api/v1/reports/settings", headers=login(client, "city")).get_json()
    assert body["issuer"].splitlines()[-1] == "SỞ CÔNG THƯƠNG"
    assert body["recipient"] == "Ủy ban nhân dân Thành phố Hà Nội"
    assert body["number_prefix"] == "BC-SCT" and body["updated_at"] is None


def test_admin_changes_them_and_readers_see_the_change(client, world):
    admin = login(client, "admin")
    changed = client.put("/api/v1/reports/settings", headers=admin, json={
        "issuer": "UBND QUẬN HAI BÀ TRƯNG\nPHÒNG KINH TẾ", "number_prefix": "BC-PKT"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["updated_at"].endswith("Z")
    body = client.get("/api/v1/reports/settings", headers=login(client, "ward_hbt")).get_json()
    assert (body["issuer"], body["number_prefix"], body["recipient"]) == (
        "UBND QUẬN HAI BÀ TRƯNG\nPHÒNG KINH TẾ", "BC-PKT", "Ủy ban nhân dân Thành phố Hà Nội")


def test_a_report_addressed_to_its_own_issuer_is_refused(client, world):
    admin = login(client, "admin")
    response = client.put("/api/v1/reports/settings", headers=admin, json={
        "issuer": "UBND THÀNH PHỐ HÀ NỘI", "recipient": "Ủy ban nhân dân thành phố Hà Nội"})
    assert response.status_code == 422
    assert "recipient" in response.get_json()["error"]["fields"]
    bad = client.put("/api/v1/reports/settings", headers=admin, json={"number_prefix": "a/b"})
    assert bad.status_code == 422 and "number_prefix" in bad.get_json()["error"]["fields"]
    assert client.put("/api/v1/reports/settings", headers=login(client, "city"),
                      json={"number_prefix": "X"}).status_code == 403


def test_a_change_of_the_letterhead_is_audited_once_and_a_refusal_not_at_all(client, world):
    admin = login(client, "admin")

    def settings_events():
        body = client.get("/api/v1/admin/audit", headers=admin,
                          query_string={"action": "settings.update"}).get_json()
        return body["events"]

    client.put("/api/v1/reports/settings", headers=admin, json={"number_prefix": "BC-PKT"})
    client.put("/api/v1/reports/settings", headers=admin, json={"number_prefix": "BC-PKT"})
    client.put("/api/v1/reports/settings", headers=admin,
               json={"issuer": "UBND THÀNH PHỐ HÀ NỘI",
                     "recipient": "Ủy ban nhân dân thành phố Hà Nội"})
    [event] = settings_events()
    assert event["actor"]["username"] == "admin"
    assert event["details"] == {"before": {"number_prefix": "BC-SCT"},
                                "after": {"number_prefix": "BC-PKT"}}
