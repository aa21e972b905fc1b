"""The customer portal's sign-in (docs/portal.md): staff invite a contact, the invitation goes
through the outbox (files beside the database), accepting it sets a password; a one-time sign-in
link works once within 15 minutes; portal sessions are apart from staff sessions in both
directions; revoking access ends every portal session at once; failures are throttled; GET
/portal/api/me answers the contact's own records only.

Expiry is tested by moving a stored link's expires_at into the past (no test waits); stored
hashes are recomputed here with BLAKE2b, independently of kith.
"""
import glob
import hashlib
import os
import re
import sqlite3
import stat

import pytest

from conftest import PASSWORD, Client, add_user, http_session, kith

PORTAL_PASSWORD = "my own portal passphrase"
PORTAL_COOKIE = "__Host-kith-portal"


def outbox(db):
    """The messages in db's outbox, oldest first: dicts of headers plus "body" and "path"."""
    msgs = []
    for path in sorted(glob.glob(db + ".outbox/*.txt")):
        with open(path) as f:
            head, _, body = f.read().partition("\n\n")
        m = dict(line.split(": ", 1) for line in head.splitlines())
        m["body"], m["path"] = body, path
        msgs.append(m)
    return msgs


def token_of(msg):
    m = re.search(r"/portal/(accept|sign-in)#token=([A-Za-z0-9_-]+)", msg["body"])
    assert m, msg["body"]
    return m.group(2)


def blake(token):
    return hashlib.blake2b(token.encode(), digest_size=32).hexdigest()


def sql(db, query, *args):
    con = sqlite3.connect(db)
    try:
        rows = con.execute(query, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def new_contact(admin, email, **extra):
    r = admin.post("/api/v1/contacts", json={"last_name": email.split("@")[0], "first_name": "Ann",
                                             "email": email, **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def invite(admin, db, cid):
    """Invites contact cid; the token of the invitation it was sent."""
    before = len(outbox(db))
    r = admin.post(f"/api/v1/contacts/{cid}/invitations")
    assert r.status_code == 201, r.text
    msgs = outbox(db)
    assert len(msgs) == before + 1
    assert msgs[-1]["X-Kith-Kind"] == "invitation"
    assert msgs[-1]["X-Kith-Contact"] == str(cid)
    return token_of(msgs[-1])


class Portal:
    """A portal session: the cookie in a session, the portal's CSRF token in its header."""

    def __init__(self, base, http, body):
        self.base, self.http, self.me = base, http, body
        http.headers["X-CSRF-Token"] = body["csrf_token"]

    def get(self, path, **kw):
        return self.http.get(self.base + path, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.base + path, **kw)


def accept(base, token, password=PORTAL_PASSWORD):
    http = http_session()
    r = http.post(base + "/portal/api/invitations/accept", json={"token": token,
                                                                 "password": password})
    return r, http


def sign_in(base, email, password=PORTAL_PASSWORD):
    http = http_session()
    r = http.post(base + "/portal/api/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return Portal(base, http, r.json())


@pytest.fixture
def invited(server, admin):
    """A contact invited by the admin and the token of its invitation."""
    cid = new_contact(admin, "ann@example.org")
    return cid, invite(admin, server.db, cid)


def test_invitation_is_sent_hashed_and_valid_seven_days(server, admin, invited):
    cid, token = invited
    msg = outbox(server.db)[-1]
    assert msg["To"] == "ann@example.org"
    assert stat.S_IMODE(os.stat(msg["path"]).st_mode) == 0o600
    rows = sql(server.db, "SELECT kind, token_hash, expires_at - created_at, used_at"
                          " FROM portal_tokens WHERE contact_id = ?", cid)
    assert rows == [("invitation", blake(token), 7 * 24 * 3600 * 1000, None)]
    sql(server.db, "PRAGMA wal_checkpoint(FULL)")
    for path in (server.db, server.db + "-wal"):
        if os.path.exists(path):
            with open(path, "rb") as f:
                assert token.encode() not in f.read()
    audit = admin.get("/api/v1/audit", params={"action": "portal_invite"}).json()["items"]
    assert [(a["table"], a["record_id"]) for a in audit] == [("contacts", cid)]
    assert token not in str(audit)


def test_accept_sets_a_password_once(server, invited):
    cid, token = invited
    r, _ = accept(server.url, token, "short")
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r, http = accept(server.url, token)
    assert r.status_code == 200, r.text
    assert r.json()["contact"]["id"] == cid
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(PORTAL_COOKIE + "=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    (stored,) = sql(server.db, "SELECT password_hash FROM portal_accounts WHERE contact_id = ?",
                    cid)[0]
    assert stored.startswith("$argon2id$")
    # single use: the same link a second time is refused, and sets nothing
    r, _ = accept(server.url, token, "another long passphrase")
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_link"
    p = sign_in(server.url, "ANN@example.org")
    assert p.get("/portal/api/session").json()["contact"]["id"] == cid


def test_an_expired_invitation_is_refused(server, invited):
    cid, token = invited
    sql(server.db, "UPDATE portal_tokens SET expires_at = created_at - 1 WHERE contact_id = ?",
        cid)
    r, _ = accept(server.url, token)
    assert r.status_code == 401


def test_wrong_password_and_unknown_email_answer_alike(server, invited):
    _, token = invited
    accept(server.url, token)
    http = http_session()
    a = http.post(server.url + "/portal/api/session",
                  json={"email": "ann@example.org", "password": "not the passphrase"})
    b = http.post(server.url + "/portal/api/session",
                  json={"email": "nobody@example.org", "password": PORTAL_PASSWORD})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_a_staff_user_cannot_sign_in_to_the_portal(server):
    http = http_session()
    r = http.post(server.url + "/portal/api/session",
                  json={"email": "admin@example.com", "password": PASSWORD})
    assert r.status_code == 401


def test_sessions_are_apart_in_both_directions(server, admin, invited):
    cid, token = invited
    accept(server.url, token)
    p = sign_in(server.url, "ann@example.org")
    # a portal cookie never authenticates the staff API
    for path in ("/api/v1/session", "/api/v1/contacts", f"/api/v1/contacts/{cid}"):
        assert p.get(path).status_code == 401, path
    # a staff cookie never authenticates the portal, nor a staff API token
    assert admin.get("/portal/api/session").status_code == 401
    assert admin.get("/portal/api/me").status_code == 401
    tok = admin.post("/api/v1/tokens", json={"name": "t"}).json()["token"]
    r = http_session().get(server.url + "/portal/api/me",
                           headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 401
    # both cookies in one browser: each side takes only its own
    both = p.http
    both.cookies.update(admin.http.cookies)
    me = both.get(server.url + "/portal/api/session").json()
    assert me["contact"]["id"] == cid
    assert both.get(server.url + "/api/v1/session").json()["user"]["email"] == "admin@example.com"


def test_portal_changes_need_the_portal_csrf_token(server, admin, invited):
    _, token = invited
    accept(server.url, token)
    p = sign_in(server.url, "ann@example.org")
    p.http.headers.pop("X-CSRF-Token")
    assert p.delete("/portal/api/session").status_code == 403
    p.http.headers["X-CSRF-Token"] = admin.me["csrf_token"]
    assert p.delete("/portal/api/session").status_code == 403
    p.http.headers["X-CSRF-Token"] = p.me["csrf_token"]
    assert p.get("/portal/api/session").json()["csrf_token"] == p.me["csrf_token"]
    assert p.delete("/portal/api/session").status_code == 204
    assert p.get("/portal/api/session").status_code == 401
    # the staff session is untouched by the portal's sign-out
    assert admin.get("/api/v1/session").status_code == 200


def test_sign_out_ends_only_that_session(server, invited):
    _, token = invited
    accept(server.url, token)
    a = sign_in(server.url, "ann@example.org")
    b = sign_in(server.url, "ann@example.org")
    assert a.delete("/portal/api/session").status_code == 204
    assert a.get("/portal/api/session").status_code == 401
    assert b.get("/portal/api/session").status_code == 200


def test_one_time_sign_in_link(server, invited):
    cid, token = invited
    accept(server.url, token)
    http = http_session()
    before = len(outbox(server.db))
    r = http.post(server.url + "/portal/api/sign-in-links", json={"email": "Ann@Example.org"})
    assert r.status_code == 202
    msgs = outbox(server.db)
    assert len(msgs) == before + 1 and msgs[-1]["X-Kith-Kind"] == "sign_in"
    link = token_of(msgs[-1])
    rows = sql(server.db, "SELECT expires_at - created_at FROM portal_tokens"
                          " WHERE token_hash = ?", blake(link))
    assert rows == [(15 * 60 * 1000,)]
    r = http.post(server.url + "/portal/api/session/link", json={"token": link})
    assert r.status_code == 200, r.text
    p = Portal(server.url, http, r.json())
    assert p.get("/portal/api/session").json()["contact"]["id"] == cid
    # once only; an invitation token is no sign-in link either
    again = http_session().post(server.url + "/portal/api/session/link", json={"token": link})
    assert again.status_code == 401
    r = http_session().post(server.url + "/portal/api/session/link", json={"token": token})
    assert r.status_code == 401
    # an unknown email gets the same answer and no message
    r = http.post(server.url + "/portal/api/sign-in-links", json={"email": "nobody@example.org"})
    assert r.status_code == 202 and len(outbox(server.db)) == before + 1


def test_an_expired_sign_in_link_is_refused(server, invited):
    cid, token = invited
    accept(server.url, token)
    http_session().post(server.url + "/portal/api/sign-in-links", json={"email": "ann@example.org"})
    link = token_of(outbox(server.db)[-1])
    sql(server.db, "UPDATE portal_tokens SET expires_at = created_at + 1 WHERE token_hash = ?",
        blake(link))
    r = http_session().post(server.url + "/portal/api/session/link", json={"token": link})
    assert r.status_code == 401


def test_revoking_access_ends_every_portal_session_at_once(server, admin, invited):
    cid, token = invited
    r, http = accept(server.url, token)
    sessions = [Portal(server.url, http, r.json())]
    sessions += [sign_in(server.url, "ann@example.org") for _ in range(3)]
    http_session().post(server.url + "/portal/api/sign-in-links", json={"email": "ann@example.org"})
    link = token_of(outbox(server.db)[-1])
    assert admin.get(f"/api/v1/contacts/{cid}/portal-access").json()["state"] == "active"
    assert admin.delete(f"/api/v1/contacts/{cid}/portal-access").status_code == 204
    for p in sessions:
        assert p.get("/portal/api/me").status_code == 401
    assert sql(server.db, "SELECT count(*) FROM portal_sessions WHERE contact_id = ?", cid) == [(0,)]
    r = http_session().post(server.url + "/portal/api/session",
                            json={"email": "ann@example.org", "password": PORTAL_PASSWORD})
    assert r.status_code == 401
    r = http_session().post(server.url + "/portal/api/session/link", json={"token": link})
    assert r.status_code == 401
    assert admin.get(f"/api/v1/contacts/{cid}/portal-access").json()["state"] == "revoked"
    assert admin.delete(f"/api/v1/contacts/{cid}/portal-access").status_code == 404
    audit = admin.get("/api/v1/audit", params={"action": "portal_revoke"}).json()["items"]
    assert audit[0]["record_id"] == cid and audit[0]["detail"] == "4 portal sessions ended"
    # a new invitation revives the access; the old password is gone
    token2 = invite(admin, server.db, cid)
    assert admin.get(f"/api/v1/contacts/{cid}/portal-access").json()["state"] == "invited"
    r = http_session().post(server.url + "/portal/api/session",
                            json={"email": "ann@example.org", "password": PORTAL_PASSWORD})
    assert r.status_code == 401
    r, _ = accept(server.url, token2, "a second long passphrase")
    assert r.status_code == 200


def test_only_staff_who_may_write_the_contact_invite(server, admin):
    db = server.db
    kith(db, "user", "add", "x@example.com", "--name", "x", "--role", "analyst",
         "--password-stdin", input=PASSWORD + "\n")
    units = admin.get("/api/v1/units").json()["items"]
    if len(units) < 2:
        for name in ("North", "South")[: 2 - len(units)]:
            admin.post("/api/v1/units", json={"name": name, "kind": "business_unit"})
        units = admin.get("/api/v1/units").json()["items"]
    add_user(db, "f@example.com", "frontline", unit=units[0]["name"])
    mine = new_contact(admin, "mine@example.org", unit_id=units[0]["id"])
    other = new_contact(admin, "other@example.org", unit_id=units[1]["id"])
    analyst = Client(server.url, "x@example.com")
    front = Client(server.url, "f@example.com")
    assert analyst.post(f"/api/v1/contacts/{mine}/invitations").status_code == 403
    assert front.post(f"/api/v1/contacts/{other}/invitations").status_code == 404
    assert front.delete(f"/api/v1/contacts/{other}/portal-access").status_code == 404
    assert front.get(f"/api/v1/contacts/{other}/portal-access").status_code == 404
    assert sql(db, "SELECT count(*) FROM portal_tokens") == [(0,)]
    assert outbox(db) == []


def test_a_contact_without_email_cannot_be_invited(server, admin):
    r = admin.post("/api/v1/contacts", json={"last_name": "Noemail"})
    cid = r.json()["id"]
    r = admin.post(f"/api/v1/contacts/{cid}/invitations")
    assert r.status_code == 422
    assert sql(server.db, "SELECT count(*) FROM portal_tokens") == [(0,)]
    assert admin.post("/api/v1/contacts/999999/invitations").status_code == 404


def test_failed_sign_ins_are_throttled(server, invited):
    _, token = invited
    accept(server.url, token)
    http = http_session()
    for _ in range(10):
        r = http.post(server.url + "/portal/api/session",
                      json={"email": "ann@example.org", "password": "wrong wrong wrong"})
        assert r.status_code == 401
    r = http.post(server.url + "/portal/api/session",
                  json={"email": "ann@example.org", "password": PORTAL_PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_kith_portal_invite(server, admin):
    cid = new_contact(admin, "cli@example.org")
    out = kith(server.db, "portal", "invite", str(cid)).stdout
    assert "cli@example.org" in out
    token = token_of(outbox(server.db)[-1])
    r, _ = accept(server.url, token)
    assert r.status_code == 200
    assert kith(server.db, "portal", "invite", "999999", check=False).returncode == 1


def test_me_shows_only_the_contacts_own_records(server, admin, invited):
    cid, token = invited
    acc = admin.post("/api/v1/accounts", json={"name": "Ann's shop"}).json()["id"]
    assert admin.patch(f"/api/v1/contacts/{cid}", json={"account_id": acc}).status_code == 200
    colleague = new_contact(admin, "bob@example.org", account_id=acc)
    acc2 = admin.post("/api/v1/accounts", json={"name": "Other"}).json()["id"]
    stranger = new_contact(admin, "eve@example.org", account_id=acc2)
    itype = admin.post("/api/v1/interaction-types", json={
        "code": "call", "name": "Call", "phase": "acquisition", "level": 2, "channel": "phone",
        "touch": 0.8, "tech": 0.25, "rv": 7, "cost": "12.50"}).json()["id"]
    mine = set()
    for c, n in ((cid, 3), (colleague, 2), (stranger, 2)):
        for i in range(n):
            r = admin.post("/api/v1/interactions", json={
                "contact_id": c, "type_id": itype,
                "occurred_at": f"2026-0{i + 1}-01T10:00:00Z"})
            assert r.status_code == 201, r.text
            if c == cid:
                mine.add(r.json()["id"])
    orders = set()
    for c, a in ((cid, acc), (colleague, acc), (stranger, acc2), (None, acc2)):
        body = {"account_id": a, "amount": "10.00", "ordered_at": "2026-02-01T00:00:00Z"}
        if c:
            body["contact_id"] = c
        r = admin.post("/api/v1/orders", json=body)
        assert r.status_code == 201, r.text
        if a == acc:
            orders.add(r.json()["id"])
    sql(server.db, "INSERT INTO consents (created_at, contact_id, purpose, channel, state,"
                   " recorded_at) VALUES (1, ?, 'marketing', 'email', 'granted', 1),"
                   " (1, ?, 'marketing', 'email', 'granted', 1)", cid, stranger)
    accept(server.url, token)
    p = sign_in(server.url, "ann@example.org")
    me = p.get("/portal/api/me")
    assert me.status_code == 200, me.text
    me = me.json()
    assert me["contact"]["id"] == cid and me["contact"]["email"] == "ann@example.org"
    assert me["account"] == {"id": acc, "name": "Ann's shop"}
    assert {i["id"] for i in me["interactions"]["items"]} == mine
    assert all(i["contact_id"] == cid for i in me["interactions"]["items"])
    assert {o["id"] for o in me["orders"]["items"]} == orders
    assert [(c["contact_id"], c["purpose"]) for c in me["consents"]["items"]] == \
        [(cid, "marketing")]
    # nothing else answers: an unknown portal path is a JSON 404, not the web app
    r = p.get(f"/portal/api/contacts/{stranger}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_bad_links_are_throttled_per_address(server, invited):
    cid, token = invited
    accept(server.url, token)
    http_session().post(server.url + "/portal/api/sign-in-links", json={"email": "ann@example.org"})
    link = token_of(outbox(server.db)[-1])
    http = http_session()
    for i in range(50):
        r = http.post(server.url + "/portal/api/session/link", json={"token": f"guess{i}"})
        assert r.status_code == 401
    r = http.post(server.url + "/portal/api/session/link", json={"token": link})
    assert r.status_code == 429
    # the link was not spent by the refused attempt
    assert sql(server.db, "SELECT used_at FROM portal_tokens WHERE token_hash = ?",
               blake(link)) == [(None,)]
