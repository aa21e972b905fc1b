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


def check_winrate(answer, expected):
    got = {g["key"]["id"]: g for g in answer["groups"]}
    assert set(got) == set(expected)
    for k, e in expected.items():
        g = got[k]
        assert (g["won"], g["lost"], g["closed"]) == (e["won"], e["lost"], e["won"] + e["lost"])
        assert g["win_rate"] == pytest.approx(e["won"] / (e["won"] + e["lost"]))
        lo, hi = wilson(e["won"], e["won"] + e["lost"])
        assert g["interval_low"] == pytest.approx(lo) and g["interval_high"] == pytest.approx(hi)
        assert cents(g["won_amount"]) == e["won_amount"]


def check_pipeline(answer, expected):
    got = {g["key"]["id"]: g for g in answer["groups"]}
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
