"""The Relationship Value API (/api/v1/rv/...) against a real `kith serve` over a small demo
database: the same answers as `kith rv --json`, scoping by role, the confidential comparison of
units, incremental updates, and the live stream of exceptions (server-sent events)."""
import datetime
import http.client
import json
import os
import queue
import socket
import sqlite3
import tempfile
import threading
import time
import urllib.parse

import pytest

from conftest import Client, Server, add_user, http_session, json_close as close, kith

AS_OF = "2026-06-30T00:00:00Z"  # the demo's simulated "now"


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "600", "--seed", "11")
        con = sqlite3.connect(db)
        team = con.execute("SELECT t.name, u.name FROM teams t JOIN units u ON u.id = t.unit_id"
                           " WHERE t.name = 'Automation Closing'").fetchone()
        partner_unit = con.execute("SELECT id, name FROM units WHERE kind = 'distributor'"
                                   " ORDER BY id LIMIT 1").fetchone()
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "exec@example.com", "executive")
        add_user(db, "analyst@example.com", "analyst")
        add_user(db, "mgr@example.com", "manager", unit=team[1], team=team[0])
        add_user(db, "rep@example.com", "frontline", unit=team[1], team=team[0])
        add_user(db, "partner@example.com", "partner", unit=partner_unit[1])
        srv = Server(db)
        try:
            w = {"db": db, "srv": srv, "team": team[0], "partner_unit_id": partner_unit[0]}
            for role in ("admin", "exec", "analyst", "mgr", "rep", "partner"):
                w[role] = Client(srv.url, f"{role}@example.com")
            yield w
        finally:
            srv.stop()


def cli_json(w, *args):
    return json.loads(kith(w["db"], "rv", *args, "--json").stdout)


def ids_of(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.text
    return r.json()


def readable(client, contact_id):
    return client.get(f"/api/v1/contacts/{contact_id}").status_code == 200


# ---- the same answers as the CLI --------------------------------------------------------------

def test_contact_matches_cli(world):
    api = ids_of(world["admin"], f"/api/v1/rv/contacts/5?as_of={AS_OF}")
    close(api, cli_json(world, "contact", "5", "--as-of", AS_OF))
    assert api["contact_id"] == 5 and api["pattern"] and api["positions"]
    assert api["positions"][0]["group"]["field"] == "team"


def test_norm_matches_cli(world):
    api = ids_of(world["admin"], f"/api/v1/rv/norm?by=industry&as_of={AS_OF}&every=4")
    close(api, cli_json(world, "norm", "--by", "industry", "--as-of", AS_OF, "--every", "4"))
    assert len(api["groups"]) > 1


def test_norm_with_filters_matches_cli(world):
    path = f"/api/v1/rv/norm?by=team&where=stage=closing&where=source=none&as_of={AS_OF}"
    api = world["admin"].get(path)
    assert api.status_code == 200, api.text
    close(api.json(), cli_json(world, "norm", "--by", "team", "--where", "stage=closing",
                               "--where", "source=none", "--as-of", AS_OF))
    assert [f["field"] for f in api.json()["filters"]] == ["stage", "source"]


def test_exceptions_reps_units_indicator_match_cli(world):
    a = world["admin"]
    close(ids_of(a, f"/api/v1/rv/exceptions?as_of={AS_OF}&limit=20"),
          cli_json(world, "exceptions", "--as-of", AS_OF, "--limit", "20"))
    close(ids_of(a, "/api/v1/rv/reps?from=2025-01-01&to=2026-01-01"),
          cli_json(world, "reps", "--from", "2025-01-01", "--to", "2026-01-01"))
    close(ids_of(a, f"/api/v1/rv/units?as_of={AS_OF}&k=5"),
          cli_json(world, "units", "--as-of", AS_OF, "--k", "5"))
    q = "cutoff=2025-07-01&window_days=365&horizon_days=364&outcome=churn&resamples=100&seed=3"
    close(ids_of(a, "/api/v1/rv/indicator?" + q),
          cli_json(world, "indicator", "--cutoff", "2025-07-01", "--window", "365", "--horizon",
                   "364", "--outcome", "churn", "--resamples", "100", "--seed", "3"))


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path,field", [
    ("/api/v1/rv/norm?by=colour", "by"),
    ("/api/v1/rv/norm?where=team", "where"),
    ("/api/v1/rv/norm?where=team=No%20Such%20Team", "where"),
    ("/api/v1/rv/norm?bucket_days=0", "bucket_days"),
    ("/api/v1/rv/norm?as_of=yesterday", "as_of"),
    ("/api/v1/rv/exceptions?status=late", "status"),
    ("/api/v1/rv/exceptions?limit=0", "limit"),
    ("/api/v1/rv/reps?from=2026-01-01&to=2025-01-01", "to"),
    ("/api/v1/rv/units?k=0", "k"),
    ("/api/v1/rv/units?epsilon=-1", "epsilon"),
    ("/api/v1/rv/indicator?window_days=30&horizon_days=30&outcome=margin", "cutoff"),
    ("/api/v1/rv/indicator?cutoff=2025-01-01&window_days=30&horizon_days=30&outcome=mood",
     "outcome"),
    ("/api/v1/rv/contacts/5?half_life_days=-3", "half_life_days"),
])
def test_bad_parameters_name_the_field(world, path, field):
    r = world["admin"].get(path)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_unknown_contact_is_not_found(world):
    assert world["admin"].get("/api/v1/rv/contacts/999999").status_code == 404


def test_needs_sign_in(world):
    r = http_session().get(world["srv"].url + "/api/v1/rv/norm")
    assert r.status_code == 401


# ---- scope ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["mgr", "rep", "partner"])
def test_exceptions_name_only_readable_contacts(world, role):
    mine = ids_of(world[role], f"/api/v1/rv/exceptions?as_of={AS_OF}&limit=10000")
    everyone = ids_of(world["admin"], f"/api/v1/rv/exceptions?as_of={AS_OF}&limit=10000")
    assert 0 < mine["count"] < everyone["count"]
    for e in mine["exceptions"][:40]:
        assert readable(world[role], e["contact_id"]), e


def test_exceptions_carry_the_contacts_names(world):
    got = ids_of(world["mgr"], f"/api/v1/rv/exceptions?as_of={AS_OF}&limit=15")
    assert got["exceptions"]
    for e in got["exceptions"]:
        c = world["mgr"].get(f"/api/v1/contacts/{e['contact_id']}").json()
        want = " ".join(x for x in (c["first_name"], c["last_name"]) if x)
        assert e["contact_name"] == want, (e, c)


@pytest.mark.parametrize("role", ["mgr", "rep", "partner"])
def test_norm_is_over_the_callers_contacts(world, role):
    mine = ids_of(world[role], f"/api/v1/rv/norm?by=all&as_of={AS_OF}")
    everyone = ids_of(world["admin"], f"/api/v1/rv/norm?by=all&as_of={AS_OF}")
    listed = world[role].get("/api/v1/contacts?limit=1").json()
    assert 0 < mine["groups"][0]["members"] < everyone["groups"][0]["members"]
    assert listed["items"], "the role reads some contacts"


def test_contact_of_another_unit_is_not_found(world):
    partner = world["partner"]
    everyone = ids_of(world["admin"], f"/api/v1/rv/exceptions?as_of={AS_OF}&limit=10000")
    outside = next(e["contact_id"] for e in everyone["exceptions"]
                   if not readable(partner, e["contact_id"]))
    assert partner.get(f"/api/v1/rv/contacts/{outside}").status_code == 404
    assert world["admin"].get(f"/api/v1/rv/contacts/{outside}").status_code == 200


def test_reps_count_only_the_callers_contacts(world):
    total = lambda c: sum(r["interactions"] for r in ids_of(c, "/api/v1/rv/reps")["reps"])
    everyone, mine = total(world["admin"]), total(world["partner"])
    assert 0 < mine < everyone


def test_indicator_win_matches_python(world):
    """--outcome win: one row per deal closed won or lost in the horizon, x the RV its account
    gained in the window (counted interactions: neither voided nor voiding), AUC of more RV for
    winning. Recomputed here from the database; the demo plants the effect (docs/demo-data.md h)."""
    cut = 1751328000  # 2025-07-01T00:00:00Z in seconds
    window, horizon = 180, 365
    con = sqlite3.connect(world["db"])
    rv = dict(con.execute(
        "SELECT c.account_id, SUM(i.rv) FROM interactions i JOIN contacts c ON c.id = i.contact_id"
        " WHERE i.voids_id IS NULL AND NOT EXISTS (SELECT 1 FROM interactions v"
        "  WHERE v.voids_id = i.id)"
        " AND i.occurred_at / 1000 > ? AND i.occurred_at / 1000 <= ? GROUP BY c.account_id",
        (cut - window * 86400, cut)).fetchall())
    deals = con.execute(
        "SELECT account_id, outcome FROM deals WHERE outcome IN ('won', 'lost')"
        " AND closed_at / 1000 > ? AND closed_at / 1000 <= ?"
        " AND account_id IN (SELECT account_id FROM contacts)",
        (cut, cut + horizon * 86400)).fetchall()
    con.close()
    won = [rv.get(a, 0) for a, o in deals if o == "won"]
    lost = [rv.get(a, 0) for a, o in deals if o == "lost"]
    auc = sum((w > l) + 0.5 * (w == l) for w in won for l in lost) / (len(won) * len(lost))
    q = (f"cutoff=2025-07-01&window_days={window}&horizon_days={horizon}&outcome=win"
         "&resamples=400")
    api = ids_of(world["analyst"], "/api/v1/rv/indicator?" + q)
    assert api["outcome"] == "win"
    assert api["n"] == len(deals) and api["positives"] == len(won)
    assert abs(api["auc"] - auc) < 1e-9
    assert abs(api["y_mean"] - len(won) / len(deals)) < 1e-9
    lo, hi = api["auc_ci95"]
    assert lo <= api["auc"] <= hi
    assert lo > 0.5, api  # the planted effect is found
    assert api["deciles"][0]["win_rate"] > api["deciles"][-1]["win_rate"]
    close(api, cli_json(world, "indicator", "--cutoff", "2025-07-01", "--window", str(window),
                        "--horizon", str(horizon), "--outcome", "win", "--resamples", "400"))


def test_indicator_roles(world):
    q = "/api/v1/rv/indicator?cutoff=2025-07-01&window_days=365&horizon_days=364&outcome=margin"
    assert world["rep"].get(q).status_code == 403
    assert world["partner"].get(q).status_code == 403
    r = world["analyst"].get(q + "&resamples=50")
    assert r.status_code == 200, r.text
    assert -1 <= r.json()["rho"] <= 1 and r.json()["n"] > 0


# ---- the confidential comparison of units -------------------------------------------------------

def cells_by_unit(answer):
    out = {}
    for c in answer["cells"]:
        if c["stage"] == "all":
            out[c["unit"].get("id")] = c
    return out


def test_units_executive_sees_every_unit_suppressed_below_k(world):
    ans = ids_of(world["exec"], f"/api/v1/rv/units?as_of={AS_OF}&k=10")
    assert ans["k"] == 10 and ans["epsilon"] == 0
    cells = [c for c in ans["cells"] if c["unit"].get("id")]
    assert not any(c["own"] for c in cells)
    for c in cells:
        assert set(c) == {"unit", "stage", "own", "suppressed", "noised", "n", "mean", "p10",
                          "p25", "p50", "p75", "p90"}  # aggregates only, no contact
        if c["suppressed"]:
            assert c["n"] is None and c["p50"] is None
        else:
            assert c["n"] >= 10
    assert any(c["suppressed"] for c in ans["cells"]) and any(not c["suppressed"] for c in cells)


def test_units_partner_sees_itself_exactly_and_others_suppressed(world):
    k = 100000  # above any unit's size: every cell but the caller's own is suppressed
    mine = cells_by_unit(ids_of(world["partner"], f"/api/v1/rv/units?as_of={AS_OF}&k={k}"))
    exact = cells_by_unit(ids_of(world["admin"], f"/api/v1/rv/units?as_of={AS_OF}&k=1"))
    own = mine[world["partner_unit_id"]]
    assert own["own"] and not own["suppressed"]
    close({x: own[x] for x in ("n", "mean", "p50", "p90")},
          {x: exact[world["partner_unit_id"]][x] for x in ("n", "mean", "p50", "p90")})
    others = [c for u, c in mine.items() if u != world["partner_unit_id"]]
    assert others and all(c["suppressed"] and c["n"] is None for c in others)


def test_units_with_noise_state_epsilon_and_differ_from_exact(world):
    # exact figures are an exact role's (the partner's policy requires noise: k at least 10)
    exact = cells_by_unit(ids_of(world["admin"], f"/api/v1/rv/units?as_of={AS_OF}&k=10"))
    noisy = ids_of(world["partner"], f"/api/v1/rv/units?as_of={AS_OF}&k=10&epsilon=0.5")
    assert noisy["epsilon"] == 0.5 and noisy["k"] == 10 and noisy["epsilon_per_statistic"] > 0
    cells = cells_by_unit(noisy)
    shown = [u for u, c in cells.items() if c["noised"] and not c["suppressed"]]
    assert shown, "some unit is large enough to show through the noise"
    assert any(cells[u]["mean"] != exact[u]["mean"] for u in shown)
    assert not cells[world["partner_unit_id"]]["noised"]  # its own figures stay exact


# ---- incremental updates -------------------------------------------------------------------------

def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def a_team_contact(world, status="normal"):
    """A contact of the manager's team whose status against the team norm is `status` now."""
    ans = ids_of(world["mgr"], "/api/v1/contacts?limit=200")
    for c in ans["items"]:
        rv = world["admin"].get(f"/api/v1/rv/contacts/{c['id']}")
        if rv.status_code != 200:
            continue
        pos = rv.json()["positions"]
        if (pos and pos[0]["status"] == status and pos[0]["group"]["value"] == world["team"]
                and readable(world["rep"], c["id"])):
            return rv.json()
    raise AssertionError(f"no {status} contact in {world['team']}")


def test_interaction_and_void_update_rv_at_once(world):
    before = a_team_contact(world)
    cid = before["contact_id"]
    r = world["rep"].post("/api/v1/interactions", json={
        "contact_id": cid, "type_id": 1, "rv": 37, "occurred_at": now_iso()})
    assert r.status_code == 201, r.text
    after = ids_of(world["rep"], f"/api/v1/rv/contacts/{cid}")
    assert after["rv"] == before["rv"] + 37
    assert after["interactions"] == before["interactions"] + 1
    v = world["rep"].post(f"/api/v1/interactions/{r.json()['id']}/void", json={})
    assert v.status_code == 201, v.text
    voided = ids_of(world["rep"], f"/api/v1/rv/contacts/{cid}")
    assert voided["rv"] == before["rv"] and voided["excluded"] == before["excluded"] + 2


def test_new_contact_gets_rv(world):
    c = world["rep"].post("/api/v1/contacts", json={"first_name": "Nova", "last_name": "Quill"})
    assert c.status_code == 201, c.text
    cid = c.json()["id"]
    r = world["rep"].post("/api/v1/interactions", json={
        "contact_id": cid, "type_id": 1, "rv": 4, "occurred_at": now_iso()})
    assert r.status_code == 201, r.text
    rv = ids_of(world["rep"], f"/api/v1/rv/contacts/{cid}")
    assert rv["rv"] == 4 and rv["level"] >= 1 and rv["interactions"] == 1


# ---- the live stream -----------------------------------------------------------------------------

class Stream:
    """GET /api/v1/rv/stream read on a thread: events go into a queue as they arrive. A plain
    http.client connection, so that close() can shut the socket under the reading thread."""

    def __init__(self, client):
        self.events = queue.Queue()
        url = urllib.parse.urlsplit(client.base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.http.cookies)
        self.conn.request("GET", "/api/v1/rv/stream", headers={"Cookie": cookie,
                                                                "Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.read()
        assert self.resp.getheader("Content-Type").startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        name = None
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    return
                line = line.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.put((name, json.loads(line[6:]), time.monotonic()))
        except (OSError, ValueError, http.client.HTTPException):
            pass  # the socket was shut at the end of the test

    def next(self, timeout=5):
        return self.events.get(timeout=timeout)

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=5)
        self.conn.close()


def test_exception_reaches_the_manager_within_a_second(world):
    contact = a_team_contact(world)
    cid, band = contact["contact_id"], contact["positions"][0]
    mgr, partner = Stream(world["mgr"]), Stream(world["partner"])
    try:
        # a frontline rep of the manager's team logs a very large win
        rv = int(band["p90"] - contact["rv"]) + 1000
        t0 = time.monotonic()
        r = world["rep"].post("/api/v1/interactions", json={
            "contact_id": cid, "type_id": 1, "rv": rv, "occurred_at": now_iso()})
        assert r.status_code == 201, r.text
        name, ev, t1 = mgr.next()
        assert t1 - t0 < 1.0, f"the event took {t1 - t0:.3f} s"
        assert name == "exception"
        assert ev["contact_id"] == cid and ev["status"] == "ahead" and ev["change"] == "entered"
        assert ev["previous_status"] == "normal" and ev["interaction_id"] == r.json()["id"]
        assert ev["rv"] == contact["rv"] + rv and ev["rv"] > ev["p90"]
        assert ev["group"]["value"] == world["team"]

        # voiding it brings the contact back: the manager hears that it left the exception
        v = world["rep"].post(f"/api/v1/interactions/{r.json()['id']}/void", json={})
        assert v.status_code == 201, v.text
        name, ev, _ = mgr.next()
        assert ev["contact_id"] == cid and ev["change"] == "left" and ev["status"] == "normal"

        # the partner saw neither: its first event is about a contact of its own unit
        pc = next(c for c in ids_of(world["partner"], "/api/v1/contacts?limit=50")["items"]
                  if world["admin"].get(f"/api/v1/rv/contacts/{c['id']}").status_code == 200)
        pcv = ids_of(world["admin"], f"/api/v1/rv/contacts/{pc['id']}")
        big = int((pcv["positions"][0]["p90"] if pcv["positions"] else 0) - pcv["rv"]) + 5000
        r2 = world["admin"].post("/api/v1/interactions", json={
            "contact_id": pc["id"], "type_id": 1, "rv": big, "occurred_at": now_iso()})
        assert r2.status_code == 201, r2.text
        name, ev, _ = partner.next()
        assert ev["contact_id"] == pc["id"], "the partner received another unit's exception"
    finally:
        mgr.close()
        partner.close()
