"""Deal analyses (issue 12 item 3, first slice): GET /api/v1/deal-stats/winrate and /pipeline
against `kith deals winrate|pipeline --json` (CLI/API parity) and against an independent
computation from `kith export deals --format jsonl`; a frontline user's figures count only the
deals they may read; bad parameters are a 400 naming the field.
"""
import json
import math
from decimal import Decimal

import pytest

from conftest import Client, add_user, kith
from module_server import module_server

Z = 1.959963984540054


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


class World:
    pass


@pytest.fixture(scope="module")
def world():
    with module_server() as srv:
        w = World()
        w.srv = srv
        a = Client(srv.url, "admin@example.com")
        w.admin = a
        u1 = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
        u2 = created(a.post("/api/v1/units", json={"name": "South", "kind": "business_unit"}))
        t1 = created(a.post("/api/v1/teams", json={"name": "North AM", "kind": "closing",
                                                   "unit_id": u1["id"]}))
        t2 = created(a.post("/api/v1/teams", json={"name": "South AM", "kind": "closing",
                                                   "unit_id": u2["id"]}))
        for email, unit, team in (("f1@example.com", "North", "North AM"),
                                  ("g1@example.com", "North", "North AM"),
                                  ("f2@example.com", "South", "South AM")):
            add_user(srv.db, email, "frontline", unit, team)
        w.f1 = Client(srv.url, "f1@example.com")
        g1 = Client(srv.url, "g1@example.com")
        f2 = Client(srv.url, "f2@example.com")
        stages = ok(a.get("/api/v1/deal-stages", params={"sort": "position"}))["items"]
        st = {s["name"]: s["id"] for s in stages}
        prod = [created(a.post("/api/v1/products", json={"sku": sku, "name": sku, "price": "10"}))
                for sku in ("P-A", "P-B")]
        plan = [  # who, stage, amount, probability, closed_at, source
            (w.f1, "Won", "1000", None, "2026-01-10T00:00:00Z", "web"),
            (w.f1, "Won", "250.50", None, "2026-02-10T00:00:00Z", "web"),
            (w.f1, "Lost", "400", None, "2026-02-20T00:00:00Z", "referral"),
            (w.f1, "Proposal", "2000", None, None, "web"),
            (w.f1, "Closing", "3000", 0.9, None, None),
            (g1, "Lost", "100", None, "2026-01-05T00:00:00Z", None),
            (g1, "Engaging", "700", None, None, "referral"),
            (f2, "Won", "5000", None, "2026-03-01T00:00:00Z", "web"),
            (f2, "Lost", "50", None, "2026-03-02T00:00:00Z", "web"),
            (f2, "Lost", "60", None, "2026-01-02T00:00:00Z", None),
            (f2, "Prospecting", "123.45", None, None, None),
        ]
        for who, stage, amount, prob, closed, source in plan:
            acc = created(who.post("/api/v1/accounts", json={"name": f"Acct {len(plan)} {amount}"
                                                             f" {stage} {id(who)}"}))
            body = {"account_id": acc["id"], "stage_id": st[stage], "amount": amount,
                    "currency": "USD", "team_id": (t2 if who is f2 else t1)["id"]}
            if prob is not None:
                body["probability"] = prob
            if closed:
                body["closed_at"] = closed
            if source:
                body["source"] = source
            d = created(who.post("/api/v1/deals", json=body))
            created(a.post("/api/v1/deal-lines", json={"deal_id": d["id"],
                                                       "product_id": prod[0]["id"],
                                                       "quantity": 1, "amount": amount}))
        yield w


def export_deals(db):
    out = kith(db, "export", "--format", "jsonl", "deals").stdout
    return [json.loads(l) for l in out.splitlines() if l]


def cli(db, *args):
    return json.loads(kith(db, "deals", *args, "--json").stdout)


def cents(text):
    return int((Decimal(text) * 100).to_integral_value())


def wilson(k, n):
    p = k / n
    c = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    h = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


def expected_winrate(deals, key, frm=None, to=None):
    groups = {}
    for d in deals:
        if d["outcome"] not in ("won", "lost"):
            continue
        if (frm or to) and not d["closed_at"]:
            continue
        if frm and d["closed_at"] < frm or to and d["closed_at"] >= to:
            continue
        g = groups.setdefault(d[key], {"won": 0, "lost": 0, "won_amount": 0})
        g[d["outcome"]] += 1
        if d["outcome"] == "won":
            g["won_amount"] += cents(d["amount"] or "0")
    return groups


def expected_pipeline(deals, key):
    groups = {}
    for d in deals:
        if d["outcome"] != "open":
            continue
        g = groups.setdefault(d[key], {"count": 0, "amount": 0, "weighted": 0.0})
        g["count"] += 1
        g["amount"] += cents(d["amount"] or "0")
        g["weighted"] += cents(d["amount"] or "0") * d["probability"]
    return groups


def group_id(g):
    return g["key"]["id"] if g["key"]["id"] is not None else g["key"]["name"]


def check_winrate(answer, expected):
    got = {group_id(g): g for g in answer["groups"]}
    assert set(got) == set(expected)
    for k, e in expected.items():
        g = got[k]
        assert (g["won"], g["lost"], g["closed"]) == (e["won"], e["lost"], e["won"] + e["lost"])
        assert g["win_rate"] == pytest.approx(e["won"] / (e["won"] + e["lost"]))
        lo, hi = wilson(e["won"], e["won"] + e["lost"])
        assert g["interval_low"] == pytest.approx(lo) and g["interval_high"] == pytest.approx(hi)
        assert cents(g["won_amount"]) == e["won_amount"]


def check_pipeline(answer, expected):
    got = {group_id(g): g for g in answer["groups"]}
    assert set(got) == set(expected)
    for k, e in expected.items():
        g = got[k]
        assert g["count"] == e["count"] and cents(g["amount"]) == e["amount"]
        assert abs(cents(g["weighted_amount"]) - e["weighted"]) <= 1
        assert sum(s["count"] for s in g["stages"]) == e["count"]


def test_winrate_matches_cli_and_export(world):
    deals = export_deals(world.srv.db)
    for by, key in (("owner", "owner_id"), ("team", "team_id")):
        api = ok(world.admin.get("/api/v1/deal-stats/winrate", params={"by": by}))
        assert api == cli(world.srv.db, "winrate", "--by", by)
        check_winrate(api, expected_winrate(deals, key))
        assert api["total"]["won"] == sum(d["outcome"] == "won" for d in deals)
        assert api["total"]["lost"] == sum(d["outcome"] == "lost" for d in deals)


def test_winrate_window_is_half_open(world):
    deals = export_deals(world.srv.db)
    frm, to = "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"
    api = ok(world.admin.get("/api/v1/deal-stats/winrate",
                             params={"by": "owner", "from": frm, "to": to}))
    assert api == cli(world.srv.db, "winrate", "--by", "owner", "--from", frm, "--to", to)
    closed = [d for d in deals if d["closed_at"]]
    assert closed and all(d["closed_at"].endswith("Z") for d in closed)
    norm = [dict(d, closed_at=d["closed_at"] and d["closed_at"].replace("Z", "")[:19]) for d in deals]
    check_winrate(api, expected_winrate(norm, "owner_id", frm[:19], to[:19]))
    assert api["total"]["won"] == 1 and api["total"]["lost"] == 1  # 5000 on Mar 1 is out


def test_pipeline_matches_cli_and_export(world):
    deals = export_deals(world.srv.db)
    for by, key in (("owner", "owner_id"), ("team", "team_id"), ("unit", "unit_id")):
        api = ok(world.admin.get("/api/v1/deal-stats/pipeline", params={"by": by}))
        assert api == cli(world.srv.db, "pipeline", "--by", by)
        check_pipeline(api, expected_pipeline(deals, key))
    total = ok(world.admin.get("/api/v1/deal-stats/pipeline"))["total"]
    assert total["count"] == sum(d["outcome"] == "open" for d in deals)


def test_other_groupings_agree_with_the_cli(world):
    for analysis in ("winrate", "pipeline"):
        for by in ("source", "product", "stage"):
            api = ok(world.admin.get(f"/api/v1/deal-stats/{analysis}", params={"by": by}))
            assert api == cli(world.srv.db, analysis, "--by", by)
            assert api["by"] == by
    src = ok(world.admin.get("/api/v1/deal-stats/winrate", params={"by": "source"}))
    names = [g["key"]["name"] for g in src["groups"]]
    assert names == ["referral", "web", None]  # by name, none last


def test_frontline_sees_only_their_teams_deals(world):
    # a frontline user reads their unit's deals (docs/api.md, access); North has one team
    deals = export_deals(world.srv.db)
    me = world.f1.me["user"]
    team = me["team_id"]
    assert team
    listed = ok(world.f1.get("/api/v1/deals", params={"limit": 500}))["items"]
    visible = {d["id"] for d in listed}
    mine = [d for d in deals if d["id"] in visible]
    assert mine and all(d["team_id"] == team and d["unit_id"] == me["unit_id"] for d in mine)
    assert any(d["team_id"] != team for d in deals)
    api = ok(world.f1.get("/api/v1/deal-stats/winrate", params={"by": "team"}))
    check_winrate(api, expected_winrate(mine, "team_id"))
    assert [g["key"]["id"] for g in api["groups"]] == [team]
    pipe = ok(world.f1.get("/api/v1/deal-stats/pipeline", params={"by": "owner"}))
    check_pipeline(pipe, expected_pipeline(mine, "owner_id"))


def test_bad_parameters_name_the_field(world):
    for path, params, field in (
            ("winrate", {"by": "colour"}, "by"),
            ("winrate", {"from": "yesterday-ish"}, "from"),
            ("winrate", {"from": "2026-03-01", "to": "2026-02-01"}, "to"),
            ("pipeline", {"from": "2026-03-01"}, "from"),  # pipeline takes no window
            ("pipeline", {"limit": "3"}, "limit")):
        r = world.admin.get(f"/api/v1/deal-stats/{path}", params=params)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["field"] == field, r.text
    bad = kith(world.srv.db, "deals", "winrate", "--by", "colour", check=False)
    assert bad.returncode == 2 and "--by" in bad.stderr


# ---- manager roll-up, period, conversion, forecast, quota (issue 12 item 3) ------------------
#
# A generated organisation: a VP over two managers over reps, a pair of users who manage each
# other (a cycle), a rep in another unit; ~240 deals imported with `kith import deals` (creation,
# expected and actual close dates), each given a stage history written straight into the
# database (the API records moves at the server's clock only); quotas set through
# /api/v1/quotas. Every figure is recomputed below from what the API lists (deals, stage
# changes, users, quotas, stages), never from the analysis' own answer.

import csv
import os
import random
import sqlite3
import statistics
from datetime import datetime, timezone

DAY = 86400000


def ms(text):
    if text is None:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def iso(t):
    return datetime.fromtimestamp(t / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def list_all(client, path, **params):
    items, cursor = [], None
    while True:
        q = dict(params, limit=500)
        if cursor:
            q["cursor"] = cursor
        page = ok(client.get(path, params=q))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


class Org:
    pass


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    rng = random.Random(12)
    with module_server() as srv:
        o = Org()
        o.srv = srv
        a = Client(srv.url, "admin@example.com")
        o.admin = a
        unit = created(a.post("/api/v1/units", json={"name": "Org", "kind": "business_unit"}))
        other = created(a.post("/api/v1/units", json={"name": "Far", "kind": "business_unit"}))
        team = created(a.post("/api/v1/teams", json={"name": "Org AM", "kind": "closing",
                                                    "unit_id": unit["id"]}))
        people = [("vp", "manager", "Org"), ("m1", "manager", "Org"), ("m2", "manager", "Org"),
                  ("r1", "frontline", "Org"), ("r2", "frontline", "Org"),
                  ("r3", "frontline", "Org"), ("r4", "frontline", "Org"),
                  ("r5", "frontline", "Org"), ("c1", "frontline", "Org"),
                  ("c2", "frontline", "Org"), ("far", "frontline", "Far")]
        for name, role, u in people:
            add_user(srv.db, f"{name}@example.com", role, u, "Org AM" if u == "Org" else None)
        users = {u["email"].split("@")[0]: u for u in list_all(a, "/api/v1/users")}
        chain = {"m1": "vp", "m2": "vp", "r1": "m1", "r2": "m1", "r3": "m2", "r4": "m2",
                 "r5": "r4", "c1": "c2", "c2": "c1", "far": "vp"}
        for who, boss in chain.items():
            ok(a.patch(f"/api/v1/users/{users[who]['id']}",
                       json={"manager_id": users[boss]["id"]}))
        o.users = users
        o.manager = Client(srv.url, "m2@example.com")
        o.rep = Client(srv.url, "r1@example.com")
        o.far = Client(srv.url, "far@example.com")
        accounts = [created(a.post("/api/v1/accounts",
                                   json={"name": f"Acct {i}", "unit_id": unit["id"]}))
                    for i in range(6)]
        far_acct = created(a.post("/api/v1/accounts", json={"name": "Far acct",
                                                            "unit_id": other["id"]}))
        stages = ok(a.get("/api/v1/deal-stages", params={"sort": "position"}))["items"]
        opens = [s for s in stages if s["kind"] == "open"]
        won = next(s for s in stages if s["kind"] == "won")
        lost = next(s for s in stages if s["kind"] == "lost")
        owners = [n for n in users if n not in ("admin",)] + [None]
        path = tmp_path_factory.mktemp("deals") / "deals.csv"
        histories = []
        base = ms("2026-01-01T00:00:00Z")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["external_id", "created_at", "account_id", "owner_id", "stage_id",
                        "amount", "currency", "probability", "expected_close_at", "closed_at",
                        "source", "unit_id", "team_id"])
            for i in range(240):
                owner = rng.choice(owners)
                far = owner == "far"
                created_at = base + rng.randrange(0, 300) * DAY + rng.randrange(DAY)
                path_len = rng.randrange(1, len(opens) + 1)
                start = rng.randrange(0, len(opens) - path_len + 1)
                hist = [s for s in opens[start:start + path_len]]
                if rng.random() < 0.3 and len(hist) > 1:  # a step back, and forward again
                    hist += [hist[-2], hist[-1]] if rng.random() < 0.5 else [hist[-2]]
                end = rng.random()
                final = won if end < 0.35 else lost if end < 0.65 else None
                if final:
                    hist.append(final)
                t, times = created_at, []
                for _ in hist:
                    times.append(t)
                    t += rng.randrange(DAY // 2, 40 * DAY)
                closed = times[-1] if final else None
                if final and rng.random() < 0.05:
                    closed = created_at - DAY  # closed before created: not a cycle
                    times[-1] = created_at + 1
                expected = created_at + rng.randrange(10, 400) * DAY if rng.random() < 0.9 else None
                prob = "" if rng.random() < 0.6 else f"{rng.randrange(0, 101) / 100:.2f}"
                w.writerow([f"G-{i}", iso(created_at), (far_acct if far else rng.choice(accounts))["id"],
                            users[owner]["id"] if owner else "", hist[-1]["id"],
                            f"{rng.randrange(100, 100000)}.{rng.randrange(100):02d}", "USD", prob,
                            iso(expected) if expected else "", iso(closed) if closed else "",
                            rng.choice(["web", "referral", "event", ""]),
                            (other if far else unit)["id"], "" if far else team["id"]])
                histories.append((f"G-{i}", hist, times))
        kith(srv.db, "import", "deals", str(path))
        h = sqlite3.connect(srv.db)
        ids = dict(h.execute("SELECT external_id, id FROM deals WHERE external_id LIKE 'G-%'"))
        h.execute("DELETE FROM deal_stage_changes")
        for ext, hist, times in histories:
            prev = None
            for s, t in zip(hist, times):
                h.execute("INSERT INTO deal_stage_changes (created_at, deal_id, from_stage_id,"
                          " to_stage_id, user_id, changed_at) VALUES (0, ?, ?, ?, NULL, ?)",
                          (ids[ext], prev, s["id"], t))
                prev = s["id"]
        h.commit()
        h.close()
        # quotas per quarter of 2026 for most users, through the API
        for name in users:
            if name in ("admin", "r3"):
                continue
            for q in range(4):
                start = f"2026-{3 * q + 1:02d}-01T00:00:00Z"
                end = f"2027-01-01T00:00:00Z" if q == 3 else f"2026-{3 * q + 4:02d}-01T00:00:00Z"
                created(a.post("/api/v1/quotas", json={
                    "user_id": users[name]["id"], "period_start": start, "period_end": end,
                    "amount": f"{rng.randrange(50000, 500000)}", "currency": "USD"}))
        o.stages = {s["id"]: s for s in stages}
        yield o


def org_data(o, client=None):
    c = client or o.admin
    deals = list_all(c, "/api/v1/deals")
    changes = list_all(c, "/api/v1/deal-stage-changes")
    quotas = list_all(c, "/api/v1/quotas")
    users = {u["id"]: u for u in list_all(o.admin, "/api/v1/users")}
    return deals, changes, quotas, users


def outcome(d):
    return d["outcome"]


def prob(o, d):
    return d["probability"] if d["probability"] is not None else o.stages[d["stage_id"]]["probability"]


def above(users, uid):
    """The managers over uid, nearest first, each once (a cycle walked once round)."""
    out, seen, m = [], {uid}, users[uid]["manager_id"]
    while m is not None and m not in seen:
        out.append(m)
        seen.add(m)
        m = users[m]["manager_id"]
    return out


def manager_groups(users, owner):
    """The manager groups a deal of owner counts in: owner if someone reports to them, and every
    manager above."""
    if owner is None or owner not in users:
        return []
    managers = {u["manager_id"] for u in users.values() if u["manager_id"] is not None}
    return ([owner] if owner in managers else []) + above(users, owner)


def by_key(answer):
    return {g["key"]["id"] if g["key"]["id"] is not None else g["key"]["name"]: g
            for g in answer["groups"]}


def test_winrate_and_pipeline_roll_up_the_manager_chain(org):
    deals, _, _, users = org_data(org)
    win = ok(org.admin.get("/api/v1/deal-stats/winrate", params={"by": "manager"}))
    assert win == cli(org.srv.db, "winrate", "--by", "manager")
    pipe = ok(org.admin.get("/api/v1/deal-stats/pipeline", params={"by": "manager"}))
    assert pipe == cli(org.srv.db, "pipeline", "--by", "manager")
    ew, ep = {}, {}
    for d in deals:
        for m in manager_groups(users, d["owner_id"]):
            if outcome(d) in ("won", "lost"):
                g = ew.setdefault(m, {"won": 0, "lost": 0, "won_amount": 0})
                g[outcome(d)] += 1
                if outcome(d) == "won":
                    g["won_amount"] += cents(d["amount"] or "0")
            else:
                g = ep.setdefault(m, {"count": 0, "amount": 0, "weighted": 0.0})
                g["count"] += 1
                g["amount"] += cents(d["amount"] or "0")
                g["weighted"] += cents(d["amount"] or "0") * prob(org, d)
    check_winrate(win, ew)
    check_pipeline(pipe, ep)
    u = org.users
    vp = by_key(win)[u["vp"]["id"]]
    # the VP's row covers every deal of the organisation's owners below (all but c1, c2, admin)
    below = {x["id"] for n, x in u.items() if n not in ("admin", "c1", "c2")}
    assert vp["closed"] == sum(outcome(d) in ("won", "lost") and d["owner_id"] in below
                               for d in deals)
    cycle = {u["c1"]["id"], u["c2"]["id"]}
    assert [{m["id"] for m in c} for c in win["manager_cycles"]] == [cycle]
    assert cycle <= set(by_key(win))  # each counted, once
    # won revenue is the owner's: by owner the groups add up to the total, once each
    own = ok(org.admin.get("/api/v1/deal-stats/winrate", params={"by": "owner"}))
    assert sum(cents(g["won_amount"]) for g in own["groups"]) == cents(own["total"]["won_amount"])


def test_winrate_by_period(org):
    deals, _, _, _ = org_data(org)
    for period in ("month", "quarter", "year"):
        api = ok(org.admin.get("/api/v1/deal-stats/winrate",
                               params={"by": "period", "period": period}))
        assert api == cli(org.srv.db, "winrate", "--by", "period", "--period", period)
        exp = {}
        for d in deals:
            if outcome(d) not in ("won", "lost"):
                continue
            t = datetime.fromisoformat(d["closed_at"].replace("Z", "+00:00"))
            name = {"month": f"{t.year:04d}-{t.month:02d}",
                    "quarter": f"{t.year:04d}Q{(t.month - 1) // 3 + 1}",
                    "year": f"{t.year:04d}"}[period]
            g = exp.setdefault(name, {"won": 0, "lost": 0, "won_amount": 0})
            g[outcome(d)] += 1
            if outcome(d) == "won":
                g["won_amount"] += cents(d["amount"] or "0")
        check_winrate(api, exp)
        names = [g["key"]["name"] for g in api["groups"]]
        assert names == sorted(names)
    bad = org.admin.get("/api/v1/deal-stats/pipeline", params={"by": "period"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "by"


def expected_conversion(o, deals, changes, key, frm=None, to=None):
    hist = {}
    for c in sorted(changes, key=lambda c: (ms(c["changed_at"]), c["id"])):
        hist.setdefault(c["deal_id"], []).append(c)
    st = o.stages
    groups = {}

    def group(k):
        return groups.setdefault(k, {"stages": {}, "stays": {}, "won": [], "lost": []})

    for d in deals:
        g = group(d[key])
        created_at = ms(d["created_at"])
        if (frm is None or created_at >= frm) and (to is None or created_at < to):
            h = hist.get(d["id"], [])
            first = {}
            for k, c in enumerate(h):
                first.setdefault(c["to_stage_id"], k)
            for s, k in first.items():
                if st[s]["kind"] != "open":
                    continue
                later = h[k + 1:]
                cell = g["stages"].setdefault(s, {"reached": 0, "advanced": 0, "won": 0})
                cell["reached"] += 1
                cell["advanced"] += any(st[c["to_stage_id"]]["kind"] != "lost" and
                                        st[c["to_stage_id"]]["position"] > st[s]["position"]
                                        for c in later)
                cell["won"] += any(st[c["to_stage_id"]]["kind"] == "won" for c in later)
            for c, n in zip(h, h[1:]):
                if st[c["to_stage_id"]]["kind"] == "open":
                    g["stays"].setdefault(c["to_stage_id"], []).append(
                        ms(n["changed_at"]) - ms(c["changed_at"]))
        if outcome(d) in ("won", "lost") and d["closed_at"]:
            closed = ms(d["closed_at"])
            if (frm is None or closed >= frm) and (to is None or closed < to) and \
                    closed >= created_at:
                g[outcome(d)].append(closed - created_at)
    return groups


def check_conversion(got, exp):
    assert set(got["stages"] and [s["stage"]["id"] for s in got["stages"]]) == \
        set(exp["stages"]) | set(exp["stays"])
    for s in got["stages"]:
        sid = s["stage"]["id"]
        e = exp["stages"].get(sid, {"reached": 0, "advanced": 0, "won": 0})
        assert (s["reached"], s["advanced"], s["won"]) == (e["reached"], e["advanced"], e["won"])
        if e["reached"]:
            assert s["conversion"] == pytest.approx(e["advanced"] / e["reached"])
            assert s["win_rate"] == pytest.approx(e["won"] / e["reached"])
        stays = exp["stays"].get(sid, [])
        assert s["stays"] == len(stays)
        if stays:
            assert s["median_days"] == pytest.approx(statistics.median(stays) / DAY)
        else:
            assert s["median_days"] is None
    for kind in ("won", "lost"):
        c, e = got["sales_cycle"][kind], exp[kind]
        assert c["count"] == len(e)
        if e:
            assert c["median_days"] == pytest.approx(statistics.median(e) / DAY)
            assert c["mean_days"] == pytest.approx(statistics.fmean(e) / DAY)
        else:
            assert c["median_days"] is None and c["mean_days"] is None


def test_conversion_and_sales_cycle(org):
    deals, changes, _, _ = org_data(org)
    for params in ({}, {"from": "2026-03-01T00:00:00Z", "to": "2026-08-01T00:00:00Z"}):
        args = [x for k, v in params.items() for x in (f"--{k}", v)]
        api = ok(org.admin.get("/api/v1/deal-stats/conversion", params=dict(params, by="owner")))
        assert api == cli(org.srv.db, "conversion", "--by", "owner", *args)
        frm, to = ms(params.get("from")), ms(params.get("to"))
        exp = expected_conversion(org, deals, changes, "owner_id", frm, to)
        got = by_key(api)
        for k, g in got.items():
            check_conversion(g, exp[k])
        shown = {k for k, e in exp.items() if e["stages"] or e["won"] or e["lost"]}
        assert set(got) == {k if k is not None else None for k in shown}
        total = expected_conversion(org, [dict(d, one=1) for d in deals], changes, "one", frm, to)
        check_conversion(api["total"], total[1])
    # the cycle counts only deals closed after they were created
    assert sum(1 for d in deals if d["closed_at"] and ms(d["closed_at"]) < ms(d["created_at"]))


def test_forecast_of_a_quarter(org):
    deals, _, _, _ = org_data(org)
    q = ("2026Q3", ms("2026-07-01T00:00:00Z"), ms("2026-10-01T00:00:00Z"))
    for params in ({}, {"commit": "0.6", "best_case": "0.2"}):
        args = [x for k, v in params.items() for x in (f"--{k.replace('_', '-')}", v)]
        api = ok(org.admin.get("/api/v1/deal-stats/forecast",
                               params=dict(params, quarter=q[0], by="owner")))
        assert api == cli(org.srv.db, "forecast", "--quarter", q[0], "--by", "owner", *args)
        assert (api["quarter"], ms(api["from"]), ms(api["to"])) == q
        commit, best = float(params.get("commit", 0.7)), float(params.get("best_case", 0.4))
        exp = {}
        for d in deals:
            g = exp.setdefault(d["owner_id"], {c: [0, 0, 0.0] for c in
                                               ("expected", "commit", "best_case", "pipeline",
                                                "won")})
            amount = cents(d["amount"] or "0")
            if outcome(d) == "won" and d["closed_at"] and q[1] <= ms(d["closed_at"]) < q[2]:
                g["won"][0] += 1
                g["won"][1] += amount
            elif outcome(d) == "open" and d["expected_close_at"] and \
                    q[1] <= ms(d["expected_close_at"]) < q[2]:
                p = prob(org, d)
                cat = "commit" if p >= commit else "best_case" if p >= best else "pipeline"
                for c in ("expected", cat):
                    g[c][0] += 1
                    g[c][1] += amount
                    g[c][2] += amount * p
        got = by_key(api)
        assert set(got) == {k for k, e in exp.items() if e["expected"][0] or e["won"][0]}
        for k, g in got.items():
            e = exp[k]
            assert (g["won"]["count"], cents(g["won"]["amount"])) == tuple(e["won"][:2])
            for c in ("expected", "commit", "best_case", "pipeline"):
                assert (g[c]["count"], cents(g[c]["amount"])) == tuple(e[c][:2])
                assert abs(cents(g[c]["weighted_amount"]) - e[c][2]) <= 1
            assert g["weighted_amount"] == g["expected"]["weighted_amount"]
    # the default quarter is the current one
    now = datetime.now(timezone.utc)
    cur = ok(org.admin.get("/api/v1/deal-stats/forecast"))
    assert cur["quarter"] == f"{now.year}Q{(now.month - 1) // 3 + 1}"


def expected_quota(deals, quotas, users, by):
    won = [d for d in deals if outcome(d) == "won" and d["closed_at"]]
    rows = {}
    for q in quotas:
        s, e = ms(q["period_start"]), ms(q["period_end"])
        amt = sum(cents(d["amount"] or "0") for d in won
                  if d["owner_id"] == q["user_id"] and s <= ms(d["closed_at"]) < e)
        n = sum(1 for d in won if d["owner_id"] == q["user_id"] and s <= ms(d["closed_at"]) < e)
        keys = [q["user_id"]] if by == "owner" else manager_groups(users, q["user_id"])
        for k in keys:
            r = rows.setdefault((k, s, e), {"quota": 0, "won": 0, "won_amount": 0, "quotas": 0})
            r["quota"] += cents(q["amount"])
            r["won"] += n
            r["won_amount"] += amt
            r["quotas"] += 1
    return rows


def check_quota(api, exp):
    got = {(g["key"]["id"], ms(g["period_start"]), ms(g["period_end"])): g for g in api["groups"]}
    assert set(got) == set(exp)
    for k, e in exp.items():
        g = got[k]
        assert (cents(g["quota"]), g["won"], cents(g["won_amount"]), g["quotas"]) == \
            (e["quota"], e["won"], e["won_amount"], e["quotas"])
        assert g["attainment"] == pytest.approx(e["won_amount"] / e["quota"])


def test_quota_attainment_by_owner_and_manager(org):
    deals, _, quotas, users = org_data(org)
    for by in ("owner", "manager"):
        api = ok(org.admin.get("/api/v1/deal-stats/quota", params={"by": by}))
        assert api == cli(org.srv.db, "quota", "--by", by)
        check_quota(api, expected_quota(deals, quotas, users, by))
        t = api["total"]
        assert cents(t["quota"]) == sum(cents(q["amount"]) for q in quotas)
        assert t["quotas"] == len(quotas)
    frm, to = "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"
    api = ok(org.admin.get("/api/v1/deal-stats/quota", params={"from": frm, "to": to}))
    inside = [q for q in quotas if ms(q["period_end"]) > ms(frm) and ms(q["period_start"]) < ms(to)]
    assert inside and len(inside) < len(quotas)
    check_quota(api, expected_quota(deals, inside, users, "owner"))


def test_analyses_count_only_what_the_caller_may_read(org):
    # a frontline user reads the deals of their unit and the quotas of their unit's users
    for client in (org.rep, org.far, org.manager):
        deals, changes, quotas, users = org_data(org, client)
        everything = list_all(org.admin, "/api/v1/deals")
        assert 0 < len(deals) < len(everything)
        conv = ok(client.get("/api/v1/deal-stats/conversion"))
        check_conversion(conv["total"], expected_conversion(
            org, [dict(d, one=1) for d in deals], changes, "one")[1])
        fc = ok(client.get("/api/v1/deal-stats/forecast", params={"quarter": "2026Q4"}))
        assert fc["total"]["won"]["count"] == sum(
            outcome(d) == "won" and d["closed_at"] and
            ms("2026-10-01T00:00:00Z") <= ms(d["closed_at"]) < ms("2027-01-01T00:00:00Z")
            for d in deals)
        qa = ok(client.get("/api/v1/deal-stats/quota", params={"by": "manager"}))
        check_quota(qa, expected_quota(deals, quotas, users, "manager"))
        assert len(quotas) < len(list_all(org.admin, "/api/v1/quotas"))
        win = ok(client.get("/api/v1/deal-stats/winrate", params={"by": "manager"}))
        assert win["total"]["closed"] == sum(outcome(d) in ("won", "lost") for d in deals)


def test_quotas_resource_validates_and_is_scoped(org):
    u = org.users
    body = {"user_id": u["r3"]["id"], "period_start": "2026-01-01T00:00:00Z",
            "period_end": "2026-04-01T00:00:00Z", "amount": "1000", "currency": "USD"}
    # a manager sets the quotas of their unit's users; a frontline user none
    assert org.rep.post("/api/v1/quotas", json=body).status_code == 403
    q = created(org.manager.post("/api/v1/quotas", json=body))
    assert q["amount"] == "1000.00" and q["user_id"] == u["r3"]["id"]
    r = org.admin.post("/api/v1/quotas", json=body)
    assert r.status_code == 409, r.text
    for bad, field in ((dict(body, period_end="2025-12-01T00:00:00Z"), None),
                       (dict(body, period_start="2026-04-01T00:00:00Z"), None),
                       (dict(body, amount="-5"), "amount"),
                       (dict(body, currency="usd"), "currency"),
                       ({k: v for k, v in body.items() if k != "user_id"}, "user_id")):
        r = org.admin.post("/api/v1/quotas", json=bad)
        assert r.status_code == 422, r.text
        if field:
            assert field in r.text
        else:
            assert "period_end" in r.text or "quota_period" in r.text
    r = org.admin.patch(f"/api/v1/quotas/{q['id']}", json={"period_end": "2025-01-01T00:00:00Z"})
    assert r.status_code == 422, r.text
    # an executive reads every quota and sets none
    add_user(org.srv.db, "exec@example.com", "executive")
    ex = Client(org.srv.url, "exec@example.com")
    assert len(list_all(ex, "/api/v1/quotas")) == len(list_all(org.admin, "/api/v1/quotas"))
    assert ex.post("/api/v1/quotas", json=dict(body, period_start="2027-01-01T00:00:00Z",
                                               period_end="2027-04-01T00:00:00Z")).status_code == 403
    # the far unit's rep neither reads nor changes it
    assert org.far.get(f"/api/v1/quotas/{q['id']}").status_code == 404
    assert org.manager.delete(f"/api/v1/quotas/{q['id']}").status_code in (200, 204)


def test_bad_parameters_of_the_new_analyses(org):
    for path, params, field in (
            ("quota", {"by": "team"}, "by"),
            ("forecast", {"quarter": "2026Q5"}, "quarter"),
            ("forecast", {"quarter": "Q3"}, "quarter"),
            ("forecast", {"commit": "0.3", "best_case": "0.5"}, "best_case"),
            ("forecast", {"commit": "1.5"}, "commit"),
            ("forecast", {"from": "2026-01-01"}, "from"),
            ("conversion", {"from": "2026-03-01", "to": "2026-02-01"}, "to"),
            ("conversion", {"by": "period"}, "by")):
        r = org.admin.get(f"/api/v1/deal-stats/{path}", params=params)
        assert r.status_code == 400, (path, params, r.text)
        assert r.json()["error"]["field"] == field, r.text
    bad = kith(org.srv.db, "deals", "forecast", "--quarter", "2026Q5", check=False)
    assert bad.returncode == 2 and "--quarter" in bad.stderr


def test_answers_follow_writes_of_the_server_and_of_other_processes(org):
    # the server keeps the deals between requests; any commit must show in the next answer
    before = ok(org.admin.get("/api/v1/deal-stats/pipeline"))["total"]
    won_before = ok(org.admin.get("/api/v1/deal-stats/winrate"))["total"]["won"]
    deal = next(d for d in list_all(org.admin, "/api/v1/deals") if d["outcome"] == "open")
    won = next(s for s in org.stages.values() if s["kind"] == "won")
    ok(org.admin.patch(f"/api/v1/deals/{deal['id']}", json={"stage_id": won["id"]}))
    after = ok(org.admin.get("/api/v1/deal-stats/pipeline"))["total"]
    assert after["count"] == before["count"] - 1
    assert cents(after["amount"]) == cents(before["amount"]) - cents(deal["amount"])
    assert ok(org.admin.get("/api/v1/deal-stats/winrate"))["total"]["won"] == won_before + 1
    other = next(d for d in list_all(org.admin, "/api/v1/deals") if d["outcome"] == "open")
    h = sqlite3.connect(org.srv.db)
    h.execute("UPDATE deals SET amount = amount + 100 WHERE id = ?", (other["id"],))
    h.commit()
    h.close()
    again = ok(org.admin.get("/api/v1/deal-stats/pipeline"))["total"]
    assert cents(again["amount"]) == cents(after["amount"]) + 100
    assert again == cli(org.srv.db, "pipeline")["total"]
