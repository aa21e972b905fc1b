"""Ended credentials end everything at once (docs/internals/auth.md, "Ending credentials").

Signing out, disabling a user, a new password, revoking an API token and a new role, unit or
team, through the API or `kith user`, end the user's other sessions, revoke their API tokens and
close their live streams (/api/v1/rv/stream); enabling the user again revives none of them.
`kith user set` is the command line's way to change a role, unit or team.

No test sleeps. A stream is read until it ends: a change made through the server ends it at
once; a change made by `kith user` (another process) is seen by the stream before the next thing
it would send, so those tests make an RV exception happen that the user could read, and the stream
must end instead of carrying it (or, failing an exception, at the next ping, within 15 s).
"""
import datetime
import itertools
import os
import sqlite3
import tempfile
import time

import pytest
import requests

from conftest import Client, Server, add_user, http_session, kith

NEW_PASSWORD = "a wholly different passphrase"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "300", "--seed", "5")
        con = sqlite3.connect(db)
        teams = con.execute("SELECT t.id, t.name, u.id, u.name FROM teams t"
                            " JOIN units u ON u.id = t.unit_id ORDER BY t.id").fetchall()
        con.close()
        add_user(db, "admin@example.com", "admin")
        srv = Server(db)
        try:
            yield {"db": db, "srv": srv, "teams": teams,
                   "admin": Client(srv.url, "admin@example.com")}
        finally:
            srv.stop()


def new_user(world, role="executive", team=0):
    """A new user (with a unit and team for roles that need them); their email."""
    email = f"u{next(_serial)}@example.com"
    _, team_name, _, unit_name = world["teams"][team]
    scoped = role in ("manager", "frontline", "partner")
    add_user(world["db"], email, role, unit=unit_name if scoped else None,
             team=team_name if scoped else None)
    return email


def make_token(client):
    r = client.post("/api/v1/tokens", json={"name": f"t{next(_serial)}"})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def session_status(world, client):
    return client.get("/api/v1/session").status_code


def token_status(world, token):
    return requests.get(world["srv"].url + "/api/v1/session", headers=bearer(token)).status_code


class Stream:
    """GET /api/v1/rv/stream through requests with stream=True, by session or by token. Opening
    it reads the stream's greeting, which the server sends only once it has checked the
    credential: the stream is live from then on."""

    def __init__(self, world, client=None, token=None):
        http = client.http if client else requests
        self.r = http.get(world["srv"].url + "/api/v1/rv/stream", stream=True, timeout=(5, 30),
                          headers=bearer(token) if token else {})
        assert self.r.status_code == 200, self.r.text
        self.lines = self.r.iter_lines(chunk_size=None, decode_unicode=True)
        assert next(self.lines) == ": kith RV exceptions"

    def read_to_end(self, within=40):
        """Every line until the server ends the stream, which must happen within `within`
        seconds: the stream pings every 15 s, so the deadline is checked at least that often,
        and a silent stream fails by its read timeout (30 s)."""
        deadline = time.monotonic() + within
        lines = []
        try:
            for line in self.lines:
                lines.append(line)
                assert time.monotonic() < deadline, f"the stream is still open: {lines}"
            return lines
        finally:
            self.r.close()


    def read_until(self, prefix, within=40):
        """Reads until a line that starts with prefix (within `within` seconds); keeps it open."""
        deadline = time.monotonic() + within
        for line in self.lines:
            if line.startswith(prefix):
                return line
            assert time.monotonic() < deadline, f"no '{prefix}' on the stream"
        raise AssertionError(f"the stream ended before '{prefix}'")


def assert_ended(stream):
    lines = stream.read_to_end()
    assert not any(l.startswith("event: exception") for l in lines), lines


def normal_contact(world):
    """A contact whose RV is normal against its team's norm now: a large win makes it an
    exception, which the live stream announces to everyone who may read it."""
    admin = world["admin"]
    for c in admin.get("/api/v1/contacts?limit=300").json()["items"]:
        rv = admin.get(f"/api/v1/rv/contacts/{c['id']}").json()
        pos = rv.get("positions") or []
        if pos and pos[0]["status"] == "normal":
            return rv
    raise AssertionError("no contact is normal against its norm")


def make_an_exception(world):
    """Logs a win that moves a normal contact above p90 of its norm (an `exception` event)."""
    rv = normal_contact(world)
    big = int(rv["positions"][0]["p90"] - rv["rv"]) + 10000
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    r = world["admin"].post("/api/v1/interactions", json={
        "contact_id": rv["contact_id"], "type_id": 1, "rv": big, "occurred_at": now})
    assert r.status_code == 201, r.text


def user_id(world, email):
    r = world["admin"].get(f"/api/v1/users?q={email}")
    return r.json()["items"][0]["id"]


def patch_user(world, email, body, client=None):
    r = (client or world["admin"]).patch(f"/api/v1/users/{user_id(world, email)}", json=body)
    assert r.status_code == 200, r.text
    return r


def held(world, email):
    """Two sessions, a token, a stream on the first session and one on the token."""
    a, b = Client(world["srv"].url, email), Client(world["srv"].url, email)
    token = make_token(a)
    return a, b, token, Stream(world, client=a), Stream(world, token=token)


def assert_all_ended(world, sessions, tokens):
    for c in sessions:
        assert session_status(world, c) == 401
    for t in tokens:
        assert token_status(world, t) == 401


def audit(world, email, action):
    r = world["admin"].get(f"/api/v1/audit?record_id={user_id(world, email)}&table=users"
                           f"&action={action}")
    assert r.status_code == 200, r.text
    return r.json()["items"]


# ---- each way credentials end ---------------------------------------------------------------

def test_sign_out_ends_every_session_token_and_stream_of_the_user(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    assert a.delete("/api/v1/session").status_code == 204
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])
    [entry] = audit(world, email, "credentials_end")
    assert entry["detail"] == "sign_out: 1 session ended, 1 API token revoked"
    assert entry["user_id"] == a.me["user"]["id"]


def test_disabling_through_the_api_ends_everything_and_enabling_revives_nothing(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    patch_user(world, email, {"disabled": True})
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])
    patch_user(world, email, {"disabled": False})
    assert_all_ended(world, [a, b], [token])
    assert session_status(world, Client(world["srv"].url, email)) == 200  # signing in again works
    assert [e["action"] for e in audit(world, email, "user_disable")] == ["user_disable"]
    assert [e["action"] for e in audit(world, email, "user_enable")] == ["user_enable"]
    [entry] = audit(world, email, "credentials_end")
    assert entry["detail"] == "user_disable: 2 sessions ended, 1 API token revoked"


def test_disabling_with_the_cli_ends_streams_before_they_carry_another_contact(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    bystander = Stream(world, client=Client(world["srv"].url, new_user(world)))
    kith(world["db"], "user", "disable", email)
    make_an_exception(world)  # an executive reads every contact: the event would reach them
    assert_ended(by_session)
    assert_ended(by_token)
    bystander.read_until("event: exception")  # it did reach another executive
    bystander.r.close()
    assert_all_ended(world, [a, b], [token])
    kith(world["db"], "user", "enable", email)
    assert_all_ended(world, [a, b], [token])
    [entry] = audit(world, email, "credentials_end")
    assert entry["client_addr"] == "cli" and entry["user_id"] is None
    assert entry["detail"].startswith("user_disable: 2 sessions ended")


def test_a_new_password_from_an_administrator_ends_everything(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    patch_user(world, email, {"password": NEW_PASSWORD})
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])
    assert len(audit(world, email, "password_change")) == 1
    [entry] = audit(world, email, "credentials_end")
    assert entry["detail"] == "password_change: 2 sessions ended, 1 API token revoked"


def test_changing_ones_own_password_keeps_the_session_it_is_done_with(world):
    email = new_user(world, role="admin")
    a, b, token, by_session, by_token = held(world, email)
    other_stream = Stream(world, client=b)
    patch_user(world, email, {"password": NEW_PASSWORD}, client=a)
    assert_ended(other_stream)
    assert_ended(by_token)
    assert_all_ended(world, [b], [token])
    assert session_status(world, a) == 200  # the session the change was made with stays
    by_session.r.close()  # it stays open too (docs/internals/auth.md)


def test_kith_user_passwd_ends_everything(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    kith(world["db"], "user", "passwd", email, "--password-stdin", input=NEW_PASSWORD + "\n")
    make_an_exception(world)
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])


def test_revoking_a_token_ends_the_owners_other_credentials(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    other = make_token(a)
    on_b = Stream(world, client=b)
    tokens = {t["name"]: t["id"] for t in a.get("/api/v1/tokens").json()["items"]}
    assert a.delete(f"/api/v1/tokens/{max(tokens.values())}").status_code == 204
    assert_ended(by_token)
    assert_ended(on_b)
    assert_all_ended(world, [b], [token, other])
    assert session_status(world, a) == 200  # the owner revoked it with this session
    by_session.r.close()
    [entry] = audit(world, email, "credentials_end")
    assert entry["detail"] == "token_revoke: 1 session ended, 1 API token revoked"

    # revoked by an administrator, nothing of the owner's stays
    c = Client(world["srv"].url, email)
    t3 = make_token(c)
    by_c = Stream(world, client=c)
    t3_id = max(t["id"] for t in c.get("/api/v1/tokens").json()["items"])
    assert world["admin"].delete(f"/api/v1/tokens/{t3_id}").status_code == 204
    assert_ended(by_c)
    assert_all_ended(world, [a, c], [t3])


def test_kith_user_token_revoke_ends_everything(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    listing = kith(world["db"], "user", "token", email, "--list").stdout
    kith(world["db"], "user", "token", email, "--revoke", listing.splitlines()[1].split()[0])
    make_an_exception(world)
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])


def test_a_new_role_ends_everything(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    patch_user(world, email, {"role": "analyst"})
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])
    [entry] = audit(world, email, "credentials_end")
    assert entry["detail"].startswith("role_change: ")


def test_a_new_unit_or_team_ends_everything(world):
    email = new_user(world, role="manager", team=0)
    other_team = next(t for t in world["teams"] if t[2] != world["teams"][0][2])
    a, b, token, by_session, by_token = held(world, email)
    patch_user(world, email, {"unit_id": other_team[2]})
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])

    c = Client(world["srv"].url, email)
    by_c = Stream(world, client=c)
    patch_user(world, email, {"team_id": other_team[0]})
    assert_ended(by_c)
    assert_all_ended(world, [c], [])
    details = sorted(e["detail"].split(":")[0] for e in audit(world, email, "credentials_end"))
    assert details == ["team_change", "unit_change"]


def test_changes_that_touch_no_credential_end_nothing(world):
    email = new_user(world)
    a = Client(world["srv"].url, email)
    token = make_token(a)
    patch_user(world, email, {"name": "Renamed", "role": "executive"})  # the same role
    assert session_status(world, a) == 200
    assert token_status(world, token) == 200
    assert audit(world, email, "credentials_end") == []


def test_kith_user_set_role_unit_or_team_ends_everything(world):
    email = new_user(world)
    a, b, token, by_session, by_token = held(world, email)
    kith(world["db"], "user", "set", email, "--role", "executive")  # the same: nothing ends
    assert session_status(world, a) == 200 and token_status(world, token) == 200
    kith(world["db"], "user", "set", email, "--role", "analyst")
    make_an_exception(world)  # an analyst reads every contact too
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])

    # an executive with a unit, so that the exception reaches them until the unit changes
    _, _, unit_id, unit = world["teams"][0]
    other_unit = next(t[3] for t in world["teams"] if t[2] != unit_id)
    email = f"u{next(_serial)}@example.com"
    add_user(world["db"], email, "executive", unit=unit)
    a, b, token, by_session, by_token = held(world, email)
    kith(world["db"], "user", "set", email, "--unit", other_unit)
    make_an_exception(world)
    assert_ended(by_session)
    assert_ended(by_token)
    assert_all_ended(world, [a, b], [token])
    [entry] = audit(world, email, "credentials_end")
    assert entry["client_addr"] == "cli"
    assert entry["detail"] == "unit_change: 2 sessions ended, 1 API token revoked"

    p = kith(world["db"], "user", "set", email, check=False)
    assert p.returncode == 1 and "--role, --unit or --team" in p.stderr
    p = kith(world["db"], "user", "set", email, "--role", "king", check=False)
    assert p.returncode == 1 and "role" in p.stderr
