"""The server's own behaviour: health, metrics, unknown routes, headers, access log, shutdown."""
import signal

import requests


def test_healthz_and_security_headers(server):
    r = requests.get(server.url + "/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"


def test_api_answers_are_not_cached(server):
    r = requests.get(server.url + "/api/v1/contacts")
    assert r.headers["Cache-Control"] == "no-store"


def test_unknown_route_and_method(server):
    r = requests.get(server.url + "/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = requests.delete(server.url + "/healthz")
    assert r.status_code == 405


def test_metrics_count_requests_by_route_and_status(server):
    requests.get(server.url + "/healthz")
    requests.get(server.url + "/healthz")
    text = requests.get(server.url + "/metrics").text
    line = [l for l in text.splitlines()
            if l.startswith('kith_http_requests_total{route="/healthz",status="200"}')]
    assert line and int(line[0].split()[-1]) >= 2
    assert "kith_http_request_duration_seconds_bucket" in text
    assert "kith_database_bytes" in text
    assert "kith_open_sessions" in text


def test_access_log_is_json_without_secrets(server, admin):
    admin.get("/api/v1/contacts")
    assert server.wait_for_log(lambda l: '"route":"/api/v1/contacts"' in l)
    entries = server.access_log()
    e = [x for x in entries if x["route"] == "/api/v1/contacts"][-1]
    assert set(e) >= {"time", "method", "route", "status", "bytes", "duration_ms", "user_id"}
    assert e["user_id"] == admin.me["user"]["id"]
    joined = "".join(server.log)
    assert "correct horse" not in joined
    assert admin.me["csrf_token"] not in joined


def test_sigterm_stops_cleanly(server):
    assert requests.get(server.url + "/healthz").status_code == 200
    assert server.stop(signal.SIGTERM) == 0
    assert any("stopped cleanly" in l for l in server.log)


def test_sigint_stops_cleanly(server):
    assert server.stop(signal.SIGINT) == 0


def test_wal_stays_bounded_under_a_stream_of_writes(server, admin):
    """The WAL is checkpointed while writes go on (SQLite's automatic checkpoint at 1,000 pages,
    which the server's group commit keeps: docs/storage.md). Every commit appends at least one
    page, so without checkpoints 3,000 writes leave a WAL of at least 3,000 pages."""
    import concurrent.futures
    import os
    import sqlite3

    t = admin.post("/api/v1/interaction-types", json={
        "code": "call", "name": "Call", "phase": "acquisition", "level": 2, "channel": "phone",
        "touch": 0.8, "tech": 0.25, "rv": 7, "cost": "12.50"})
    assert t.status_code == 201, t.text
    c = admin.post("/api/v1/contacts", json={"last_name": "Stream"})
    assert c.status_code == 201, c.text
    body = {"contact_id": c.json()["id"], "type_id": t.json()["id"], "occurred_at": "2024-01-01"}
    writes = 3000

    def post(n):
        s = admin.http.__class__()  # a connection of its own: four writers at once
        s.cookies.update(admin.http.cookies)
        s.headers.update(admin.http.headers)
        ok = 0
        for _ in range(n):
            r = s.post(admin.base + "/api/v1/interactions", json=body)
            ok += r.status_code == 201
        return ok

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        assert sum(ex.map(post, [writes // 4] * 4)) == writes
    con = sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    held = con.execute("SELECT count(*) FROM interactions WHERE contact_id = ?",
                       (body["contact_id"],)).fetchone()[0]
    con.close()
    assert held == writes
    wal = os.path.getsize(server.db + "-wal")
    assert wal < 2500 * (page + 24) + 32, f"WAL of {wal} bytes after {writes} writes"
