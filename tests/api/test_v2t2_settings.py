"""V2T2 settings per unit (issue 14, docs/v2t2.md "Settings"): an administrator sets a unit's
thresholds through PUT /api/v1/v2t2/settings or `kith v2t2 settings --set` (audited); others are
refused; bad values are 422 naming the field; and the analyses judge each relationship by its own
unit's settings: a relationship of the unit whose threshold changed moves zone and discord as an
independent computation from the database's rows says, one of another unit does not, and the
answer says which thresholds were applied and where each came from.
"""
import json
import math
import os
import sqlite3
import statistics
import tempfile

import pytest

from conftest import Client, Server, add_user, http_session, json_close as close, kith

SETTINGS = ("value_customer", "value_rep", "value_manager", "value_unit", "value_enterprise",
            "volume", "period_days", "touch", "tech")
ZONES = {(True, False): "Q1", (True, True): "Q2", (False, True): "Q3", (False, False): "Q4"}
EXPECTS = {"Q1": (True, False), "Q2": (True, True), "Q3": (False, True), "Q4": (False, False)}
PARTNER_KINDS = ("partner", "distributor", "dealer")


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "400", "--seed", "5")
        con = sqlite3.connect(db)
        partner_unit = con.execute("SELECT id, name FROM units WHERE kind = 'distributor'"
                                   " ORDER BY id LIMIT 1").fetchone()
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "manager@example.com", "manager")
        add_user(db, "partner@example.com", "partner", unit=partner_unit[1])
        srv = Server(db)
        try:
            w = {"db": db, "srv": srv, "partner_unit": partner_unit}
            for role in ("admin", "manager", "partner"):
                w[role] = Client(srv.url, f"{role}@example.com")
            yield w
        finally:
            srv.stop()


def put(client, unit_id, body):
    return client.http.put(f"{client.base}/api/v1/v2t2/settings?unit=%23{unit_id}", json=body)


def get(client, path, status=200):
    r = client.get(path)
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def clean(world):
    """Every unit back on the defaults after the test."""
    yield
    for u in get(world["admin"], "/api/v1/v2t2/settings")["units"]:
        if any(s == "unit" for s in u["source"].values()):
            r = put(world["admin"], u["unit"]["id"], {k: None for k in SETTINGS})
            assert r.status_code == 200, r.text


# ---- an independent model of the rows ---------------------------------------------------------

class Model:
    """docs/v2t2.md's formulas for a relationship (an account), with any thresholds."""

    def __init__(self, db):
        con = sqlite3.connect(db)
        q = con.execute
        self.types = {i: (ph, t, k) for i, ph, t, k in
                      q("SELECT id, phase, touch, tech FROM interaction_types")}
        self.unit_kind = dict(q("SELECT id, kind FROM units"))
        self.users = {i: (team, unit) for i, team, unit in
                      q("SELECT id, team_id, unit_id FROM users")}
        self.contacts = {i: (acct, owner, team) for i, acct, owner, team in q(
            "SELECT c.id, c.account_id, coalesce(c.owner_id, a.owner_id),"
            " coalesce(c.team_id, a.team_id) FROM contacts c"
            " LEFT JOIN accounts a ON a.id = c.account_id")}
        self.account_unit = dict(q("SELECT id, unit_id FROM accounts"))
        self.contact_unit = dict(q("SELECT id, unit_id FROM contacts"))
        rows = list(q("SELECT id, contact_id, user_id, type_id, voids_id FROM interactions"))
        voided = {v for (_, _, _, _, v) in rows if v}
        self.interactions = [r for r in rows if r[0] not in voided and not r[4]]
        self.orders = list(q("SELECT id, account_id, ordered_at, amount FROM orders"
                             " WHERE amount >= 0 ORDER BY ordered_at, id"))
        con.close()

    def agent(self, contact, user):
        if not user:
            return "self_service"
        team, unit = self.users[user]
        if unit and self.unit_kind.get(unit) in PARTNER_KINDS:
            return "partner"
        _, owner, cteam = self.contacts[contact]
        if user == owner:
            return "rep"
        if team and team == cteam:
            return "team"
        return "unit"

    def cells(self, account):
        out = {}
        for _, contact, user, type_id, _ in self.interactions:
            if self.contacts[contact][0] != account:
                continue
            ph, touch, tech = self.types[type_id]
            c = out.setdefault((ph, self.agent(contact, user)), [0, 0.0, 0.0])
            c[0] += 1
            c[1] += touch
            c[2] += tech
        return out

    def ratio(self, account, period_days=30):
        secs = [o[2] // 1000 for o in self.orders]
        periods = max(1.0, (max(secs) - min(secs)) / (period_days * 86400))
        mine = [o for o in self.orders if o[1] == account]
        if not mine:
            return None, None
        earlier = [o[3] for o in mine[:-1]]
        base = statistics.median(earlier) if earlier else statistics.median(
            [o[3] for o in self.orders])
        return mine[-1][3] / base, len(mine) / periods

    def zone(self, account, value=1.0, volume=1.0, period_days=30):
        ratio, per = self.ratio(account, period_days)
        return None if ratio is None else ZONES[(ratio >= value, per >= volume)]

    def discord(self, account, zone, touch_th=0.5, tech_th=0.5):
        """The relationship's discord: the interaction-weighted mean of its cells'."""
        want_touch, want_tech = EXPECTS[zone]

        def move(v, t, want):
            if want:
                return 0.0 if v >= t else t - v
            return 0.0 if v < t else -(v - t)
        total_n, total = 0, 0.0
        for n, s, k in self.cells(account).values():
            total_n += n
            total += n * math.hypot(move(s / n, touch_th, want_touch),
                                    move(k / n, tech_th, want_tech))
        return total / total_n


@pytest.fixture(scope="module")
def model(world):
    return Model(world["db"])


def placed_by_unit(model):
    """{unit: [accounts with orders and interactions]} (the relationships with a zone)."""
    out = {}
    for acct in sorted({model.contacts[c][0] for (_, c, _, _, _) in model.interactions} - {None}):
        unit = model.account_unit.get(acct)
        if unit and model.zone(acct):
            out.setdefault(unit, []).append(acct)
    return out


# ---- reading and writing the settings ------------------------------------------------------------

def test_no_settings_is_the_defaults(world, model):
    got = get(world["admin"], "/api/v1/v2t2/settings")
    assert set(got["defaults"]) == set(SETTINGS)
    assert len(got["units"]) == len(model.unit_kind)
    for u in got["units"]:
        assert set(u["source"].values()) == {"default"}
        assert u["settings"] == {k: got["defaults"][k]["default"] for k in SETTINGS}
    # the analyses say where their thresholds came from: every one the default
    d = get(world["admin"], "/api/v1/v2t2/discord")
    assert d["thresholds"]["unit"] is None
    assert set(d["thresholds"]["source"].values()) == {"default"}
    assert d["thresholds_by_unit"] == []
    # the documented defaults (docs/v2t2.md)
    assert d["thresholds"]["value"]["customer"] == got["defaults"]["value_customer"]["default"]
    assert (d["thresholds"]["touch"], d["thresholds"]["tech"]) == (0.5, 0.5)
    # the CLI shows the same
    close(json.loads(kith(world["db"], "v2t2", "settings", "--json").stdout), got)


def test_admin_sets_audited_and_the_cli_agrees(world, clean):
    unit_id, unit_name = world["partner_unit"]
    r = put(world["admin"], unit_id, {"value_rep": 0.8, "touch": 0.65})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["unit"] == {"id": unit_id, "name": unit_name}
    assert got["settings"]["value_rep"] == 0.8 and got["settings"]["touch"] == 0.65
    assert got["source"]["value_rep"] == "unit" and got["source"]["tech"] == "default"
    assert got["updated_by"] == world["admin"].me["user"]["id"]
    close(get(world["admin"], f"/api/v1/v2t2/settings?unit=%23{unit_id}"), got)
    cli = json.loads(kith(world["db"], "v2t2", "settings", "--unit", unit_name, "--json").stdout)
    close(cli, got)
    # the command line changes one and leaves the other; null in the API goes back to default
    kith(world["db"], "v2t2", "settings", "--unit", f"#{unit_id}", "--set", "touch=0.7",
         "--set", "volume=3")
    after = get(world["admin"], f"/api/v1/v2t2/settings?unit=%23{unit_id}")
    assert (after["settings"]["touch"], after["settings"]["volume"]) == (0.7, 3)
    assert after["settings"]["value_rep"] == 0.8
    r = put(world["admin"], unit_id, {"value_rep": None})
    assert r.json()["source"]["value_rep"] == "default"
    audit = get(world["admin"], "/api/v1/audit?table=v2t2_settings")["items"]
    assert [a["record_id"] for a in audit[:3]] == [unit_id] * 3
    assert "value_rep 0.8 -> default (0.5)" in audit[0]["detail"]
    assert audit[1]["client_addr"] == "cli" and audit[1]["user_id"] is None
    assert "touch 0.65 -> 0.7" in audit[1]["detail"]
    assert audit[2]["user_id"] == world["admin"].me["user"]["id"]


def test_others_may_not_set_but_read(world, clean):
    unit_id = world["partner_unit"][0]
    for role in ("manager", "partner"):
        r = put(world[role], unit_id, {"touch": 0.9})
        assert r.status_code == 403, r.text
    assert all(set(u["source"].values()) == {"default"}
               for u in get(world["admin"], "/api/v1/v2t2/settings")["units"])
    # units are read by every role (docs/internals/access.md), and so are their settings: a
    # partner reads what the administrator reads; a unit that is not there is not found
    close(get(world["partner"], "/api/v1/v2t2/settings"),
          get(world["admin"], "/api/v1/v2t2/settings"))
    for role in ("manager", "partner"):
        assert world[role].get("/api/v1/v2t2/settings?unit=%23999999").status_code == 404
        assert world[role].get("/api/v1/v2t2/settings?unit=Nowhere").status_code == 404
    # signed out: no settings at all
    assert http_session().get(world["srv"].url + "/api/v1/v2t2/settings").status_code == 401


@pytest.mark.parametrize("body,field", [
    ({"touch": 1.5}, "touch"),
    ({"tech": -0.1}, "tech"),
    ({"period_days": 0}, "period_days"),
    ({"value_customer": 2e9}, "value_customer"),
    ({"volume": "many"}, "volume"),
    ({"value_rep": True}, "value_rep"),
    ({"touch": 0.6, "bogus": 1}, "bogus"),
])
def test_bad_values_are_422_naming_the_field(world, clean, body, field):
    unit_id = world["partner_unit"][0]
    r = put(world["admin"], unit_id, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field, r.text
    # nothing was written
    got = get(world["admin"], f"/api/v1/v2t2/settings?unit=%23{unit_id}")
    assert set(got["source"].values()) == {"default"}


def test_bad_requests(world):
    r = world["admin"].http.put(world["admin"].base + "/api/v1/v2t2/settings", json={"touch": 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "unit", r.text
    assert put(world["admin"], 999999, {"touch": 0.6}).status_code == 404
    r = put(world["admin"], world["partner_unit"][0], {})
    assert r.status_code == 422, r.text
    r = put(world["admin"], world["partner_unit"][0], [0.5])
    assert r.status_code == 422, r.text
    proc = kith(world["db"], "v2t2", "settings", "--unit", f"#{world['partner_unit'][0]}",
                "--set", "touch=7", check=False)
    assert proc.returncode == 2 and "touch" in proc.stderr


# ---- the analyses judge each relationship by its unit's settings -----------------------------------

def test_each_relationship_is_judged_by_its_units_thresholds(world, model, clean):
    units = placed_by_unit(model)
    a_unit, b_unit = sorted(units, key=lambda u: (-len(units[u]), u))[:2]
    a_accts, b_accts = units[a_unit], units[b_unit]
    # a threshold just past one of A's relationships' value ratio flips it
    a1 = a_accts[0]
    ratio, _ = model.ratio(a1)
    t = ratio * (1.01 if ratio >= 1 else 0.99)
    before = {acct: get(world["admin"], f"/api/v1/v2t2/discord?account={acct}")
              for acct in a_accts + b_accts}
    for acct, got in before.items():
        assert got["zone"]["zone"] == model.zone(acct)
        assert got["thresholds"]["unit"] is None
    r = put(world["admin"], a_unit, {"value_customer": t, "touch": 0.8})
    assert r.status_code == 200, r.text
    moved = 0
    for acct in a_accts + b_accts:
        got = get(world["admin"], f"/api/v1/v2t2/discord?account={acct}")
        th = got["thresholds"]
        if acct in a_accts:
            zone = model.zone(acct, value=t)
            assert th["unit"]["id"] == a_unit
            assert th["source"]["value_customer"] == "unit" and th["source"]["touch"] == "unit"
            assert th["source"]["tech"] == "default"
            assert math.isclose(th["value"]["customer"], t, rel_tol=1e-12)
            assert th["touch"] == 0.8
            want = model.discord(acct, zone, touch_th=0.8)
            moved += zone != before[acct]["zone"]["zone"]
            # each delivered tone is named by the unit's touch threshold (tone n is zone n's)
            for ph in got["phases"]:
                for c in ph["agents"]:
                    if c["interactions"]:
                        assert c["frame"] == ZONES[(c["touch"] >= 0.8, c["tech"] >= 0.5)]
        else:
            zone = model.zone(acct)
            assert th["unit"] is None and set(th["source"].values()) == {"default"}
            want = model.discord(acct, zone)
            close(got, before[acct])  # another unit's relationship is as it was
        assert got["zone"]["zone"] == zone
        assert math.isclose(got["zone"]["value_threshold"], th["value"]["customer"], rel_tol=1e-12)
        assert math.isclose(got["discord"], want, abs_tol=1e-6)
    assert moved >= 1  # a1 changed zone
    # the pooled answer lists the unit's thresholds with the relationships it judged
    pooled = get(world["admin"], "/api/v1/v2t2/discord?limit=100")
    by_unit = {x["unit"]["id"]: x for x in pooled["thresholds_by_unit"]}
    assert list(by_unit) == [a_unit]
    # relationships with interactions: accounts of the unit, and contacts of the unit without one
    judged = {model.contacts[c][0] or ("contact", c) for (_, c, _, _, _) in model.interactions}
    assert by_unit[a_unit]["relationships"] == sum(
        1 for r in judged
        if (model.contact_unit[r[1]] if isinstance(r, tuple) else model.account_unit.get(r))
        == a_unit)
    assert pooled["thresholds"]["unit"] is None
    for top in pooled["top"]:
        acct = top["relationship"]["id"]
        assert top["thresholds_unit_id"] == (a_unit if model.account_unit.get(acct) == a_unit
                                             else None)
    # the command line computes the same
    close(json.loads(kith(world["db"], "v2t2", "discord", "--account", str(a1), "--json").stdout),
          get(world["admin"], f"/api/v1/v2t2/discord?account={a1}"))
    # a what-if override wins over the unit's setting, and says so
    got = get(world["admin"], f"/api/v1/v2t2/discord?account={a1}&value_customer=1")
    assert got["thresholds"]["source"]["value_customer"] == "override"
    assert got["thresholds"]["source"]["touch"] == "unit"
    assert got["zone"]["zone"] == model.zone(a1)


def test_zones_use_the_subjects_unit(world, model, clean):
    con = sqlite3.connect(world["db"])
    # an order handled by a unit: its rep's unit (else its account's)
    order, unit = con.execute(
        "SELECT o.id, coalesce(r.unit_id, a.unit_id) FROM orders o"
        " JOIN accounts a ON a.id = o.account_id LEFT JOIN contacts c ON c.id = o.contact_id"
        " LEFT JOIN users r ON r.id = coalesce(o.user_id, c.owner_id, a.owner_id)"
        " WHERE o.amount > 0 AND coalesce(r.unit_id, a.unit_id) IS NOT NULL"
        " ORDER BY o.id LIMIT 1").fetchone()
    con.close()
    before = get(world["admin"], f"/api/v1/v2t2/zones?order={order}")
    rep = next(p for p in before["places"] if p["pov"] == "rep")
    # a rep threshold just above the rep's value ratio makes the rep's value low
    t = rep["value_ratio"] * 1.01
    assert put(world["admin"], unit, {"value_rep": t, "period_days": 60}).status_code == 200
    got = get(world["admin"], f"/api/v1/v2t2/zones?order={order}")
    assert got["thresholds"]["unit"]["id"] == unit
    assert got["thresholds"]["source"]["value_rep"] == "unit"
    assert got["thresholds"]["period_days"] == 60
    after = next(p for p in got["places"] if p["pov"] == "rep")
    assert math.isclose(after["value_threshold"], t, rel_tol=1e-12) and after["value"] == "low"
    # periods are counted in the unit's period: half as many as in 30 days (when more than one)
    if before["subject"]["periods"] >= 2:
        assert math.isclose(got["subject"]["periods"], before["subject"]["periods"] / 2,
                            rel_tol=1e-9)
        assert math.isclose(after["per_period"], rep["per_period"] * 2, rel_tol=1e-9)
