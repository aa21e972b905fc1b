"""Sign-in, sessions, CSRF, API tokens, throttling, the audit log and `kith user`.

Every sign-in costs one argon2id verification (19 MiB, ~50 ms), so the tests sign in sparingly.
No test sleeps: idle expiry is tested with KITH_SESSION_IDLE_SECONDS=0, which makes a session
expire at its next use.
"""
import os
import subprocess

import requests

from conftest import KITH, PASSWORD, Client, Server, add_user, http_session, kith

COOKIE = "__Host-kith"


def sign_in(base, email, password=PASSWORD, session=None):
    http = session or requests
    return http.post(f"{base}/api/v1/session", json={"email": email, "password": password})


def cookie_attributes(set_cookie):
    """{'name': ..., 'value': ..., 'httponly': True, 'samesite': 'strict', ...} of one cookie."""
    parts = [p.strip() for p in set_cookie.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {"name": name, "value": value}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v if v else True
    return attrs


def test_sign_in_answers_user_csrf_token_and_a_host_only_cookie(server):
    r = sign_in(server.url, "admin@example.com")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["email"] == "admin@example.com"
    assert body["user"]["role"] == "admin"
    assert set(body["user"]) == {"id", "email", "name", "role", "unit_id", "team_id"}
    assert len(body["csrf_token"]) >= 43
    c = cookie_attributes(r.headers["Set-Cookie"])
    assert c["name"] == COOKIE
    assert len(c["value"]) >= 43  # 256 bits in base64url
    assert c["httponly"] is True
    assert c["samesite"].lower() == "strict"
    assert c["path"] == "/"
    assert "domain" not in c
    assert c["secure"] is True  # always, even over plain HTTP (browsers need it for __Host-)


def test_wrong_password_and_unknown_email_get_the_same_answer(server):
    wrong = sign_in(server.url, "admin@example.com", "not the right password")
    unknown = sign_in(server.url, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "bad_credentials"
    assert "Set-Cookie" not in wrong.headers


def test_sign_in_body_is_checked(server):
    r = requests.post(server.url + "/api/v1/session", json={"email": "admin@example.com"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "password"
    r = requests.post(server.url + "/api/v1/session", json=["admin@example.com", PASSWORD])
    assert r.status_code == 422
    r = requests.post(server.url + "/api/v1/session", data="email=a",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415  # a cross-site form cannot sign anyone in


def test_each_sign_in_makes_a_new_session_id(server):
    first = sign_in(server.url, "admin@example.com")
    second = sign_in(server.url, "admin@example.com")
    a = cookie_attributes(first.headers["Set-Cookie"])["value"]
    b = cookie_attributes(second.headers["Set-Cookie"])["value"]
    assert a != b
    assert first.json()["csrf_token"] != second.json()["csrf_token"]


def test_protected_routes_answer_401_without_sign_in(server):
    for method, path in [("GET", "/api/v1/session"), ("GET", "/api/v1/tokens"),
                         ("POST", "/api/v1/tokens"), ("GET", "/api/v1/audit")]:
        r = requests.request(method, server.url + path, json={} if method == "POST" else None)
        assert r.status_code == 401, (method, path)
        assert r.json()["error"]["code"] == "unauthenticated"
    r = requests.get(server.url + "/api/v1/session", cookies={COOKIE: "forged"})
    assert r.status_code == 401


def test_who_am_i_then_sign_out_ends_the_session(server, admin):
    r = admin.get("/api/v1/session")
    assert r.status_code == 200
    assert r.json()["user"]["email"] == "admin@example.com"
    assert r.json()["csrf_token"] == admin.me["csrf_token"]  # a reloaded page can get it again
    assert r.json()["via"] == "session"
    old = admin.http.cookies.get(COOKIE)
    r = admin.delete("/api/v1/session")
    assert r.status_code == 204
    c = cookie_attributes(r.headers["Set-Cookie"])
    assert c["name"] == COOKIE and c["value"] == "" and c["max-age"] == "0"
    r = requests.get(server.url + "/api/v1/session", cookies={COOKIE: old})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_changes_by_cookie_need_the_csrf_token(server):
    http = http_session()
    me = sign_in(server.url, "admin@example.com", session=http).json()
    r = http.post(server.url + "/api/v1/tokens", json={"name": "no csrf"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf"
    wrong = me["csrf_token"][:-1] + ("A" if me["csrf_token"][-1] != "A" else "B")
    r = http.post(server.url + "/api/v1/tokens", json={"name": "wrong csrf"},
                  headers={"X-CSRF-Token": wrong})
    assert r.status_code == 403
    r = http.post(server.url + "/api/v1/tokens", json={"name": "with csrf"},
                  headers={"X-CSRF-Token": me["csrf_token"]})
    assert r.status_code == 201
    r = http.delete(server.url + "/api/v1/session")
    assert r.status_code == 403  # signing out is a change too


def test_bearer_tokens_work_without_csrf_until_revoked(server, admin):
    r = admin.post("/api/v1/tokens", json={"name": "ci"})
    assert r.status_code == 201
    created = r.json()
    assert set(created) >= {"id", "name", "token"}
    token = created["token"]
    assert token.startswith("kith_")
    bearer = {"Authorization": f"Bearer {token}"}

    r = requests.get(server.url + "/api/v1/session", headers=bearer)
    assert r.status_code == 200
    assert r.json()["via"] == "token" and r.json()["csrf_token"] is None
    r = requests.post(server.url + "/api/v1/tokens", headers=bearer, json={"name": "second"})
    assert r.status_code == 201  # no CSRF token needed with a bearer token

    r = admin.get("/api/v1/tokens")
    assert r.status_code == 200
    items = {t["name"]: t for t in r.json()["items"]}
    assert set(items) == {"ci", "second"}
    assert items["ci"]["last_used_at"] is not None
    assert items["ci"]["revoked_at"] is None
    assert token not in r.text and "token_hash" not in r.text

    r = admin.delete(f"/api/v1/tokens/{created['id']}")
    assert r.status_code == 204
    r = requests.get(server.url + "/api/v1/session", headers=bearer)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    items = {t["name"]: t for t in admin.get("/api/v1/tokens").json()["items"]}
    assert items["ci"]["revoked_at"] is not None
    assert admin.delete(f"/api/v1/tokens/{created['id']}").status_code == 204  # idempotent
    assert admin.delete("/api/v1/tokens/999999").status_code == 404

    for bad in ("Bearer ", "Bearer kith_nope", "Basic YWRtaW46YWRtaW4=", "Bearer " + "x" * 5000):
        r = requests.get(server.url + "/api/v1/session", headers={"Authorization": bad})
        assert r.status_code == 401, bad
    r = admin.post("/api/v1/tokens", json={"name": ""})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    r = admin.post("/api/v1/tokens", json={"name": "n" * 101})
    assert r.status_code == 422


def test_users_manage_their_own_tokens_and_admins_everyones(server, admin, db_path):
    add_user(db_path, "fl@example.com", "frontline")
    fl = Client(server.url, "fl@example.com")
    mine = fl.post("/api/v1/tokens", json={"name": "fl's"}).json()
    theirs = admin.post("/api/v1/tokens", json={"name": "admin's"}).json()
    admin_id = admin.me["user"]["id"]
    fl_id = fl.me["user"]["id"]

    assert [t["name"] for t in fl.get("/api/v1/tokens").json()["items"]] == ["fl's"]
    assert fl.get(f"/api/v1/tokens?user_id={admin_id}").status_code == 403
    assert fl.get(f"/api/v1/tokens?user_id={fl_id}").status_code == 200
    assert fl.delete(f"/api/v1/tokens/{theirs['id']}").status_code == 404

    r = admin.get(f"/api/v1/tokens?user_id={fl_id}")
    assert [t["name"] for t in r.json()["items"]] == ["fl's"]
    assert admin.get("/api/v1/tokens?user_id=424242").status_code == 404
    assert admin.get("/api/v1/tokens?user_id=abc").status_code == 422
    assert admin.delete(f"/api/v1/tokens/{mine['id']}").status_code == 204
    r = requests.get(server.url + "/api/v1/session",
                     headers={"Authorization": f"Bearer {mine['token']}"})
    assert r.status_code == 401


def test_ten_failures_throttle_the_account_but_not_others(server, db_path):
    add_user(db_path, "other@example.com", "frontline")
    for _ in range(10):
        r = sign_in(server.url, "admin@example.com", "not the right password")
        assert r.status_code == 401
    r = sign_in(server.url, "admin@example.com")  # the right password, still refused
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "throttled"
    assert int(r.headers["Retry-After"]) > 0
    assert "Set-Cookie" not in r.headers
    r = sign_in(server.url, "ADMIN@example.com")  # the account, however it is spelt
    assert r.status_code == 429
    assert sign_in(server.url, "other@example.com").status_code == 200


def test_idle_sessions_expire(db_path, monkeypatch):
    add_user(db_path, "admin@example.com", "admin")
    monkeypatch.setenv("KITH_SESSION_IDLE_SECONDS", "0")  # idle at the very next request
    srv = Server(db_path)
    try:
        http = http_session()
        r = sign_in(srv.url, "admin@example.com", session=http)
        assert r.status_code == 200
        r = http.get(srv.url + "/api/v1/session")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthenticated"
        assert "expired" in r.json()["error"]["message"]
    finally:
        srv.stop()


def test_bad_session_lifetime_setting_stops_the_server(db_path):
    env = dict(os.environ, KITH_SESSION_MAX_SECONDS="twelve hours")
    proc = subprocess.run([KITH, "serve", "--db", db_path, "--listen", "127.0.0.1:0"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "KITH_SESSION_MAX_SECONDS" in proc.stderr


def test_audit_log_records_sign_ins_and_token_changes(server, admin, db_path):
    add_user(db_path, "fl@example.com", "frontline")
    assert sign_in(server.url, "fl@example.com", "not the right password").status_code == 401
    assert sign_in(server.url, "ghost@example.com").status_code == 401
    fl = Client(server.url, "fl@example.com")
    tok = admin.post("/api/v1/tokens", json={"name": "audited"}).json()
    admin.delete(f"/api/v1/tokens/{tok['id']}")
    fl_id = fl.me["user"]["id"]
    admin_id = admin.me["user"]["id"]

    r = admin.get("/api/v1/audit")
    assert r.status_code == 200
    items = r.json()["items"]
    ids = [e["id"] for e in items]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert set(items[0]) == {"id", "created_at", "user_id", "action", "table", "record_id",
                             "client_addr", "detail"}
    actions = [e["action"] for e in items]
    for a in ("sign_in", "sign_in_failed", "token_create", "token_revoke"):
        assert a in actions
    failed = [e for e in items if e["action"] == "sign_in_failed"]
    assert {e["detail"] for e in failed} == {"fl@example.com", "ghost@example.com"}
    assert [e["record_id"] for e in failed if e["detail"] == "fl@example.com"] == [fl_id]
    assert all(e["user_id"] is None for e in failed)
    signed = [e for e in items if e["action"] == "sign_in" and e["user_id"] == fl_id]
    assert len(signed) == 1 and signed[0]["table"] == "sessions"
    assert signed[0]["client_addr"] == "127.0.0.1"
    assert signed[0]["created_at"].endswith("Z")
    made = [e for e in items if e["action"] == "token_create"][0]
    assert made["user_id"] == admin_id and made["record_id"] == tok["id"]
    for secret in (PASSWORD, tok["token"], admin.me["csrf_token"], fl.me["csrf_token"]):
        assert secret not in r.text

    r = admin.get("/api/v1/audit?action=sign_in_failed")
    assert {e["action"] for e in r.json()["items"]} == {"sign_in_failed"}
    r = admin.get(f"/api/v1/audit?user_id={fl_id}")
    assert {e["user_id"] for e in r.json()["items"]} == {fl_id}
    r = admin.get(f"/api/v1/audit?table=api_tokens&record_id={tok['id']}")
    assert [e["action"] for e in r.json()["items"]] == ["token_revoke", "token_create"]
    r = admin.get("/api/v1/audit?since=2999-01-01T00:00:00Z")
    assert r.json() == {"items": [], "next_cursor": None}
    r = admin.get("/api/v1/audit?until=1000000000000")  # Unix ms, 2001
    assert r.json()["items"] == []

    seen, cursor = [], None
    while True:
        r = admin.get("/api/v1/audit?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    assert set(ids) <= set(seen)

    for bad in ("limit=0", "limit=1001", "since=yesterday", "cursor=-1", "user_id=x"):
        r = admin.get("/api/v1/audit?" + bad)
        assert r.status_code == 422, bad
    assert fl.get("/api/v1/audit").status_code == 403


def test_a_disabled_user_is_locked_out_everywhere(server, db_path):
    add_user(db_path, "fl@example.com", "frontline")
    fl = Client(server.url, "fl@example.com")
    token = fl.post("/api/v1/tokens", json={"name": "mine"}).json()["token"]
    kith(db_path, "user", "disable", "fl@example.com")
    assert fl.get("/api/v1/session").status_code == 401
    r = requests.get(server.url + "/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    r = sign_in(server.url, "fl@example.com")
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"


def test_cli_generates_passwords_and_enforces_the_policy(server, db_path):
    out = kith(db_path, "user", "add", "gen@example.com", "--name", "Gen", "--role", "analyst")
    line = [l for l in out.stdout.splitlines() if l.startswith("password")][0]
    generated = line.split(": ", 1)[1]
    assert len(generated) == 24
    assert sign_in(server.url, "gen@example.com", generated).status_code == 200

    for pw, why in (("abc123", "at least 12"), ("x" * 129, "longer than 128")):
        p = kith(db_path, "user", "add", "p@example.com", "--name", "P", "--role", "analyst",
                 "--password-stdin", input=pw + "\n", check=False)
        assert p.returncode == 1 and why in p.stderr
        assert pw not in p.stderr
    p = kith(db_path, "user", "add", "admin@example.com", "--name", "A", "--role", "admin",
             "--password-stdin", input=PASSWORD + "\n", check=False)
    assert p.returncode == 1 and "exists" in p.stderr
    p = kith(db_path, "user", "add", "r@example.com", "--name", "R", "--role", "king",
             check=False)
    assert p.returncode == 1 and "role" in p.stderr
    p = kith(db_path, "user", "add", "u@example.com", "--name", "U", "--role", "analyst",
             "--unit", "No Such Unit", check=False)
    assert p.returncode == 1 and "No Such Unit" in p.stderr
    p = kith(db_path, "user", "frobnicate", "x@example.com", check=False)
    assert p.returncode == 2

    new = "a brand new passphrase"
    kith(db_path, "user", "passwd", "gen@example.com", "--password-stdin", input=new + "\n")
    assert sign_in(server.url, "gen@example.com", generated).status_code == 401
    assert sign_in(server.url, "gen@example.com", new).status_code == 200


def test_cli_tokens_are_shown_once_listed_and_revoked(server, db_path):
    out = kith(db_path, "user", "token", "admin@example.com", "--name", "backup")
    token = out.stdout.strip()
    assert token.startswith("kith_")
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(server.url + "/api/v1/session", headers=bearer).status_code == 200
    listing = kith(db_path, "user", "token", "admin@example.com", "--list").stdout
    assert "backup" in listing and token not in listing
    token_id = listing.splitlines()[1].split()[0]
    kith(db_path, "user", "token", "admin@example.com", "--revoke", token_id)
    assert requests.get(server.url + "/api/v1/session", headers=bearer).status_code == 401
    p = kith(db_path, "user", "token", "admin@example.com", check=False)
    assert p.returncode == 2
