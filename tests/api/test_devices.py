"""A customer's devices (docs/portal.md, "Devices"; issue 16 item 8): a contact registers a device
in the portal and gets its token once (stored as a BLAKE2b hash only); the device posts readings
as JSON lines to POST /api/v1/streams, which become interactions with source "device" that staff
see as any other; invalid lines are reported by number and the valid ones kept; a paused device
is refused, a deleted one is gone with its data and its token; another customer's device is 404;
each device has a token bucket (429 with Retry-After); oversized batches answer 413.

Expected values are computed here from what the test sent and from the database read with
sqlite3, independently of kith.
"""
import hashlib
import json
import sqlite3

import pytest
import requests

from conftest import Client, Server, add_user
from test_portal import accept, invite, new_contact

NDJSON = "application/x-ndjson"


def sql(db, query, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


class Customer:
    """A contact signed in to the portal (its cookie and CSRF token in .http)."""

    def __init__(self, server, admin, email):
        self.base = server.url
        self.cid = new_contact(admin, email)
        r, self.http = accept(server.url, invite(admin, server.db, self.cid))
        assert r.status_code == 200, r.text
        self.http.headers["X-CSRF-Token"] = r.json()["csrf_token"]

    def get(self, path, **kw):
        return self.http.get(self.base + path, **kw)

    def post(self, path, **kw):
        return self.http.post(self.base + path, **kw)

    def patch(self, path, **kw):
        return self.http.patch(self.base + path, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.base + path, **kw)

    def register(self, name="Boiler", kind="boiler"):
        r = self.post("/portal/api/devices", json={"name": name, "kind": kind})
        assert r.status_code == 201, r.text
        return r.json()["device"]["id"], r.json()["token"]


def reading(type_, at, value=None):
    line = {"type": type_, "at": at}
    if value is not None:
        line["value"] = value
    return json.dumps(line)


def post(base, token, lines, ctype=NDJSON):
    body = lines if isinstance(lines, (str, bytes)) else "\n".join(lines) + "\n"
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.post(base + "/api/v1/streams", data=body, headers=headers)


@pytest.fixture
def ann(server, admin):
    return Customer(server, admin, "ann@example.org")


def type_ids(admin):
    r = admin.get("/api/v1/interaction-types", params={"limit": 500})
    assert r.status_code == 200
    return {t["code"]: t for t in r.json()["items"]}


def test_registering_a_device_brings_the_telemetry_types(admin, ann):
    """A fresh database's catalogue is empty (migration 15 adds them only to one with types); the
    first registration adds them."""
    assert [c for c in type_ids(admin) if c.startswith("device.")] == []
    ann.register()
    ann.register("Second", "meter")
    types = type_ids(admin)
    assert sorted(c for c in types if c.startswith("device.")) == \
        ["device.alert", "device.error", "device.usage"]
    for code in ("device.usage", "device.alert", "device.error"):
        t = types[code]
        assert (t["channel"], t["touch"], t["tech"], t["rv"], t["is_trigger"]) == \
            ("device", 0, 1, 0, False)


def test_register_shows_the_token_once_and_keeps_its_hash(server, ann):
    did, token = ann.register("Kitchen boiler", "boiler")
    assert token.startswith("kithd_") and len(token) > 40
    stored = sql(server.db, "SELECT contact_id, name, kind, token_hash FROM devices WHERE id = ?",
                 did)
    assert stored == [(ann.cid, "Kitchen boiler", "boiler",
                       hashlib.blake2b(token.encode(), digest_size=32).hexdigest())]
    listed = ann.get("/portal/api/devices")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [did]
    assert token not in listed.text and "token" not in listed.json()["items"][0]
    assert ann.get(f"/portal/api/devices/{did}/readings").json()["device"]["state"] == "active"
    # its own view of what is held lists the device as the device list does, without the token
    me = ann.get("/portal/api/me")
    assert me.status_code == 200
    assert me.json()["devices"]["items"] == listed.json()["items"]
    assert token not in me.text and stored[0][3] not in me.text
    # fields are checked: a kind is a short lower-case word
    r = ann.post("/portal/api/devices", json={"name": "x", "kind": "Not A Kind"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "kind"
    r = ann.post("/portal/api/devices", json={"name": "x" * 101, "kind": "boiler"})
    assert r.status_code == 422


def test_a_batch_becomes_interactions_with_source_device(server, admin, ann):
    did, token = ann.register()
    lines = [reading("device.usage", "2026-05-01T10:00:00Z", {"hours": 3.5}),
             reading("device.alert", "2026-05-01T11:00:00Z", "pressure low"),
             reading("device.error", "2026-05-01T12:00:00Z", 17),
             reading("device.usage", "2026-05-01T13:00:00Z")]
    r = post(server.url, token, lines)
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 4, "rejected": 0, "errors": []}
    types = type_ids(admin)
    # staff see them on the contact as any other interaction
    items = admin.get("/api/v1/interactions", params={"contact_id": ann.cid, "limit": 50}).json()
    got = sorted((i["occurred_at"][:19], i["type_id"], i["source"], i["notes"])
                 for i in items["items"])
    want = sorted((json.loads(l)["at"][:19], types[json.loads(l)["type"]]["id"], "device",
                   json.dumps(json.loads(l).get("value"), separators=(",", ":")))
                  for l in lines)
    assert got == want
    timeline = admin.get(f"/api/v1/contacts/{ann.cid}/timeline").json()["items"]
    assert [(e["type"], e["record"]["source"]) for e in timeline] == [("interaction", "device")] * 4
    # the customer reads them back, newest received first, with their values
    page = ann.get(f"/portal/api/devices/{did}/readings", params={"limit": 3}).json()
    assert [x["value"] for x in page["items"]] == [None, 17, "pressure low"]
    assert page["next_before"] == page["items"][-1]["id"]
    rest = ann.get(f"/portal/api/devices/{did}/readings",
                   params={"before": page["next_before"]}).json()
    assert [x["value"] for x in rest["items"]] == [{"hours": 3.5}]
    assert rest["device"]["readings"] == 4 and rest["device"]["last_seen_at"]
    # the rows are in the database file (the answer came after the commit)
    assert sql(server.db, "SELECT count(*) FROM device_readings WHERE device_id = ?", did) == [(4,)]


def test_invalid_lines_are_reported_and_the_valid_ones_kept(server, ann):
    did, token = ann.register()
    lines = [reading("device.usage", "2026-05-01T10:00:00Z", 1),
             "{not json",
             reading("device.nothing", "2026-05-01T10:00:00Z", 2),
             json.dumps({"type": "device.usage", "at": "2026-05-01T10:00:00Z", "extra": 1}),
             "",
             reading("device.usage", "2999-01-01T00:00:00Z", 3),
             reading("usage", "2026-05-01T10:00:00Z", 4),
             reading("device.alert", "yesterday", 5),
             reading("device.alert", "2026-05-01T11:00:00Z", 6),
             "[]",
             reading("device.usage", "2026-05-01T12:00:00Z", 7)]  # a known type after a refusal
    r = post(server.url, token, lines)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["rejected"]) == (3, 7)
    assert [e["line"] for e in body["errors"]] == [2, 3, 4, 6, 7, 8, 10]
    assert "device.nothing" in body["errors"][1]["message"]
    assert "extra" in body["errors"][2]["message"]
    assert body["errors"][3]["message"].startswith("at:")
    values = sorted(x["value"] for x in
                    ann.get(f"/portal/api/devices/{did}/readings").json()["items"])
    assert values == [1, 6, 7]
    # a batch without one valid line is refused as a whole, with the same report
    r = post(server.url, token, ["{}", "[]"])
    assert r.status_code == 422 and r.json()["accepted"] == 0 and r.json()["rejected"] == 2


def test_a_paused_device_is_refused_until_resumed(server, ann):
    did, token = ann.register()
    r = ann.patch(f"/portal/api/devices/{did}", json={"paused": True})
    assert r.status_code == 200 and r.json()["state"] == "paused" and r.json()["paused_at"]
    r = post(server.url, token, [reading("device.usage", "2026-05-01T10:00:00Z", 1)])
    assert r.status_code == 403 and r.json()["error"]["code"] == "device_paused"
    assert sql(server.db, "SELECT count(*) FROM device_readings") == [(0,)]
    r = ann.patch(f"/portal/api/devices/{did}", json={"paused": False, "name": "Renamed"})
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert r.json()["name"] == "Renamed"
    assert post(server.url, token, [reading("device.usage", "2026-05-01T10:00:00Z", 1)]) \
        .status_code == 200
    assert ann.patch(f"/portal/api/devices/{did}", json={"token": "x"}).status_code == 422


def test_deleting_a_device_deletes_its_data_and_its_token(server, admin, ann):
    keep, keep_token = ann.register("Other", "meter")
    types = type_ids(admin)
    # readings carry RV here, so that the recomputation shows
    r = admin.patch(f"/api/v1/interaction-types/{types['device.usage']['id']}", json={"rv": 5})
    assert r.status_code == 200, r.text
    rv_before = admin.get(f"/api/v1/rv/contacts/{ann.cid}").json()
    did, token = ann.register()
    assert post(server.url, keep_token, [reading("device.usage", "2026-05-02T10:00:00Z", 9)]) \
        .status_code == 200
    lines = [reading("device.usage", f"2026-05-01T1{i}:00:00Z", i) for i in range(3)]
    assert post(server.url, token, lines).status_code == 200
    ids = [x["id"] for x in ann.get(f"/portal/api/devices/{did}/readings").json()["items"]]
    # staff voided one of them: the void goes with it
    r = admin.post(f"/api/v1/interactions/{ids[0]}/void", json={"notes": "duplicate"})
    assert r.status_code == 201, r.text
    void_id = r.json()["id"]
    rv_with = admin.get(f"/api/v1/rv/contacts/{ann.cid}").json()["rv"]
    assert rv_with == rv_before["rv"] + 5 * 4 - 5

    r = ann.delete(f"/portal/api/devices/{did}")
    assert r.status_code == 200 and r.json() == {"id": did, "readings_deleted": 3}
    left = sql(server.db, "SELECT id FROM interactions WHERE contact_id = ?", ann.cid)
    assert sorted(i for (i,) in left) == sorted(
        i for (i,) in sql(server.db, "SELECT interaction_id FROM device_readings"))
    assert not set(ids + [void_id]) & {i for (i,) in left}
    assert sql(server.db, "SELECT count(*) FROM devices WHERE id = ?", did) == [(0,)]
    # RV was recomputed before the answer: only the kept device's reading counts
    assert admin.get(f"/api/v1/rv/contacts/{ann.cid}").json()["rv"] == rv_before["rv"] + 5
    # the token is dead, the device is gone from the portal
    r = post(server.url, token, [reading("device.usage", "2026-05-01T10:00:00Z", 1)])
    assert r.status_code == 401
    assert ann.get(f"/portal/api/devices/{did}/readings").status_code == 404
    assert ann.delete(f"/portal/api/devices/{did}").status_code == 404
    assert [d["id"] for d in ann.get("/portal/api/devices").json()["items"]] == [keep]
    audit = sql(server.db, "SELECT action, detail FROM audit_log WHERE action LIKE 'device_%'")
    assert ("device_delete", f"device {did} deleted with 3 readings") in audit


def test_another_customers_device_is_not_found(server, admin, ann):
    did, token = ann.register()
    bob = Customer(server, admin, "bob@example.org")
    assert bob.get("/portal/api/devices").json()["items"] == []
    assert bob.get(f"/portal/api/devices/{did}/readings").status_code == 404
    assert bob.patch(f"/portal/api/devices/{did}", json={"paused": True}).status_code == 404
    assert bob.delete(f"/portal/api/devices/{did}").status_code == 404
    assert ann.get(f"/portal/api/devices/{did}/readings").json()["device"]["state"] == "active"
    # nor do a missing one and a malformed id differ
    assert bob.get("/portal/api/devices/999999/readings").status_code == 404
    assert bob.get("/portal/api/devices/abc/readings").status_code == 404


def test_only_a_device_token_opens_the_stream(server, admin, ann):
    did, token = ann.register()
    line = [reading("device.usage", "2026-05-01T10:00:00Z", 1)]
    assert post(server.url, None, line).status_code == 401
    assert post(server.url, "kithd_" + "A" * 43, line).status_code == 401
    # a staff API token, a staff session and a portal session are not device tokens
    staff_token = admin.post("/api/v1/tokens", json={"name": "t"}).json()["token"]
    assert post(server.url, staff_token, line).status_code == 401
    body = "\n".join(line) + "\n"
    assert admin.post("/api/v1/streams", data=body,
                      headers={"Content-Type": NDJSON}).status_code == 401
    assert ann.post("/api/v1/streams", data=body,
                    headers={"Content-Type": NDJSON}).status_code == 401
    # and a device token opens nothing else
    auth = {"Authorization": "Bearer " + token}
    assert requests.get(server.url + "/api/v1/interactions", headers=auth).status_code == 401
    assert requests.get(server.url + "/portal/api/devices", headers=auth).status_code == 401


def test_batches_are_capped(server, ann):
    did, token = ann.register()
    too_many = [reading("device.usage", "2026-05-01T10:00:00Z", i) for i in range(1001)]
    r = post(server.url, token, too_many)
    assert r.status_code == 413 and "1000" in r.json()["error"]["message"]
    big = [reading("device.usage", "2026-05-01T10:00:00Z", "x" * 1000)] * 600  # > 512 KiB
    r = post(server.url, token, big)
    assert r.status_code == 413
    assert post(server.url, token, [reading("device.usage", "2026-05-01T10:00:00Z", 1)],
                ctype="application/json").status_code == 415
    assert post(server.url, token, "\n\n").status_code == 422
    long_value = reading("device.usage", "2026-05-01T10:00:00Z", "y" * 1100)
    r = post(server.url, token, [long_value, reading("device.usage", "2026-05-01T10:00:00Z", 1)])
    assert r.status_code == 200 and r.json()["errors"][0]["line"] == 1
    assert sql(server.db, "SELECT count(*) FROM device_readings") == [(1,)]


@pytest.fixture
def slow_server(db_path, monkeypatch):
    """A server whose devices may send 1 reading a second, 1000 at once."""
    add_user(db_path, "admin@example.com", "admin")
    monkeypatch.setenv("KITH_DEVICE_RATE", "1")
    monkeypatch.setenv("KITH_DEVICE_BURST", "1000")
    srv = Server(db_path)
    yield srv
    srv.stop()


def test_each_device_has_a_token_bucket(slow_server):
    admin = Client(slow_server.url, "admin@example.com")
    ann = Customer(slow_server, admin, "ann@example.org")
    _, token = ann.register()
    _, other = ann.register("Second", "meter")
    full = [reading("device.usage", "2026-05-01T10:00:00Z", i) for i in range(1000)]
    assert post(slow_server.url, token, full).status_code == 200
    r = post(slow_server.url, token, full[:5])
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 6
    # nothing of the refused batch was stored; another device has its own bucket
    assert sql(slow_server.db, "SELECT count(*) FROM device_readings") == [(1000,)]
    assert post(slow_server.url, other, full[:5]).status_code == 200


def test_a_bad_rate_setting_stops_the_server(db_path, monkeypatch):
    monkeypatch.setenv("KITH_DEVICE_BURST", "10")  # below the 1000 lines a batch may hold
    with pytest.raises(AssertionError, match="KITH_DEVICE_BURST"):
        Server(db_path)


def test_a_contact_holds_at_most_twenty_devices(ann):
    for i in range(20):
        ann.register(f"Meter {i}", "meter")
    r = ann.post("/portal/api/devices", json={"name": "One more", "kind": "meter"})
    assert r.status_code == 409
    assert len(ann.get("/portal/api/devices").json()["items"]) == 20
