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
