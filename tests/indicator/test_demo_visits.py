"""seed-demo-visits: a populated, idempotent 2023–2026 demo for the dashboard and the review
queue, leaving the inspector walkthrough's `kiemtra` with no visits."""

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import ChangeLog, ReviewDecision, User, Visit

DEMO_PASSWORD = "ChoXanh@2023"


def demo_login(client, username):
    response = client.post("/api/v1/auth/token", json={
        "username": username, "password": DEMO_PASSWORD, "device_id": f"t-{username}"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_visits_fill_the_dashboard_and_the_review_queue(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = runner.invoke(args=["seed-demo-visits"])
    assert first.exit_code == 0, first.output
    totals = (count(Visit), count(ReviewDecision), count(ChangeLog), count(User))
    assert 4 * 300 <= totals[0] <= 4 * 800
    again = runner.invoke(args=["seed-demo-visits"])
    assert again.exit_code == 0 and "0 added" in again.output
    assert (count(Visit), count(ReviewDecision), count(ChangeLog), count(User)) == totals

    kiemtra = db.session.scalar(select(User.id).where(User.username == "kiemtra"))
    assert db.session.scalar(select(func.count()).where(Visit.inspector_id == kiemtra)) == 0
    statuses = dict(db.session.execute(select(Visit.status, func.count()).group_by(Visit.status))
                    .all())
    assert statuses["approved"] > 0.7 * totals[0]
    assert {"submitted", "returned", "rejected"} <= set(statuses)
    observed = list(db.session.scalars(select(Visit.observed_at)))
    assert len({v.month for v in observed if v.year == 2023}) == 12

    queue = client.get("/api/v1/review/queue", headers=demo_login(client, "phuong"),
                       query_string={"status": "submitted"}).get_json()
    assert queue["total"] >= 5

    city = demo_login(client, "thanhpho")
    body = client.get("/api/v1/indicator", headers=city, query_string={"period": "2023"}
                      ).get_json()
    assert 440 <= body["markets_total"] <= 460
    assert 0.4 < body["value"] < 0.9 and body["non_compliant"] > 20 and body["target"] == 1.0
    assert len(body["breakdown"]) == 30
    assert sum(b["markets_total"] for b in body["breakdown"]) == body["markets_total"]
    trend = client.get("/api/v1/indicator/trend", headers=city, query_string={"year": "2023"}
                       ).get_json()
    assert all(m["compliant"] > 0 for m in trend["months"])
