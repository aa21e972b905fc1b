"""The REST resources under /api/v1: CRUD of each, validation, lists (filters, search, sort,
projection, cursor pagination), interactions (type defaults, void), the contact timeline, the
OpenAPI document, and that a refused request changes nothing.

One server and one signed-in admin serve the whole module (tests create what they need with
unique names), so the module stays fast.
"""
import json
import os
import sqlite3

import pytest
import requests

from conftest import Client
from module_server import module_server


@pytest.fixture(scope="module")
def srv():
    with module_server() as s:
        yield s


@pytest.fixture(scope="module")
def admin(srv):
    return Client(srv.url, "admin@example.com")


_seq = [0]


def uniq(prefix):
    _seq[0] += 1
    return f"{prefix}{_seq[0]}"


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def error(r, status, field=None, code=None):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert set(e) == {"code", "message", "field"}
    assert e["message"]
    if field is not None:
        assert e["field"] == field, e
    if code is not None:
        assert e["code"] == code, e
    return e


@pytest.fixture(scope="module")
def base(admin):
    """A unit, a team, an account, an interaction type and a product to hang records on."""
    unit = created(admin.post("/api/v1/units", json={"name": "Base unit", "kind": "business_unit"}))
    team = created(admin.post("/api/v1/teams", json={"name": "Base team", "kind": "virtual_account",
                                                     "unit_id": unit["id"]}))
    account = created(admin.post("/api/v1/accounts", json={"name": "Acme", "unit_id": unit["id"]}))
    itype = created(admin.post("/api/v1/interaction-types", json={
        "code": "demo_call", "name": "Demo call", "phase": "acquisition", "level": 2,
        "channel": "phone", "touch": 0.8, "tech": 0.25, "rv": 7, "cost": "12.50"}))
    product = created(admin.post("/api/v1/products", json={"sku": "SKU-1", "name": "Widget",
                                                           "price": "99.90", "currency": "EUR"}))
    return {"unit": unit, "team": team, "account": account, "itype": itype, "product": product}


def new_contact(admin, base, **kw):
    body = {"last_name": uniq("Person"), "unit_id": base["unit"]["id"]}
    body.update(kw)
    return created(admin.post("/api/v1/contacts", json=body))


def db_snapshot(srv):
    """Row counts and the newest row of the tables the tests write, read with sqlite3."""
    con = sqlite3.connect(srv.db)
    try:
        out = {}
        for t in ("units", "teams", "users", "accounts", "contacts", "interaction_types",
                  "interactions", "products", "orders", "events"):
            out[t] = con.execute(f"SELECT count(*), max(id) FROM {t}").fetchone()
        out["contact1"] = con.execute("SELECT * FROM contacts ORDER BY id LIMIT 1").fetchone()
        return out
    finally:
        con.close()


# ---- CRUD of every resource ----

CASES = [
    # path, create body (with {placeholders}), patch, field checked after the patch
    ("units", lambda b: {"name": uniq("Unit "), "kind": "partner", "parent_id": b["unit"]["id"]},
     {"kind": "dealer"}, "kind"),
    ("teams", lambda b: {"name": uniq("Team "), "kind": "closing", "unit_id": b["unit"]["id"]},
     {"kind": "retention"}, "kind"),
    ("accounts", lambda b: {"name": uniq("Account "), "industry": "steel",
                            "annual_revenue": "1000000.00", "currency": "EUR",
                            "custom": {"tier": "gold"}},
     {"industry": "glass", "annual_revenue": "12.5"}, "industry"),
    ("contacts", lambda b: {"first_name": "Ann", "last_name": uniq("Lee"),
                            "email": uniq("ann") + "@example.com", "buying_role": "influencer",
                            "account_id": b["account"]["id"]},
     {"title": "CTO", "buying_role": "decision_maker"}, "title"),
    ("interaction-types", lambda b: {"code": uniq("code_"), "name": "Visit", "phase": "closing",
                                     "level": 3, "channel": "field", "touch": 1, "tech": 0,
                                     "rv": -2, "cost": "0.99", "is_trigger": True},
     {"description": "a visit", "touch": 0.5}, "description"),
    ("products", lambda b: {"sku": uniq("SKU-"), "name": "Gadget", "unit_cost": "3.10"},
     {"category": "tools"}, "category"),
    ("orders", lambda b: {"account_id": b["account"]["id"], "ordered_at": "2024-03-01T10:00:00Z",
                          "amount": "250.00", "margin": "40.00", "currency": "EUR"},
     {"margin": "41.50"}, "margin"),
    ("events", lambda b: {"kind": "referral", "account_id": b["account"]["id"],
                          "occurred_at": "2024-03-02", "value": "10"},
     {"notes": "via a friend"}, "notes"),
]


@pytest.mark.parametrize("path,make,patch,field", CASES, ids=[c[0] for c in CASES])
def test_crud(admin, base, path, make, patch, field):
    body = make(base)
    r = admin.post(f"/api/v1/{path}", json=body)
    rec = created(r)
    assert r.headers["Location"] == f"/api/v1/{path}/{rec['id']}"
    assert rec["created_at"].endswith("Z")
    for k, v in body.items():
        if k in ("annual_revenue", "value", "unit_cost"):
            assert rec[k] == f"{float(v):.2f}"
        elif k in ("ordered_at", "occurred_at"):
            assert rec[k].startswith(v[:10])
        else:
            assert rec[k] == v, k
    got = admin.get(f"/api/v1/{path}/{rec['id']}")
    assert got.status_code == 200 and got.json() == rec
    r = admin.patch(f"/api/v1/{path}/{rec['id']}", json=patch)
    assert r.status_code == 200, r.text
    assert r.json()[field] == patch[field]
    unchanged = {k: v for k, v in rec.items() if k not in patch}
    assert {k: r.json()[k] for k in unchanged} == unchanged
    listed = admin.get(f"/api/v1/{path}", params={"id": rec["id"]}).json()["items"]
    assert [x["id"] for x in listed] == [rec["id"]]
    r = admin.delete(f"/api/v1/{path}/{rec['id']}")
    assert r.status_code == 204, r.text
    error(admin.get(f"/api/v1/{path}/{rec['id']}"), 404, code="not_found")
    error(admin.delete(f"/api/v1/{path}/{rec['id']}"), 404)
    error(admin.patch(f"/api/v1/{path}/{rec['id']}", json=patch), 404)


def test_money_and_time_formats(admin, base):
    o = created(admin.post("/api/v1/orders", json={
        "account_id": base["account"]["id"], "ordered_at": "2024-05-01T14:00:00+02:00",
        "amount": "-3", "margin": ".5"}))
    assert o["ordered_at"] == "2024-05-01T12:00:00.000Z"
    assert o["amount"] == "-3.00" and o["margin"] == "0.50"
    error(admin.post("/api/v1/orders", json={
        "account_id": base["account"]["id"], "ordered_at": "2024-05-01", "amount": 12.5}),
        422, field="amount")
    error(admin.post("/api/v1/orders", json={
        "account_id": base["account"]["id"], "ordered_at": "2024-05-01", "amount": "1.234"}),
        422, field="amount")
    error(admin.post("/api/v1/orders", json={
        "account_id": base["account"]["id"], "ordered_at": "May 1st", "amount": "1"}),
        422, field="ordered_at")


def test_users_never_show_secrets_and_can_sign_in(srv, admin, base):
    email = uniq("rep") + "@example.com"
    u = created(admin.post("/api/v1/users", json={
        "email": email, "name": "Rep", "role": "frontline", "unit_id": base["unit"]["id"],
        "team_id": base["team"]["id"], "password": "a long enough password", "hourly_cost": "45.00"}))
    assert "password" not in u and "password_hash" not in u
    assert u["disabled"] is False
    for r in (admin.get(f"/api/v1/users/{u['id']}"), admin.get("/api/v1/users")):
        assert "password_hash" not in r.text and "argon2" not in r.text
    rep = Client(srv.url, email, "a long enough password")
    assert rep.me["user"]["role"] == "frontline"
    error(admin.post("/api/v1/users", json={"email": uniq("x") + "@example.com", "name": "X",
                                            "role": "analyst", "password": "short"}),
          422, field="password")
    error(admin.post("/api/v1/users", json={"email": uniq("x") + "@example.com", "name": "X",
                                            "role": "analyst", "password_hash": "$argon2id$x"}),
          422, field="password_hash", code="unknown_field")
    error(admin.post("/api/v1/users", json={"email": email.upper(), "name": "Dup",
                                            "role": "analyst"}), 409, field="email")
    r = admin.patch(f"/api/v1/users/{u['id']}", json={"password": "another long password"})
    assert r.status_code == 200, r.text
    Client(srv.url, email, "another long password")
    error(admin.delete(f"/api/v1/users/{u['id']}"), 405)


# ---- validation ----

def test_validation_errors_name_the_field(admin, base):
    c = "/api/v1/contacts"
    error(admin.post(c, json={"first_name": "No last name"}), 422, field="last_name")
    error(admin.post(c, json={"last_name": ""}), 422, field="last_name")
    error(admin.post(c, json={"last_name": 5}), 422, field="last_name")
    error(admin.post(c, json={"last_name": "x" * 101}), 422, field="last_name")
    error(admin.post(c, json={"last_name": "L", "buying_role": "boss"}), 422, field="buying_role")
    error(admin.post(c, json={"last_name": "L", "email": "not-an-email"}), 422, field="email")
    error(admin.post(c, json={"last_name": "L", "level": "3"}), 422, field="level")
    error(admin.post(c, json={"last_name": "L", "custom": [1, 2]}), 422, field="custom")
    error(admin.post(c, json={"last_name": "L", "account_id": 999999}), 404, field="account_id")
    error(admin.post(c, json={"last_name": "L", "account_id": -1}), 422, field="account_id")
    error(admin.post(c, json={"last_name": "L", "colour": "red"}), 422, field="colour",
          code="unknown_field")
    error(admin.post(c, json={"last_name": "L", "id": 5}), 422, field="id", code="read_only")
    error(admin.post(c, json={"last_name": "L", "created_at": "2024-01-01"}), 422,
          field="created_at", code="read_only")
    error(admin.post(c, json=[{"last_name": "L"}]), 400)
    error(admin.post(c), 400)
    error(admin.post("/api/v1/interaction-types", json={
        "code": uniq("c"), "name": "n", "phase": "closing", "level": 1, "channel": "x",
        "touch": 1.5, "tech": 0, "rv": 1, "cost": "1"}), 422, field="touch")
    error(admin.post("/api/v1/interactions", json={
        "contact_id": new_contact(admin, base)["id"], "type_id": base["itype"]["id"],
        "occurred_at": "2024-01-01", "voids_id": 1}), 422, field="voids_id", code="read_only")
    error(admin.post("/api/v1/accounts", json={"name": "A", "currency": "eur"}), 422,
          field="currency")
    contact = new_contact(admin, base, email=uniq("taken") + "@example.com")
    error(admin.post(c, json={"last_name": "L", "email": contact["email"]}), 409, field="email")
    error(admin.patch(f"{c}/{contact['id']}", json={"last_name": None}), 422, field="last_name")


def test_body_size_type_and_depth_limits(admin):
    c = admin.base + "/api/v1/contacts"
    big = json.dumps({"last_name": "L", "notes": "x" * (1024 * 1024)})
    r = admin.http.post(c, data=big, headers={"Content-Type": "application/json"})
    error(r, 413, code="too_large")
    r = admin.http.post(c, data='{"last_name": "L"}', headers={"Content-Type": "text/plain"})
    error(r, 415, code="unsupported_media_type")
    deep = "[" * 33 + "]" * 33
    r = admin.http.post(c, data='{"last_name": "L", "custom": ' + deep + "}",
                        headers={"Content-Type": "application/json"})
    error(r, 400, code="too_deep")
    r = admin.http.post(c, data='{"last_name": ', headers={"Content-Type": "application/json"})
    error(r, 400, code="bad_json")
    r = admin.http.post(c, data='{"last_name": "A", "last_name": "B"}',
                        headers={"Content-Type": "application/json"})
    error(r, 400, code="bad_json")


def test_rejected_requests_change_nothing(srv, admin, base):
    before = db_snapshot(srv)
    c = "/api/v1/contacts"
    admin.post(c, json={"last_name": "L", "account_id": 999999})
    admin.post(c, json={"last_name": "L", "bogus": 1})
    admin.post(c, json={"last_name": "L", "email": "bad"})
    first = before["contact1"][0]
    admin.patch(f"{c}/{first}", json={"first_name": "Changed", "account_id": 999999})
    admin.patch(f"{c}/{first}", json={"first_name": "Changed", "stage": "nope"})
    admin.post("/api/v1/interactions", json={"contact_id": first, "type_id": 999999,
                                            "occurred_at": "2024-01-01"})
    admin.delete(f"/api/v1/accounts/{base['account']['id']}")  # still referenced: 409
    admin.post("/api/v1/units", json={"name": "Base unit", "kind": "partner"})  # duplicate
    assert db_snapshot(srv) == before


# ---- lists ----

@pytest.fixture(scope="module")
def crowd(admin, base):
    """130 contacts of one unit, with a few NULL first names, for the list tests."""
    unit = created(admin.post("/api/v1/units", json={"name": "Crowd", "kind": "dealer"}))
    ids = []
    names = ["Smith", "Jones", "Brown", "Taylor", "Wilson"]
    for i in range(130):
        body = {"last_name": names[i % 5], "unit_id": unit["id"],
                "email": f"crowd{i}@example.com", "phone": f"+1 555 01{i % 7:02d}"}
        if i % 4:
            body["first_name"] = f"F{i:03d}"
        ids.append(created(admin.post("/api/v1/contacts", json=body))["id"])
    return {"unit": unit, "ids": ids}


def walk(admin, path, params):
    seen, cursor, pages = [], None, 0
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        r = admin.get(path, params=p)
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "next_cursor"}
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize("sort", ["id", "-id", "last_name", "-last_name", "first_name",
                                  "-first_name", "email", "-created_at", "phone"])
def test_pagination_walks_every_row_once(admin, crowd, sort):
    items, pages = walk(admin, "/api/v1/contacts",
                        {"unit_id": crowd["unit"]["id"], "limit": 17, "sort": sort})
    ids = [x["id"] for x in items]
    assert sorted(ids) == sorted(crowd["ids"])  # every row exactly once
    assert pages == 8
    key = sort.lstrip("-")
    desc = sort.startswith("-")

    def k(x):
        v = x[key]
        return (v is not None, v if v is not None else "", x["id"])
    assert items == sorted(items, key=k, reverse=desc)


def test_limit_and_bad_parameters(admin, crowd):
    r = admin.get("/api/v1/contacts", params={"unit_id": crowd["unit"]["id"]})
    assert len(r.json()["items"]) == 50
    r = admin.get("/api/v1/contacts", params={"unit_id": crowd["unit"]["id"], "limit": 500})
    assert len(r.json()["items"]) == 130 and r.json()["next_cursor"] is None
    error(admin.get("/api/v1/contacts", params={"limit": 501}), 400, field="limit")
    error(admin.get("/api/v1/contacts", params={"limit": 0}), 400, field="limit")
    error(admin.get("/api/v1/contacts", params={"limit": "ten"}), 400, field="limit")
    error(admin.get("/api/v1/contacts", params={"sort": "nope"}), 400, field="sort")
    error(admin.get("/api/v1/contacts", params={"sort": "custom"}), 400, field="sort")
    error(admin.get("/api/v1/contacts", params={"fields": "id,nope"}), 400, field="fields")
    error(admin.get("/api/v1/contacts", params={"colour": "red"}), 400, field="colour")
    error(admin.get("/api/v1/contacts", params={"level": "high"}), 400, field="level")
    error(admin.get("/api/v1/contacts", params={"stage": "nope"}), 400, field="stage")
    error(admin.get("/api/v1/contacts", params={"last_name_from": "A"}), 400)
    error(admin.get("/api/v1/contacts", params={"cursor": "garbage"}), 400, field="cursor")
    error(admin.get("/api/v1/orders", params={"q": "x"}), 400, field="q")
    page = admin.get("/api/v1/contacts", params={"limit": 2, "sort": "last_name"}).json()
    error(admin.get("/api/v1/contacts", params={"cursor": page["next_cursor"], "sort": "email"}),
          400, field="cursor")
    error(admin.get("/api/v1/users", params={"password_hash": "x"}), 400)


def test_projection(admin, crowd):
    r = admin.get("/api/v1/contacts", params={"unit_id": crowd["unit"]["id"],
                                              "fields": "email,last_name", "limit": 3})
    assert all(set(x) == {"id", "email", "last_name"} for x in r.json()["items"])
    one = admin.get(f"/api/v1/contacts/{crowd['ids'][0]}", params={"fields": "email"}).json()
    assert set(one) == {"id", "email"}


def test_filters_and_ranges(admin, crowd, base):
    u = crowd["unit"]["id"]
    items, _ = walk(admin, "/api/v1/contacts", {"unit_id": u, "last_name": "Jones", "limit": 500})
    assert len(items) == 26 and all(x["last_name"] == "Jones" for x in items)
    # (a contact's level is derived, not written: the catalogue's levels show a range filter)
    for level in range(1, 6):
        created(admin.post("/api/v1/interaction-types", json={
            "code": uniq("range_"), "name": "Range", "phase": "closing", "level": level,
            "channel": "x", "touch": 0, "tech": 0, "rv": 1, "cost": "0"}))
    every, _ = walk(admin, "/api/v1/interaction-types", {"limit": 500})
    items, _ = walk(admin, "/api/v1/interaction-types", {"level_from": 2, "level_to": 3})
    assert items and all(2 <= x["level"] <= 3 for x in items)
    assert len(items) == sum(1 for x in every if 2 <= x["level"] <= 3) < len(every)
    r = admin.get("/api/v1/contacts", params={"email": "CROWD7@EXAMPLE.COM"})
    assert [x["email"] for x in r.json()["items"]] == ["crowd7@example.com"]
    acc = base["account"]["id"]
    for amount, day in (("10.00", "2023-01-05"), ("20.00", "2023-02-05"), ("30.00", "2023-03-05")):
        created(admin.post("/api/v1/orders", json={"account_id": acc, "ordered_at": day,
                                                   "amount": amount, "external_id": uniq("o")}))
    r = admin.get("/api/v1/orders", params={"account_id": acc, "amount_from": "15",
                                            "amount_to": "30.00", "ordered_at_from": "2023-01-01",
                                            "ordered_at_to": "2023-02-28T23:59:59Z"})
    assert [x["amount"] for x in r.json()["items"]] == ["20.00"]


def test_search(admin, base):
    u = created(admin.post("/api/v1/units", json={"name": uniq("Search "), "kind": "dealer"}))
    a = new_contact(admin, base, first_name="Johanna", last_name="Quist", unit_id=u["id"],
                    email=uniq("jq") + "@quist.test")
    b = new_contact(admin, base, first_name="Peter", last_name="Johannsen", unit_id=u["id"])
    new_contact(admin, base, first_name="Zed", last_name="Other_x", unit_id=u["id"])

    def ids(q):
        r = admin.get("/api/v1/contacts", params={"q": q, "unit_id": u["id"]})
        assert r.status_code == 200, r.text
        return sorted(x["id"] for x in r.json()["items"])
    assert ids("johan") == sorted([a["id"], b["id"]])
    assert ids("JOHAN quist") == [a["id"]]
    assert ids("jq") == [a["id"]]  # email prefix
    assert ids("hann") == []       # prefixes only
    assert ids("Other_") != [] and ids("Other%") == []
    r = admin.get("/api/v1/accounts", params={"q": "acm"})
    assert base["account"]["id"] in [x["id"] for x in r.json()["items"]]
    r = admin.get("/api/v1/interaction-types", params={"q": "demo_c"})
    assert [x["id"] for x in r.json()["items"]] == [base["itype"]["id"]]


# ---- interactions and the timeline ----

def test_interaction_takes_rv_and_cost_from_its_type(admin, base):
    c = new_contact(admin, base)
    i = created(admin.post("/api/v1/interactions", json={
        "contact_id": c["id"], "type_id": base["itype"]["id"], "occurred_at": "2024-02-01"}))
    assert (i["rv"], i["cost"], i["channel"], i["source"]) == (7, "12.50", "phone", "api")
    assert i["user_id"] == admin.me["user"]["id"]
    j = created(admin.post("/api/v1/interactions", json={
        "contact_id": c["id"], "type_id": base["itype"]["id"], "occurred_at": "2024-02-02",
        "rv": -1, "cost": "0", "channel": "email", "source": "import"}))
    assert (j["rv"], j["cost"], j["channel"], j["source"]) == (-1, "0.00", "email", "import")


def test_interactions_are_voided_not_edited(admin, base):
    c = new_contact(admin, base)
    i = created(admin.post("/api/v1/interactions", json={
        "contact_id": c["id"], "type_id": base["itype"]["id"], "occurred_at": "2024-02-01",
        "direction": "outbound"}))
    error(admin.patch(f"/api/v1/interactions/{i['id']}", json={"notes": "x"}), 405)
    error(admin.delete(f"/api/v1/interactions/{i['id']}"), 405)
    r = admin.post(f"/api/v1/interactions/{i['id']}/void", json={"notes": "logged twice"})
    v = created(r)
    assert r.headers["Location"] == f"/api/v1/interactions/{v['id']}"
    assert v["voids_id"] == i["id"]
    assert (v["rv"], v["cost"]) == (-7, "-12.50")
    assert (v["contact_id"], v["type_id"], v["direction"]) == (c["id"], i["type_id"], "outbound")
    assert v["source"] == "api" and v["user_id"] == admin.me["user"]["id"]
    assert v["notes"] == "logged twice"
    error(admin.post(f"/api/v1/interactions/{i['id']}/void"), 409, code="conflict")
    error(admin.post(f"/api/v1/interactions/{v['id']}/void"), 409, code="conflict")
    error(admin.post("/api/v1/interactions/999999/void"), 404)
    error(admin.post(f"/api/v1/interactions/{i['id']}/void", json={"rv": 3}), 422, field="rv")
    assert admin.get(f"/api/v1/interactions/{i['id']}").json()["rv"] == 7


def test_timeline_newest_first_and_paginated(admin, base):
    c = new_contact(admin, base)
    other = new_contact(admin, base)
    t = base["itype"]["id"]
    acc = base["account"]["id"]
    created(admin.post("/api/v1/interactions", json={"contact_id": c["id"], "type_id": t,
                                                     "occurred_at": "2024-01-10"}))
    created(admin.post("/api/v1/orders", json={"account_id": acc, "contact_id": c["id"],
                                               "ordered_at": "2024-01-20", "amount": "5"}))
    created(admin.post("/api/v1/events", json={"kind": "repeat", "contact_id": c["id"],
                                               "occurred_at": "2024-01-15"}))
    created(admin.post("/api/v1/interactions", json={"contact_id": c["id"], "type_id": t,
                                                     "occurred_at": "2024-01-25"}))
    created(admin.post("/api/v1/interactions", json={"contact_id": other["id"], "type_id": t,
                                                     "occurred_at": "2024-01-12"}))
    created(admin.post("/api/v1/events", json={"kind": "churn", "contact_id": c["id"],
                                               "occurred_at": "2024-01-25"}))
    r = admin.get(f"/api/v1/contacts/{c['id']}/timeline")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(x["type"], x["at"][:10]) for x in items] == [
        ("event", "2024-01-25"), ("interaction", "2024-01-25"), ("order", "2024-01-20"),
        ("event", "2024-01-15"), ("interaction", "2024-01-10")]
    assert all(x["record"]["contact_id"] == c["id"] for x in items)
    walked, pages = walk(admin, f"/api/v1/contacts/{c['id']}/timeline", {"limit": 2})
    assert walked == items and pages == 3
    error(admin.get("/api/v1/contacts/999999/timeline"), 404)
    error(admin.get(f"/api/v1/contacts/{c['id']}/timeline", params={"cursor": "x"}), 400)


def test_delete_of_a_referenced_record_is_a_conflict(admin, base):
    c = new_contact(admin, base)
    created(admin.post("/api/v1/interactions", json={"contact_id": c["id"],
                                                     "type_id": base["itype"]["id"],
                                                     "occurred_at": "2024-01-10"}))
    e = error(admin.delete(f"/api/v1/contacts/{c['id']}"), 409)
    assert "interactions" in e["message"]
    e = error(admin.delete(f"/api/v1/units/{base['unit']['id']}"), 409)
    assert "teams.unit_id" in e["message"]
    e = error(admin.delete(f"/api/v1/interaction-types/{base['itype']['id']}"), 409)


def test_unit_cannot_become_its_own_ancestor(admin):
    a = created(admin.post("/api/v1/units", json={"name": uniq("A"), "kind": "partner"}))
    b = created(admin.post("/api/v1/units", json={"name": uniq("B"), "kind": "partner",
                                                  "parent_id": a["id"]}))
    error(admin.patch(f"/api/v1/units/{a['id']}", json={"parent_id": b["id"]}), 422,
          field="parent_id")
    error(admin.patch(f"/api/v1/units/{a['id']}", json={"parent_id": a["id"]}), 422,
          field="parent_id")


def test_writes_are_audited_without_values(admin, base):
    c = new_contact(admin, base, email=uniq("audit") + "@example.com")
    admin.patch(f"/api/v1/contacts/{c['id']}", json={"title": "Secret title"})
    r = admin.get("/api/v1/audit", params={"table": "contacts", "record_id": c["id"]})
    assert r.status_code == 200, r.text
    actions = [(e["action"], e["detail"]) for e in r.json()["items"]]
    assert ("create", None) in actions
    assert any(a == "update" and "title" in (d or "") for a, d in actions)
    assert "Secret title" not in r.text and c["email"] not in r.text


def test_openapi_is_served_without_sign_in(srv):
    r = requests.get(srv.url + "/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/contacts/{id}/timeline" in doc["paths"]
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json"),
              "rb") as f:
        assert f.read() == r.content


def test_reads_need_sign_in(srv):
    for path in ("/api/v1/contacts", "/api/v1/units/1", "/api/v1/contacts/1/timeline"):
        error(requests.get(srv.url + path), 401)
    error(requests.post(srv.url + "/api/v1/units", json={"name": "x", "kind": "dealer"}), 401)
