"""Deals (issue 12, items 1-2): the default stage list, /api/v1/deals, /api/v1/deal-stages,
/api/v1/deal-lines and the read-only /api/v1/deal-stage-changes as generic resources, a stage change through PATCH writing the deal's history
and winning, losing or reopening it, record access as for accounts, and `kith import` / `kith
export` of deals with natural keys (account name, owner email, stage name, product sku).

One server for the module; the import tests use fresh databases of their own.
"""
import json
import os
import tempfile

import pytest

from conftest import Client, add_user, kith
from module_server import module_server

DEFAULT_STAGES = [("Prospecting", 0.1, "open"), ("Engaging", 0.25, "open"),
                  ("Proposal", 0.5, "open"), ("Closing", 0.75, "open"), ("Won", 1.0, "won"),
                  ("Lost", 0.0, "lost")]


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def error(r, status, field=None):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    if field is not None:
        assert e["field"] == field, e
    return e


def history(db, deal_id):
    """The deal's stage history as `kith export` writes it, oldest first."""
    out = kith(db, "export", "--format", "jsonl", "deal_stage_changes").stdout
    rows = [json.loads(l) for l in out.splitlines() if l]
    return [r for r in rows if r["deal_id"] == deal_id]


class World:
    pass


@pytest.fixture(scope="module")
def world():
    with module_server() as srv:
        w = World()
        w.srv = srv
        w.admin = Client(srv.url, "admin@example.com")
        a = w.admin
        w.u1 = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
        w.u2 = created(a.post("/api/v1/units", json={"name": "South", "kind": "business_unit"}))
        w.t1 = created(a.post("/api/v1/teams", json={"name": "North AM", "kind": "closing",
                                                     "unit_id": w.u1["id"]}))
        w.t2 = created(a.post("/api/v1/teams", json={"name": "South AM", "kind": "closing",
                                                     "unit_id": w.u2["id"]}))
        for email, role, unit, team in (("f1@example.com", "frontline", "North", "North AM"),
                                        ("f2@example.com", "frontline", "South", "South AM"),
                                        ("m1@example.com", "manager", "North", "North AM"),
                                        ("m2@example.com", "manager", "South", "South AM"),
                                        ("e1@example.com", "executive", None, None)):
            add_user(srv.db, email, role, unit, team)
        w.f1 = Client(srv.url, "f1@example.com")
        w.f2 = Client(srv.url, "f2@example.com")
        w.m1 = Client(srv.url, "m1@example.com")
        w.m2 = Client(srv.url, "m2@example.com")
        w.e1 = Client(srv.url, "e1@example.com")
        w.acc = created(w.f1.post("/api/v1/accounts", json={"name": "Acme", "employees": 120}))
        stages = ok(a.get("/api/v1/deal-stages", params={"sort": "position"}))["items"]
        w.stage = {s["name"]: s for s in stages}
        w.product = created(a.post("/api/v1/products", json={"sku": "GTX-PRO", "name": "GTX Pro",
                                                             "price": "1000"}))
        yield w


def test_default_stages_are_seeded(world):
    items = ok(world.f1.get("/api/v1/deal-stages", params={"sort": "position"}))["items"]
    assert [(s["name"], s["probability"], s["kind"]) for s in items] == DEFAULT_STAGES
    assert all(s["unit_id"] is None for s in items)
    # the catalogue is the admins' to change
    error(world.f1.post("/api/v1/deal-stages", json={"name": "X", "position": 9,
                                                      "probability": 0.5, "kind": "open"}), 403)
    error(world.admin.post("/api/v1/deal-stages", json={"name": "Won", "position": 9,
                                                         "probability": 1, "kind": "won"}), 409)
    error(world.admin.post("/api/v1/deal-stages", json={"name": "Y", "position": 9,
                                                         "probability": 1.5, "kind": "open"}),
          422, "probability")


def test_create_defaults_from_caller_and_stage(world):
    d = created(world.f1.post("/api/v1/deals", json={
        "name": "Acme rollout", "account_id": world.acc["id"],
        "stage_id": world.stage["Prospecting"]["id"], "amount": "25000", "currency": "USD",
        "expected_close_at": "2026-03-31"}))
    assert d["owner_id"] == world.f1.me["user"]["id"]
    assert d["unit_id"] == world.u1["id"]
    assert d["outcome"] == "open" and d["closed_at"] is None
    assert d["probability"] == 0.1
    assert d["amount"] == "25000.00"
    rows = history(world.srv.db, d["id"])
    assert len(rows) == 1
    assert rows[0]["from_stage_id"] is None
    assert rows[0]["to_stage_id"] == world.stage["Prospecting"]["id"]
    # required fields and references
    error(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"]}), 422, "stage_id")
    error(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                               "stage_id": 99999}), 404, "stage_id")
    error(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                               "stage_id": world.stage["Won"]["id"],
                                               "outcome": "lost"}), 422, "outcome")


def test_patch_stage_writes_history_and_sets_outcome(world):
    f1, st = world.f1, world.stage
    d = created(f1.post("/api/v1/deals", json={"name": "Move me", "account_id": world.acc["id"],
                                                "stage_id": st["Prospecting"]["id"]}))
    path = f"/api/v1/deals/{d['id']}"
    d = ok(f1.patch(path, json={"stage_id": st["Proposal"]["id"]}))
    assert d["outcome"] == "open" and d["probability"] == 0.5 and d["closed_at"] is None

    d = ok(f1.patch(path, json={"stage_id": st["Won"]["id"]}))
    assert d["outcome"] == "won" and d["closed_at"] is not None and d["probability"] == 1.0

    # reopening: an open stage makes the deal open again and clears closed_at
    d = ok(f1.patch(path, json={"stage_id": st["Engaging"]["id"]}))
    assert d["outcome"] == "open" and d["closed_at"] is None and d["probability"] == 0.25

    d = ok(f1.patch(path, json={"stage_id": st["Lost"]["id"], "loss_reason": "price",
                                "closed_at": "2026-02-01T00:00:00Z"}))
    assert d["outcome"] == "lost" and d["loss_reason"] == "price"
    assert d["closed_at"] == "2026-02-01T00:00:00.000Z"

    # a PATCH that leaves the stage alone records nothing
    ok(f1.patch(path, json={"name": "Moved", "stage_id": st["Lost"]["id"]}))
    rows = history(world.srv.db, d["id"])
    moves = [(r["from_stage_id"], r["to_stage_id"]) for r in rows]
    assert moves == [(None, st["Prospecting"]["id"]),
                     (st["Prospecting"]["id"], st["Proposal"]["id"]),
                     (st["Proposal"]["id"], st["Won"]["id"]),
                     (st["Won"]["id"], st["Engaging"]["id"]),
                     (st["Engaging"]["id"], st["Lost"]["id"])]
    assert all(r["user_id"] == f1.me["user"]["id"] for r in rows[1:])
    assert all(r["changed_at"] for r in rows)

    # the outcome follows the stage: it cannot be set apart from it
    error(f1.patch(path, json={"outcome": "won"}), 422, "outcome")
    # a refused PATCH changes nothing, history included
    error(f1.patch(path, json={"stage_id": st["Won"]["id"], "outcome": "lost"}), 422, "outcome")
    assert len(history(world.srv.db, d["id"])) == len(rows)
    assert ok(f1.get(path))["outcome"] == "lost"

    # the history through the API: the same rows, to those who may read the deal
    api_rows = ok(f1.get("/api/v1/deal-stage-changes", params={"deal_id": d["id"]}))["items"]
    assert api_rows == rows
    assert ok(world.f2.get("/api/v1/deal-stage-changes",
                           params={"deal_id": d["id"]}))["items"] == []
    error(world.f2.get(f"/api/v1/deal-stage-changes/{rows[0]['id']}"), 404)
    assert world.admin.post("/api/v1/deal-stage-changes", json={}).status_code in (404, 405)


def test_a_units_stage_serves_only_that_units_deals(world):
    s2 = created(world.admin.post("/api/v1/deal-stages", json={
        "unit_id": world.u2["id"], "name": "Qualified (South)", "position": 2,
        "probability": 0.3, "kind": "open"}))
    d = created(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                                      "stage_id": world.stage["Closing"]["id"]}))
    error(world.f1.patch(f"/api/v1/deals/{d['id']}", json={"stage_id": s2["id"]}), 422,
          "stage_id")
    # the same name in another unit is another stage
    created(world.admin.post("/api/v1/deal-stages", json={
        "unit_id": world.u2["id"], "name": "Proposal", "position": 3, "probability": 0.5,
        "kind": "open"}))


def test_list_filter_search_and_sort(world):
    f1, st = world.f1, world.stage
    acc = created(f1.post("/api/v1/accounts", json={"name": "Filterco"}))
    for name, stage, amount in (("Zeta big", "Won", "900"), ("Zeta small", "Lost", "10"),
                                ("Zeta mid", "Closing", "300")):
        created(f1.post("/api/v1/deals", json={"name": name, "account_id": acc["id"],
                                                "stage_id": st[stage]["id"], "amount": amount}))
    items = ok(f1.get("/api/v1/deals", params={"account_id": acc["id"], "sort": "-amount"}))
    assert [d["name"] for d in items["items"]] == ["Zeta big", "Zeta mid", "Zeta small"]
    won = ok(f1.get("/api/v1/deals", params={"account_id": acc["id"], "outcome": "won"}))
    assert [d["name"] for d in won["items"]] == ["Zeta big"]
    q = ok(f1.get("/api/v1/deals", params={"q": "zeta", "account_id": acc["id"]}))
    assert len(q["items"]) == 3  # name starts with the word, case-insensitively
    assert ok(f1.get("/api/v1/deals", params={"q": "zetax"}))["items"] == []
    ranged = ok(f1.get("/api/v1/deals", params={"account_id": acc["id"], "amount_from": "100",
                                                "amount_to": "500"}))
    assert [d["name"] for d in ranged["items"]] == ["Zeta mid"]
    error(f1.get("/api/v1/deals", params={"outcome": "maybe"}), 400)


def test_scope_is_that_of_accounts(world):
    """A deal is in a unit, a team and an owner's hands, like an account: a frontline user of
    another unit and team does not see it (404), its unit's manager does, an executive reads it
    but may not change it."""
    d = created(world.f1.post("/api/v1/deals", json={"name": "Scoped", "account_id":
                                                      world.acc["id"],
                                                      "stage_id": world.stage["Closing"]["id"]}))
    path = f"/api/v1/deals/{d['id']}"
    for outsider in (world.f2, world.m2):
        error(outsider.get(path), 404)
        error(outsider.patch(path, json={"stage_id": world.stage["Won"]["id"]}), 404)
        ids = [x["id"] for x in ok(outsider.get("/api/v1/deals",
                                                params={"limit": 500}))["items"]]
        assert d["id"] not in ids
    assert ok(world.m1.get(path))["id"] == d["id"]
    assert ok(world.m1.patch(path, json={"amount": "5"}))["amount"] == "5.00"
    assert ok(world.e1.get(path))["id"] == d["id"]
    error(world.e1.patch(path, json={"amount": "6"}), 403)
    assert ok(world.admin.get(path))["amount"] == "5.00"
    # deals are not deleted (there is no DELETE route): a lost deal keeps its history
    assert world.admin.delete(path).status_code in (404, 405)
    # a frontline user may not create a deal in another unit
    error(world.f2.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                               "stage_id": world.stage["Closing"]["id"]}),
          404, "account_id")
    # moving a deal out of one's reach is refused and changes nothing
    error(world.f1.patch(path, json={"unit_id": world.u2["id"], "team_id": world.t2["id"],
                                     "owner_id": None}), 403)
    assert ok(world.f1.get(path))["unit_id"] == world.u1["id"]


def test_deal_lines_follow_their_deal(world):
    d = created(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                                      "stage_id": world.stage["Proposal"]["id"]}))
    line = created(world.f1.post("/api/v1/deal-lines", json={
        "deal_id": d["id"], "product_id": world.product["id"], "quantity": 3,
        "amount": "2700"}))
    assert line["amount"] == "2700.00"
    error(world.f2.get(f"/api/v1/deal-lines/{line['id']}"), 404)
    error(world.f2.post("/api/v1/deal-lines", json={
        "deal_id": d["id"], "product_id": world.product["id"], "quantity": 1, "amount": "1"}),
        404, "deal_id")
    error(world.f1.post("/api/v1/deal-lines", json={
        "deal_id": d["id"], "product_id": world.product["id"], "quantity": 0, "amount": "1"}),
        422, "quantity")
    lines = ok(world.f1.get("/api/v1/deal-lines", params={"deal_id": d["id"]}))["items"]
    assert [l["id"] for l in lines] == [line["id"]]
    assert world.f1.delete(f"/api/v1/deal-lines/{line['id']}").status_code == 204


def test_new_columns_of_users_accounts_and_orders(world):
    a = world.admin
    users = ok(a.get("/api/v1/users", params={"email": "f1@example.com"}))["items"]
    mgr = ok(a.get("/api/v1/users", params={"email": "m1@example.com"}))["items"][0]
    u = ok(a.patch(f"/api/v1/users/{users[0]['id']}", json={"manager_id": mgr["id"]}))
    assert u["manager_id"] == mgr["id"]
    child = created(world.f1.post("/api/v1/accounts", json={"name": "Acme Labs",
                                                             "parent_id": world.acc["id"]}))
    assert child["parent_id"] == world.acc["id"]
    error(world.f1.post("/api/v1/accounts", json={"name": "Neg", "employees": -1}), 422,
          "employees")
    d = created(world.f1.post("/api/v1/deals", json={"account_id": world.acc["id"],
                                                      "stage_id": world.stage["Won"]["id"]}))
    o = created(world.f1.post("/api/v1/orders", json={
        "account_id": world.acc["id"], "ordered_at": "2026-01-05", "amount": "100",
        "user_id": users[0]["id"], "deal_id": d["id"]}))
    assert o["user_id"] == users[0]["id"] and o["deal_id"] == d["id"]


# ---- import and export ----------------------------------------------------------------------

def write(dirname, name, text):
    path = os.path.join(dirname, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def seed_db(d):
    db = os.path.join(d, "kith.db")
    kith(db, "init")
    kith(db, "import", "units", write(d, "units.csv", "name,kind\nNorth,business_unit\n"))
    add_user(db, "ann@example.com", "frontline", "North")
    add_user(db, "bob@example.com", "manager", "North")
    kith(db, "import", "accounts", write(d, "accounts.csv",
                                         "external_id,name,employees,unit_name\n"
                                         "A-1,Acme,120,North\nA-2,Globex,,North\n"))
    kith(db, "import", "products", write(d, "products.csv", "sku,name\nGTX-PRO,GTX Pro\n"))
    return db


DEALS_CSV = (
    "external_id,name,account_name,owner_email,stage_name,amount,currency,engaged_at,"
    "closed_at,loss_reason,unit_name\n"
    "OPP-1,Acme pilot,Acme,ann@example.com,Won,1200.50,USD,2025-01-10,2025-02-20,,North\n"
    "OPP-2,Globex,Globex,bob@example.com,Lost,800,USD,2025-01-12,2025-03-01,price,North\n"
    "OPP-3,Acme phase 2,Acme,ann@example.com,Engaging,,,2025-03-01,,,North\n"
)


def test_import_deals_with_natural_keys_and_export_round_trip():
    with tempfile.TemporaryDirectory() as d:
        db = seed_db(d)
        kith(db, "import", "deals", write(d, "deals.csv", DEALS_CSV))
        rows = [json.loads(l) for l in
                kith(db, "export", "--format", "jsonl", "deals").stdout.splitlines()]
        assert [(r["external_id"], r["outcome"]) for r in rows] == [
            ("OPP-1", "won"), ("OPP-2", "lost"), ("OPP-3", "open")]
        assert rows[0]["amount"] == "1200.50" and rows[1]["loss_reason"] == "price"
        # one history row per imported deal: its stage, entered when it closed or engaged
        hist = [json.loads(l) for l in kith(db, "export", "--format", "jsonl",
                                            "deal_stage_changes").stdout.splitlines()]
        assert [(h["deal_id"], h["from_stage_id"], h["user_id"]) for h in hist] == [
            (rows[0]["id"], None, None), (rows[1]["id"], None, None),
            (rows[2]["id"], None, None)]
        assert hist[0]["changed_at"] == "2025-02-20T00:00:00.000Z"
        assert hist[2]["changed_at"] == "2025-03-01T00:00:00.000Z"
        kith(db, "import", "deal_lines", write(d, "lines.csv",
                                               "deal_external_id,product_sku,quantity,amount\n"
                                               "OPP-1,GTX-PRO,2,1200.50\n"))

        # export -> import into a database with the same accounts and users -> same export
        exported = kith(db, "export", "deals").stdout
        with tempfile.TemporaryDirectory() as d2:
            db2 = seed_db(d2)
            kith(db2, "import", "deals", write(d2, "deals.csv", exported))
            assert kith(db2, "export", "deals").stdout == exported


def test_import_errors_name_file_line_and_column():
    with tempfile.TemporaryDirectory() as d:
        db = seed_db(d)
        bad = write(d, "deals.csv", "external_id,account_name,stage_name,probability\n"
                                    "OPP-9,Acme,Negotiation,0.5\n"
                                    "OPP-10,Nobody Inc,Won,2\n")
        p = kith(db, "import", "deals", bad, check=False)
        assert p.returncode != 0
        assert "deals.csv:2:3" in p.stderr and "Negotiation" in p.stderr
        assert "deals.csv:3:2" in p.stderr and "Nobody Inc" in p.stderr
        assert "deals.csv:3:4" in p.stderr
        assert kith(db, "export", "deals").stdout.count("\n") == 1  # header only: nothing in

        # a unit's own stage list imports by name, with the unit by name
        kith(db, "import", "deal_stages", write(d, "stages.csv",
                                                "unit_name,name,position,probability,kind\n"
                                                "North,Discovery,1,0.05,open\n"))
        kith(db, "import", "deals", write(d, "deals2.csv",
                                          "external_id,account_external_id,stage_name,unit_name\n"
                                          "OPP-11,A-2,Discovery,North\n"))
