"""V2T2 (issue 14): GET /api/v1/v2t2/{zones,tones,discord,scenario} against `kith v2t2 ... --json`
(CLI/API parity) over a small demo database; the zones, tones and discord of a relationship
against an independent computation from the database's rows (docs/v2t2.md's formulas, written
again here in Python); the new-car scenario against its data file; and scoping: a partner sees
its own relationships only, and others' subjects are not found.
"""
import json
import math
import os
import sqlite3
import statistics
import tempfile

import pytest

from conftest import Client, Server, add_user, json_close as close, kith

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join(ROOT, "data", "v2t2", "new-car.json")
PHASES = ("acquisition", "closing", "retention")
AGENTS = ("rep", "team", "unit", "partner", "self_service")
PARTNER_KINDS = ("partner", "distributor", "dealer")


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "600", "--seed", "11")
        con = sqlite3.connect(db)
        partner_unit = con.execute("SELECT id, name FROM units WHERE kind = 'distributor'"
                                   " ORDER BY id LIMIT 1").fetchone()
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "partner@example.com", "partner", unit=partner_unit[1])
        srv = Server(db)
        try:
            w = {"db": db, "srv": srv, "partner_unit": partner_unit}
            for role in ("admin", "partner"):
                w[role] = Client(srv.url, f"{role}@example.com")
            yield w
        finally:
            srv.stop()


def cli(w, *args):
    return json.loads(kith(w["db"], "v2t2", *args, "--json").stdout)


def api(client, path, status=200):
    r = client.get(path)
    assert r.status_code == status, r.text
    return r.json()


# ---- an independent model of the database ----------------------------------------------------

class Model:
    """The rows V2T2 reads, and docs/v2t2.md's formulas over them."""

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
        rows = list(q("SELECT id, contact_id, user_id, type_id, voids_id FROM interactions"))
        voided = {v for (_, _, _, _, v) in rows if v}
        self.interactions = [r for r in rows if r[0] not in voided and not r[4]]
        self.orders = list(q("SELECT id, account_id, ordered_at, amount FROM orders"
                             " ORDER BY ordered_at, id"))
        self.account_name = dict(q("SELECT id, name FROM accounts"))
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
        """{(phase, agent): [n, touch sum, tech sum]} of the account's interactions."""
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

    def zone(self, account, value=1.0, volume=1.0, period_days=30):
        """The customer's zone: its latest order against the median of its earlier ones."""
        secs = [o[2] // 1000 for o in self.orders]
        periods = max(1.0, (max(secs) - min(secs)) / (period_days * 86400))
        mine = [o for o in self.orders if o[1] == account]
        if not mine:
            return None
        earlier = [o[3] for o in mine[:-1]]
        base = statistics.median(earlier) if earlier else statistics.median(
            [o[3] for o in self.orders])
        ratio = mine[-1][3] / base
        per = len(mine) / periods
        hv, hn = ratio >= value, per >= volume
        z = {(True, False): "Q1", (True, True): "Q2", (False, True): "Q3", (False, False): "Q4"}
        return {"zone": z[(hv, hn)], "ratio": ratio, "per_period": per,
                "amount": mine[-1][3] / 100, "baseline": base / 100}


EXPECTS = {"Q1": (True, False), "Q2": (True, True), "Q3": (False, True), "Q4": (False, False)}


def discord(zone, touch, tech, th=0.5):
    """Signed changes to reach the expected side of each threshold, and their norm."""
    want_touch, want_tech = EXPECTS[zone]

    def move(v, want):
        if want:
            return 0.0 if v >= th else th - v
        return 0.0 if v < th else -(v - th)
    dt, dk = move(touch, want_touch), move(tech, want_tech)
    return math.hypot(dt, dk), dt, dk


@pytest.fixture(scope="module")
def model(world):
    return Model(world["db"])


def busiest_account(model):
    counts = {}
    for _, contact, _, _, _ in model.interactions:
        acct = model.contacts[contact][0]
        if acct and any(o[1] == acct for o in model.orders):
            counts[acct] = counts.get(acct, 0) + 1
    return max(counts, key=lambda a: (counts[a], -a))


# ---- the scenario ----------------------------------------------------------------------------

def test_new_car_scenario_places_every_party(world):
    got = cli(world, "scenario", "new-car")
    data = json.load(open(SCENARIO))
    car, market = got["subjects"]
    zones = {p["pov"]: p["zone"] for p in car["places"]}
    assert zones == {"customer": "Q1", "rep": "Q2", "manager": "Q3", "enterprise": "Q4"}
    assert [p["zone"] for p in market["places"]] == ["Q2"]
    assert market["places"][0]["pov"] == "enterprise"
    # each number is the data file's, and the zone follows from it and the file's thresholds
    for subj, want in zip(got["subjects"], data["subjects"]):
        assert subj["subject"]["amount"] == want["amount"]
        for p, w in zip(subj["places"], want["places"]):
            ratio = want["amount"] / w["baseline"]
            hv = ratio >= data["value_thresholds"][w["pov"]]
            hn = w["per_period"] >= data["volume_threshold"]
            assert p["party"]["name"] == w["party"]
            assert math.isclose(p["value_ratio"], ratio, rel_tol=1e-12)
            assert p["baseline"] == w["baseline"] and p["per_period"] == w["per_period"]
            assert (p["value"], p["volume"]) == ("high" if hv else "low", "high" if hn else "low")
    assert got["customer_zone"] == "Q1"
    for t, w in zip(got["tones"], data["tones"]):
        dist, dt, dk = discord("Q1", w["touch"], w["tech"], data["tone_thresholds"]["touch"])
        assert math.isclose(t["discord"], dist, abs_tol=1e-12)
        assert math.isclose(t["change"]["touch"], dt, abs_tol=1e-12)
        assert t["agent"] == w["agent"] and t["phase"] == w["phase"]
        assert w["phase"] in t["recommendation"]
    # the salesperson's tone is too technical for a Q1 customer; the manufacturer too distant
    by = {t["party"]: t for t in got["tones"]}
    assert by["the salesperson"]["change"]["tech"] < 0
    assert by["the manufacturer"]["recommendation"].startswith("more human contact")
    # the API answers the same
    close(api(world["partner"], "/api/v1/v2t2/scenario?name=new-car"), got)


def test_unknown_scenario_is_refused(world):
    r = world["admin"].get("/api/v1/v2t2/scenario?name=bicycle")
    assert r.status_code in (400, 404) and "bicycle" in r.text
    proc = kith(world["db"], "v2t2", "scenario", "bicycle", check=False)
    assert proc.returncode != 0 and "bicycle" in proc.stderr


# ---- CLI / API parity --------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("zones", "--order", "5"),
    ("zones", "--unit", "#2", "--value-unit", "0.2"),
    ("tones",),
    ("discord", "--limit", "7", "--phase", "closing"),
    ("discord", "--from", "2025-01-01", "--to", "2026-01-01"),
])
def test_api_matches_cli(world, args):
    query = []
    i = 1
    while i < len(args):
        query.append(f"{args[i][2:].replace('-', '_')}={args[i + 1].replace('#', '%23')}")
        i += 2
    got = api(world["admin"], f"/api/v1/v2t2/{args[0]}?{'&'.join(query)}")
    close(got, cli(world, *args))
    assert got["analysis"] == args[0]


def test_relationship_matches_cli(world, model):
    acct = busiest_account(model)
    for a in ("tones", "discord", "zones"):
        got = api(world["admin"], f"/api/v1/v2t2/{a}?account={acct}")
        close(got, cli(world, a, "--account", str(acct)))


# ---- independent computations -------------------------------------------------------------------

def test_relationship_tones_and_discord_by_hand(world, model):
    acct = busiest_account(model)
    got = api(world["admin"], f"/api/v1/v2t2/discord?account={acct}")
    assert got["relationship"] == {"kind": "account", "id": acct,
                                   "name": model.account_name[acct]}
    zone = model.zone(acct)
    assert got["zone"]["zone"] == zone["zone"]
    assert math.isclose(got["zone"]["value_ratio"], zone["ratio"], rel_tol=1e-9)
    assert math.isclose(got["zone"]["per_period"], zone["per_period"], rel_tol=1e-9)
    cells = model.cells(acct)
    seen = 0
    total_n, total_d = 0, 0.0
    for ph in got["phases"]:
        for c in ph["agents"]:
            want = cells.get((ph["phase"], c["agent"]))
            if not want:
                assert c["interactions"] == 0
                continue
            n, touch, tech = want[0], want[1] / want[0], want[2] / want[0]
            assert c["interactions"] == n
            assert math.isclose(c["touch"], touch, abs_tol=1e-6)
            assert math.isclose(c["tech"], tech, abs_tol=1e-6)
            dist, _, _ = discord(zone["zone"], touch, tech)
            assert math.isclose(c["discord"], dist, abs_tol=1e-6)
            total_n += n
            total_d += n * dist
            seen += 1
    assert seen == len(cells) and seen >= 2
    assert math.isclose(got["discord"], total_d / total_n, abs_tol=1e-6)


def test_order_zones_by_hand(world, model):
    order = model.orders[len(model.orders) // 2]
    got = api(world["admin"], f"/api/v1/v2t2/zones?order={order[0]}")
    places = {p["pov"]: p for p in got["places"]}
    secs = [o[2] for o in model.orders]
    periods = max(1.0, (max(secs) - min(secs)) / (30 * 86400000))
    mine = [o for o in model.orders if o[1] == order[1]]
    others = [o[3] for o in mine if o[0] != order[0]]
    base = statistics.median(others) if others else statistics.median(o[3] for o in model.orders)
    c = places["customer"]
    assert c["party"]["id"] == order[1]
    assert math.isclose(c["baseline"], base / 100, rel_tol=1e-9)
    assert math.isclose(c["per_period"], len(mine) / periods, rel_tol=1e-9)
    e = places["enterprise"]
    total = sum(o[3] for o in model.orders) / periods
    assert math.isclose(e["baseline"], total / 100, rel_tol=1e-9)
    assert math.isclose(e["value_ratio"], order[3] / total, rel_tol=1e-9)
    for p in got["places"]:
        want = {(True, False): "Q1", (True, True): "Q2", (False, True): "Q3",
                (False, False): "Q4"}[(p["value_ratio"] >= p["value_threshold"],
                                       p["per_period"] >= p["volume_threshold"])]
        assert p["zone"] == want


def test_discord_heatmap_adds_up(world, model):
    got = api(world["admin"], "/api/v1/v2t2/discord?limit=100")
    assert len(got["heatmap"]) == len(PHASES) * len(AGENTS)
    # every relationship with orders and interactions is placed
    accts = {model.contacts[c][0] for (_, c, _, _, _) in model.interactions}
    placed = {a for a in accts if a and model.zone(a)}
    assert got["placed"] == len(placed)
    ranks = [t["discord"] for t in got["top"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > 0
    for t in got["top"][:3]:
        acct = t["relationship"]["id"]
        cells = model.cells(acct)
        zone = model.zone(acct)["zone"]
        num = sum(n * discord(zone, s / n, k / n)[0] for n, s, k in cells.values())
        assert math.isclose(t["discord"], num / sum(c[0] for c in cells.values()), abs_tol=1e-6)
        assert t["worst"]["recommendation"].endswith(" in " + t["worst"]["phase"])


# ---- scope ---------------------------------------------------------------------------------------

def test_partner_sees_its_own_relationships(world, model):
    everyone = api(world["admin"], "/api/v1/v2t2/discord?limit=100")
    mine = api(world["partner"], "/api/v1/v2t2/discord?limit=100")
    assert 0 < mine["relationships"] < everyone["relationships"]
    for t in mine["top"]:
        assert world["partner"].get(f"/api/v1/accounts/{t['relationship']['id']}").status_code \
            == 200
    # a relationship outside the partner's scope is not found, in every analysis
    outside = next(t["relationship"]["id"] for t in everyone["top"]
                   if world["partner"].get(f"/api/v1/accounts/{t['relationship']['id']}")
                   .status_code == 404)
    for a in ("tones", "discord", "zones"):
        r = world["partner"].get(f"/api/v1/v2t2/{a}?account={outside}")
        assert r.status_code == 404, (a, r.text)
    # another unit's market is not found; its own is answered
    other = next(u for u, k in model.unit_kind.items() if u != world["partner_unit"][0])
    assert world["partner"].get(f"/api/v1/v2t2/zones?unit=%23{other}").status_code == 404
    own = api(world["partner"], f"/api/v1/v2t2/zones?unit=%23{world['partner_unit'][0]}")
    assert own["places"][0]["party"]["id"] == world["partner_unit"][0]


def test_partner_pooled_tones_count_only_its_contacts(world, model):
    mine = api(world["partner"], "/api/v1/v2t2/tones")
    # the partner's contacts, as the contacts API lists them
    ids, cursor = set(), None
    while True:
        q = "/api/v1/contacts?limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = api(world["partner"], q)
        ids |= {c["id"] for c in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            break
    n = sum(1 for (_, c, _, _, _) in model.interactions if c in ids)
    got = sum(a["interactions"] for ph in mine["phases"] for a in ph["agents"])
    assert got == n and n > 0


def test_bad_parameters_name_the_field(world):
    r = world["admin"].get("/api/v1/v2t2/zones")
    assert r.status_code == 400 and r.json()["error"]["field"] == "order"
    r = world["admin"].get("/api/v1/v2t2/discord?touch=2")
    assert r.status_code == 400 and r.json()["error"]["field"] == "touch"
    r = world["admin"].get("/api/v1/v2t2/zones?order=999999")
    assert r.status_code == 404


def test_deal_zones(world):
    """Deals are placed among deals: the customer's baseline is the median of its other deals."""
    a = world["admin"]
    stages = a.get("/api/v1/deal-stages", params={"sort": "position"}).json()["items"]
    open_stage = next(s for s in stages if s["kind"] == "open")
    acc = a.post("/api/v1/accounts", json={"name": "V2T2 Deal Buyer"})
    assert acc.status_code == 201, acc.text
    ids = []
    for amount in ("100", "200", "900"):
        r = a.post("/api/v1/deals", json={"account_id": acc.json()["id"], "stage_id": open_stage["id"],
                                          "amount": amount, "currency": "USD"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    got = api(a, f"/api/v1/v2t2/zones?deal={ids[-1]}")
    close(got, cli(world, "zones", "--deal", str(ids[-1])))
    assert got["subject"]["kind"] == "deal" and got["subject"]["subjects"] >= 3
    customer = got["places"][0]
    assert customer["pov"] == "customer" and customer["party"]["name"] == "V2T2 Deal Buyer"
    assert customer["baseline"] == 150 and math.isclose(customer["value_ratio"], 6.0)
    assert customer["value"] == "high"
    # a lost deal is no subject
    lost = next(s for s in stages if s["kind"] == "lost")
    r = a.patch(f"/api/v1/deals/{ids[0]}", json={"stage_id": lost["id"], "loss_reason": "price"})
    assert r.status_code == 200, r.text
    assert a.get(f"/api/v1/v2t2/zones?deal={ids[0]}").status_code == 404
    again = api(a, f"/api/v1/v2t2/zones?deal={ids[-1]}")
    assert again["places"][0]["baseline"] == 200
