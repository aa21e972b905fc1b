"""Record-level access: every role against every resource route, with records inside and outside
its scope. The expected answer of each case comes from ORACLE below, a restatement of the rules
of docs/api.md ("Scope") that is independent of src/api/access.c.

The world is built once per module through the admin API: two units (N, a business unit, and P, a
partner), a team in each, a user of every role, and contacts, accounts, interactions, orders and
events owned, team-handled and unit-held in every combination that matters. Each role signs in
once.
"""
import os

import pytest

from conftest import PASSWORD, Client
from module_server import module_server

ROLES = ["admin", "executive", "analyst", "manager", "frontline", "frontline2", "partner"]
ROLE_OF = {"frontline2": "frontline"}

# What each role may read and change of accounts, contacts and what hangs off them. A record
# matches "unit" when its unit is the user's, "team" when its team is the user's, "self" when the
# user owns it; "all" matches everything.
ORACLE = {
    "admin": ({"all"}, {"all"}),
    "executive": ({"all"}, set()),
    "analyst": ({"all"}, set()),
    "manager": ({"unit", "team"}, {"unit", "team"}),
    "frontline": ({"unit", "team", "self"}, {"team", "self"}),
    "partner": ({"unit"}, {"unit"}),
}
CATALOGUE = ["units", "teams", "interaction-types", "products"]
RECORDS = ["accounts", "contacts", "interactions", "orders", "events"]


def matches(grants, user, anchor):
    if anchor is None:
        return "all" in grants
    unit, team, owner = anchor
    return ("all" in grants or ("unit" in grants and unit and unit == user["unit_id"])
            or ("team" in grants and team and team == user["team_id"])
            or ("self" in grants and owner and owner == user["id"]))


class World:
    def __init__(self, srv):
        self.srv = srv
        self.admin = Client(srv.url, "admin@example.com")
        self.records = {t: {} for t in RECORDS + CATALOGUE + ["users"]}
        self.anchor = {}  # (table, id) -> (unit, team, owner) of the row that scopes it
        self.users = {}
        self.clients = {}

    def post(self, path, body):
        r = self.admin.post(path, json=body)
        assert r.status_code == 201, (path, body, r.text)
        return r.json()

    # the scope anchor of a record, as the rules define it
    def anchor_of(self, table, rec):
        if table in ("contacts", "accounts"):
            return (rec["unit_id"], rec["team_id"], rec["owner_id"])
        if table == "interactions":
            return self.anchor[("contacts", rec["contact_id"])]
        if table in ("orders", "events"):
            if rec.get("contact_id"):
                return self.anchor[("contacts", rec["contact_id"])]
            if rec.get("account_id"):
                return self.anchor[("accounts", rec["account_id"])]
            return None
        raise AssertionError(table)

    def keep(self, table, name, rec):
        self.records[table][name] = rec
        if table in RECORDS:
            self.anchor[(table, rec["id"])] = self.anchor_of(table, rec)
        return rec

    def role_user(self, role):
        return self.users[role]

    def can(self, role, table, rec, write):
        """The oracle: may role read (write False) or change (write True) rec of table?"""
        user = self.users[role]
        r = ROLE_OF.get(role, role)
        if table in CATALOGUE:
            return r == "admin" if write else True
        if table == "users":
            if write:
                return r == "admin"
            if r == "admin":
                return True
            if r == "manager":
                return rec["id"] == user["id"] or rec["unit_id"] == user["unit_id"] or (
                    rec["team_id"] and rec["team_id"] == user["team_id"])
            return rec["id"] == user["id"]
        grants = ORACLE[r][1 if write else 0]
        return matches(grants, user, self.anchor[(table, rec["id"])])


def build(srv):
    w = World(srv)
    a = w.admin
    n = w.post("/api/v1/units", {"name": "North", "kind": "business_unit"})
    p = w.post("/api/v1/units", {"name": "Dealer P", "kind": "partner", "parent_id": n["id"]})
    tn = w.post("/api/v1/teams", {"name": "North key accounts", "kind": "virtual_account",
                                  "unit_id": n["id"]})
    tp = w.post("/api/v1/teams", {"name": "Dealer team", "kind": "virtual_account",
                                  "unit_id": p["id"]})
    for t, name, rec in (("units", "N", n), ("units", "P", p), ("teams", "TN", tn),
                         ("teams", "TP", tp)):
        w.keep(t, name, rec)
    w.keep("interaction-types", "call", w.post("/api/v1/interaction-types", {
        "code": "call", "name": "Call", "phase": "acquisition", "level": 1, "channel": "phone",
        "touch": 0.9, "tech": 0.1, "rv": 3, "cost": "5.00"}))
    w.keep("products", "widget", w.post("/api/v1/products", {"sku": "W-1", "name": "Widget"}))
    w.users["admin"] = a.me["user"]
    w.keep("users", "admin", a.me["user"])
    homes = {"executive": (n, None), "analyst": (n, None), "manager": (n, tn),
             "frontline": (n, tn), "frontline2": (n, None), "partner": (p, tp)}
    for role, (unit, team) in homes.items():
        body = {"email": f"{role}@example.com", "name": role, "role": ROLE_OF.get(role, role),
                "unit_id": unit["id"], "team_id": team["id"] if team else None,
                "password": PASSWORD}
        u = w.post("/api/v1/users", body)
        w.users[role] = u
        w.keep("users", role, u)
    w.clients["admin"] = a
    for role in homes:
        w.clients[role] = Client(srv.url, f"{role}@example.com")

    f, f2, pu = w.users["frontline"]["id"], w.users["frontline2"]["id"], w.users["partner"]["id"]
    # (unit, team, owner) combinations: each role finds some inside and some outside its scope
    variants = {
        "own": (n["id"], None, f),           # frontline owns it
        "team": (p["id"], tn["id"], pu),     # handled by team TN, held by unit P
        "unit": (n["id"], None, f2),         # unit N, someone else's
        "partner": (p["id"], tp["id"], pu),  # the partner's own
        "nobody": (None, None, None),        # no unit, team or owner
    }
    for name, (unit, team, owner) in variants.items():
        acc = w.keep("accounts", name, w.post("/api/v1/accounts", {
            "name": f"Account {name}", "unit_id": unit, "team_id": team, "owner_id": owner}))
        c = w.keep("contacts", name, w.post("/api/v1/contacts", {
            "last_name": f"Contact {name}", "unit_id": unit, "team_id": team, "owner_id": owner,
            "account_id": acc["id"], "email": f"{name}@contacts.test"}))
        w.keep("interactions", name, w.post("/api/v1/interactions", {
            "contact_id": c["id"], "type_id": w.records["interaction-types"]["call"]["id"],
            "occurred_at": "2024-01-01"}))
        w.keep("orders", name, w.post("/api/v1/orders", {
            "account_id": acc["id"], "contact_id": c["id"], "ordered_at": "2024-01-02",
            "amount": "10.00"}))
        w.keep("orders", name + "-by-account", w.post("/api/v1/orders", {
            "account_id": acc["id"], "ordered_at": "2024-01-03", "amount": "11.00"}))
        w.keep("events", name, w.post("/api/v1/events", {
            "kind": "repeat", "contact_id": c["id"], "occurred_at": "2024-01-04"}))
        w.keep("events", name + "-by-account", w.post("/api/v1/events", {
            "kind": "upsell", "account_id": acc["id"], "occurred_at": "2024-01-05"}))
    w.keep("events", "orphan", w.post("/api/v1/events", {"kind": "create",
                                                         "occurred_at": "2024-01-06"}))
    w.variants = variants
    return w


@pytest.fixture(scope="module")
def world():
    with module_server() as srv:
        yield build(srv)


TABLES = CATALOGUE + ["users"] + RECORDS
CASES = [(role, table) for role in ROLES for table in TABLES]
IDS = [f"{r}-{t}" for r, t in CASES]


@pytest.mark.parametrize("role,table", CASES, ids=IDS)
def test_list_shows_exactly_the_readable(world, role, table):
    r = world.clients[role].get(f"/api/v1/{table}", params={"limit": 500})
    assert r.status_code == 200, r.text
    listed = {x["id"] for x in r.json()["items"]}
    fixture = {rec["id"]: rec for rec in world.records[table].values()}
    want = {i for i, rec in fixture.items() if world.can(role, table, rec, False)}
    assert listed & set(fixture) == want


@pytest.mark.parametrize("role,table", CASES, ids=IDS)
def test_get_inside_and_outside(world, role, table):
    inside = outside = 0
    for rec in world.records[table].values():
        r = world.clients[role].get(f"/api/v1/{table}/{rec['id']}")
        if world.can(role, table, rec, False):
            assert r.status_code == 200, (rec, r.text)
            assert r.json()["id"] == rec["id"]
            inside += 1
        else:
            assert r.status_code == 404, (rec, r.text)
            assert r.json()["error"]["code"] == "not_found"
            outside += 1
    assert inside > 0


# A PATCH that keeps the record where it is.
HARMLESS = {"units": {"external_id": None}, "teams": {"kind": "virtual_account"},
            "interaction-types": {"description": "checked"}, "products": {"category": "c"},
            "users": {"hourly_cost": "10.00"}, "accounts": {"industry": "steel"},
            "contacts": {"title": "Buyer"}, "orders": {"margin": "1.00"},
            "events": {"notes": "seen"}}
WRITERS = {"admin", "manager", "frontline", "frontline2", "partner"}


def route_allows(role, table, write):
    """The route table's role check (before any scope)."""
    if not write:
        return True
    if table in CATALOGUE or table == "users":
        return role == "admin"
    return role in WRITERS


def expected_change(world, role, table, rec):
    if not route_allows(role, table, True):
        return 403
    if not world.can(role, table, rec, False):
        return 404
    return None if world.can(role, table, rec, True) else 403


PATCH_CASES = [(r, t) for r, t in CASES if t != "interactions"]


@pytest.mark.parametrize("role,table", PATCH_CASES, ids=[f"{r}-{t}" for r, t in PATCH_CASES])
def test_patch_inside_and_outside(world, role, table):
    for name, rec in world.records[table].items():
        r = world.clients[role].patch(f"/api/v1/{table}/{rec['id']}", json=HARMLESS[table])
        want = expected_change(world, role, table, rec) or 200
        assert r.status_code == want, (name, r.text)


def fresh(world, table, name):
    """A new record of table shaped like the fixture record name (same scope), made by admin."""
    recs = world.records
    if table in CATALOGUE:
        body = {"units": {"name": f"Tmp {len(world.anchor)}-{os.urandom(4).hex()}",
                          "kind": "dealer"},
                "teams": {"name": f"Tmp {os.urandom(4).hex()}", "kind": "closing",
                          "unit_id": recs["units"]["N"]["id"]},
                "interaction-types": {"code": f"tmp_{os.urandom(4).hex()}", "name": "T",
                                      "phase": "closing", "level": 1, "channel": "x",
                                      "touch": 0, "tech": 0, "rv": 0, "cost": "0"},
                "products": {"sku": f"TMP-{os.urandom(4).hex()}", "name": "T"}}[table]
        return world.post(f"/api/v1/{table}", body)
    base = recs[table][name]
    if table in ("accounts", "contacts"):
        body = {k: base[k] for k in ("unit_id", "team_id", "owner_id")}
        body["name" if table == "accounts" else "last_name"] = "Tmp"
    elif table == "interactions":
        body = {k: base[k] for k in ("contact_id", "type_id", "occurred_at")}
    elif table == "orders":
        body = {k: base[k] for k in ("account_id", "contact_id", "ordered_at", "amount")}
    else:
        body = {k: base[k] for k in ("kind", "contact_id", "account_id", "occurred_at")}
    rec = world.post(f"/api/v1/{table}", body)
    world.anchor[(table, rec["id"])] = world.anchor_of(table, rec)
    return rec


DELETE_CASES = [(r, t) for r, t in CASES if t not in ("interactions", "users")]


@pytest.mark.parametrize("role,table", DELETE_CASES, ids=[f"{r}-{t}" for r, t in DELETE_CASES])
def test_delete_inside_and_outside(world, role, table):
    names = ["x"] if table in CATALOGUE else list(world.records[table])
    for name in names:
        rec = fresh(world, table, name)
        r = world.clients[role].delete(f"/api/v1/{table}/{rec['id']}")
        want = expected_change(world, role, table, rec) or 204
        assert r.status_code == want, (name, r.text)
        still = world.admin.get(f"/api/v1/{table}/{rec['id']}").status_code
        assert still == (404 if want == 204 else 200)


@pytest.mark.parametrize("role", ROLES)
def test_void_inside_and_outside(world, role):
    for name in world.variants:
        rec = fresh(world, "interactions", name)
        r = world.clients[role].post(f"/api/v1/interactions/{rec['id']}/void")
        want = expected_change(world, role, "interactions", rec) or 201
        assert r.status_code == want, (name, r.text)


@pytest.mark.parametrize("role", ROLES)
def test_timeline_inside_and_outside(world, role):
    for name, rec in world.records["contacts"].items():
        r = world.clients[role].get(f"/api/v1/contacts/{rec['id']}/timeline")
        if world.can(role, "contacts", rec, False):
            assert r.status_code == 200, (name, r.text)
            kinds = {x["type"] for x in r.json()["items"]}
            assert kinds == {"event", "interaction", "order"}
        else:
            assert r.status_code == 404, (name, r.text)


@pytest.mark.parametrize("role", ROLES)
def test_create_hanging_off_each_contact(world, role):
    """POST interactions, orders and events for each contact: 201 inside the change scope, 403
    for a contact one may only read, 404 (naming the field) for one out of sight."""
    itype = world.records["interaction-types"]["call"]["id"]
    for name, c in world.records["contacts"].items():
        acc = world.records["accounts"][name]
        bodies = {
            "interactions": {"contact_id": c["id"], "type_id": itype, "occurred_at": "2024-02-01"},
            "orders": {"contact_id": c["id"], "account_id": acc["id"], "amount": "1",
                       "ordered_at": "2024-02-01"},
            "events": {"contact_id": c["id"], "kind": "referral", "occurred_at": "2024-02-01"},
        }
        for table, body in bodies.items():
            r = world.clients[role].post(f"/api/v1/{table}", json=body)
            if not route_allows(role, table, True):
                assert r.status_code == 403, (table, name, r.text)
            elif not world.can(role, "contacts", c, False):
                assert r.status_code == 404, (table, name, r.text)
                assert r.json()["error"]["field"] in ("contact_id", "account_id")
            elif not world.can(role, "contacts", c, True):
                assert r.status_code == 403, (table, name, r.text)
            else:
                assert r.status_code == 201, (table, name, r.text)


@pytest.mark.parametrize("role", ROLES)
def test_create_contacts_and_accounts_inside_and_outside(world, role):
    user = world.users[role]
    n, p = world.records["units"]["N"]["id"], world.records["units"]["P"]["id"]
    other_unit = p if user["unit_id"] == n else n
    for table, name_field in (("contacts", "last_name"), ("accounts", "name")):
        # inside: the defaults (the caller's unit, the caller as owner) put it in scope
        r = world.clients[role].post(f"/api/v1/{table}", json={name_field: "Mine"})
        if not route_allows(role, table, True):
            assert r.status_code == 403, r.text
            continue
        assert r.status_code == 201, (table, r.text)
        rec = r.json()
        assert rec["unit_id"] == user["unit_id"]
        assert rec["owner_id"] == (None if role == "admin" else user["id"])
        # outside: another unit, no owner, no team
        r = world.clients[role].post(f"/api/v1/{table}", json={
            name_field: "Elsewhere", "unit_id": other_unit, "owner_id": None})
        assert r.status_code == (201 if role == "admin" else 403), (table, r.text)


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_and_users_are_admin_writes(world, role):
    bodies = {"units": {"name": f"U-{role}", "kind": "dealer"},
              "teams": {"name": f"T-{role}", "kind": "closing",
                        "unit_id": world.records["units"]["N"]["id"]},
              "interaction-types": {"code": f"c_{role}", "name": "C", "phase": "closing",
                                    "level": 1, "channel": "x", "touch": 0, "tech": 0,
                                    "rv": 0, "cost": "0"},
              "products": {"sku": f"S-{role}", "name": "P"},
              "users": {"email": f"new-{role}@example.com", "name": "N", "role": "analyst"}}
    for table, body in bodies.items():
        r = world.clients[role].post(f"/api/v1/{table}", json=body)
        assert r.status_code == (201 if role == "admin" else 403), (table, r.text)


@pytest.mark.parametrize("role", [r for r in ROLES if r in WRITERS and r != "admin"])
def test_references_out_of_sight_are_not_found(world, role):
    """A body may only name records the caller can read: otherwise 404, naming the field."""
    user = world.users[role]
    mine = world.clients[role].post("/api/v1/contacts", json={"last_name": "Ref test"}).json()
    for name, acc in world.records["accounts"].items():
        r = world.clients[role].patch(f"/api/v1/contacts/{mine['id']}",
                                      json={"account_id": acc["id"]})
        if world.can(role, "accounts", acc, False):
            assert r.status_code == 200, (name, r.text)
        else:
            assert r.status_code == 404, (name, r.text)
            assert r.json()["error"]["field"] == "account_id"
    for other, u in world.users.items():
        r = world.clients[role].patch(f"/api/v1/contacts/{mine['id']}",
                                      json={"owner_id": u["id"]})
        if u["id"] == user["id"]:
            assert r.status_code == 200, r.text
        elif not world.can(role, "users", u, False):
            assert r.status_code == 404, (other, r.text)
            assert r.json()["error"]["field"] == "owner_id"
        else:
            assert r.status_code == 200, (other, r.text)


def test_frontline_cannot_move_a_contact_out_of_reach(world):
    fl = world.clients["frontline"]
    c = fl.post("/api/v1/contacts", json={"last_name": "Keep"}).json()
    r = fl.patch(f"/api/v1/contacts/{c['id']}", json={"owner_id": None})
    assert r.status_code == 403, r.text
    assert world.admin.get(f"/api/v1/contacts/{c['id']}").json()["owner_id"] == c["owner_id"]
    tn = world.records["teams"]["TN"]["id"]
    r = fl.patch(f"/api/v1/contacts/{c['id']}", json={"owner_id": None, "team_id": tn})
    assert r.status_code == 200, r.text  # the team still handles it


def test_scoped_lists_paginate(world):
    """A scoped list walks with the cursor like any other."""
    fl = world.clients["frontline"]
    seen, cursor = [], None
    while True:
        params = {"limit": 1, "sort": "-last_name"}
        if cursor:
            params["cursor"] = cursor
        page = fl.get("/api/v1/contacts", params=params).json()
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    all_visible = [x["id"] for x in fl.get("/api/v1/contacts", params={"limit": 500}).json()["items"]]
    assert sorted(seen) == sorted(all_visible) and len(seen) == len(set(seen))
