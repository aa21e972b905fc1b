"""Record-level access: every role against every resource route, with records inside and outside
its scope. The expected answer of each case comes from ORACLE below, a restatement of the rules
of docs/api.md ("Scope") that is independent of src/api/access.c.

The world is built once per module through the admin API: two units (N, a business unit, and P, a
partner), a team in each, a user of every role, and contacts, accounts, interactions, orders and
events owned, team-handled and unit-held in every combination that matters. Each role signs in
once.

Deals are records like accounts (own unit, team and owner; lines and stage changes through their
deal), with their own routes for each role: read, create into each unit, team and owner, move
there, move to another stage. Deal stages are catalogue.

P is an independent unit (a partner) that keeps its detail private: executives and analysts of
the principal do not see its contacts nor what hangs off them, nor its deals and their lines and
history (docs/internals/access.md, "Independent units"). Writes are judged also by where they put a record: the unit, team and
owner a create or a change names must be within the writer's reach (PLACE below).
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
# Where each role may put a record it creates or changes (its unit_id, team_id, owner_id): a
# predicate on the target unit / team / user row, given the user. None (null) is always fine for
# team and owner, and for the unit only where "all" is.
PLACE = {
    "admin": {"unit": lambda u, x: True, "team": lambda u, x: True, "owner": lambda u, x: True},
    "manager": {
        "unit": lambda u, x: x["id"] == u["unit_id"],
        "team": lambda u, x: x["unit_id"] == u["unit_id"] or x["id"] == u["team_id"],
        "owner": lambda u, x: x["unit_id"] == u["unit_id"] or (
            x["team_id"] is not None and x["team_id"] == u["team_id"]),
    },
    "frontline": {
        "unit": lambda u, x: x["id"] == u["unit_id"],
        "team": lambda u, x: x["id"] == u["team_id"],
        "owner": lambda u, x: x["id"] == u["id"] or (
            x["team_id"] is not None and x["team_id"] == u["team_id"]),
    },
    "partner": {
        "unit": lambda u, x: x["id"] == u["unit_id"],
        "team": lambda u, x: x["unit_id"] == u["unit_id"],
        "owner": lambda u, x: x["unit_id"] == u["unit_id"],
    },
}
# Units of these kinds are independent companies; without shares_detail their contacts (and what
# hangs off them) are hidden from the principal's executives and analysts.
INDEPENDENT = {"partner", "distributor", "dealer"}
SEES_ALL_BUT_PRIVATE = {"executive", "analyst"}
CATALOGUE = ["units", "teams", "interaction-types", "products", "deal-stages"]
RECORDS = ["accounts", "contacts", "interactions", "orders", "events", "deals", "deal-lines",
           "deal-stage-changes"]
# The records whose unit may keep them private from the principal (they and what hangs off them).
PRIVATE_DETAIL = {"contacts", "deals"}


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
        self.through = {}  # (table, id) -> "contacts" or "accounts": the table of that row
        self.users = {}
        self.clients = {}
        self.home_accounts = {}  # role -> an account made for the deals role creates

    def post(self, path, body):
        r = self.admin.post(path, json=body)
        assert r.status_code == 201, (path, body, r.text)
        return r.json()

    # the scope anchor of a record, as the rules define it
    def anchor_of(self, table, rec):
        """(anchor, table of the anchor row) of a record, as the rules define them."""
        if table in ("contacts", "accounts", "deals"):
            return (rec["unit_id"], rec["team_id"], rec["owner_id"]), table
        if table in ("deal-lines", "deal-stage-changes"):
            return self.anchor[("deals", rec["deal_id"])], "deals"
        if table == "interactions":
            return self.anchor[("contacts", rec["contact_id"])], "contacts"
        if table in ("orders", "events"):
            if rec.get("contact_id"):
                return self.anchor[("contacts", rec["contact_id"])], "contacts"
            if rec.get("account_id"):
                return self.anchor[("accounts", rec["account_id"])], "accounts"
            return None, None
        raise AssertionError(table)

    def remember(self, table, rec):
        self.anchor[(table, rec["id"])], self.through[(table, rec["id"])] = \
            self.anchor_of(table, rec)

    def keep(self, table, name, rec):
        self.records[table][name] = rec
        if table in RECORDS:
            self.remember(table, rec)
        return rec

    def unit_is_private(self, unit_id):
        units = {u["id"]: u for u in self.records["units"].values()}
        u = units.get(unit_id)
        return bool(u) and u["kind"] in INDEPENDENT and not u.get("shares_detail")

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
        anchor = self.anchor[(table, rec["id"])]
        if (not write and r in SEES_ALL_BUT_PRIVATE and anchor
                and self.through[(table, rec["id"])] in PRIVATE_DETAIL
                and self.unit_is_private(anchor[0])):
            return False
        return matches(grants, user, anchor)


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
    w.keep("deal-stages", "matrix", w.post("/api/v1/deal-stages", {
        "name": "Matrix", "position": 50, "probability": 0.5, "kind": "open"}))
    w.stage = {x["name"]: x for x in a.get("/api/v1/deal-stages",
                                           params={"limit": 500}).json()["items"]}
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
        deal = w.keep("deals", name, w.post("/api/v1/deals", {
            "name": f"Deal {name}", "account_id": acc["id"],
            "stage_id": w.stage["Prospecting"]["id"], "unit_id": unit, "team_id": team,
            "owner_id": owner}))
        w.keep("deal-lines", name, w.post("/api/v1/deal-lines", {
            "deal_id": deal["id"], "product_id": w.records["products"]["widget"]["id"],
            "quantity": 1, "amount": "9.00"}))
        first, = a.get("/api/v1/deal-stage-changes",
                       params={"deal_id": deal["id"]}).json()["items"]
        w.keep("deal-stage-changes", name, first)
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
            "events": {"notes": "seen"}, "deal-stages": {"probability": 0.5},
            "deals": {"source": "matrix"}, "deal-lines": {"quantity": 2}}
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


PATCH_CASES = [(r, t) for r, t in CASES if t not in ("interactions", "deal-stage-changes")]


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
                "products": {"sku": f"TMP-{os.urandom(4).hex()}", "name": "T"},
                "deal-stages": {"name": f"Tmp {os.urandom(4).hex()}", "position": 60,
                                "probability": 0.2, "kind": "open"}}[table]
        return world.post(f"/api/v1/{table}", body)
    base = recs[table][name]
    if table in ("accounts", "contacts"):
        body = {k: base[k] for k in ("unit_id", "team_id", "owner_id")}
        body["name" if table == "accounts" else "last_name"] = "Tmp"
    elif table == "interactions":
        body = {k: base[k] for k in ("contact_id", "type_id", "occurred_at")}
    elif table == "orders":
        body = {k: base[k] for k in ("account_id", "contact_id", "ordered_at", "amount")}
    elif table == "deals":
        body = {k: base[k] for k in ("account_id", "stage_id", "unit_id", "team_id", "owner_id")}
    elif table == "deal-lines":
        body = {k: base[k] for k in ("deal_id", "product_id", "quantity", "amount")}
    else:
        body = {k: base[k] for k in ("kind", "contact_id", "account_id", "occurred_at")}
    rec = world.post(f"/api/v1/{table}", body)
    world.remember(table, rec)
    return rec


# Interactions are voided, users disabled; deals are lost, not deleted, and their history stays.
DELETE_CASES = [(r, t) for r, t in CASES
                if t not in ("interactions", "users", "deals", "deal-stage-changes")]


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
              "deal-stages": {"name": f"D-{role}", "position": 70, "probability": 0.1,
                              "kind": "open"},
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


# ---- where a write puts a record: create-into and move-to targets -----------------------------

PLACE_FIELDS = {"unit_id": ("unit", "units"), "team_id": ("team", "teams"),
                "owner_id": ("owner", "users")}


def may_place(world, role, field, target_id):
    """The oracle of placement: may role name target_id (None: null) as field of a record?"""
    r = ROLE_OF.get(role, role)
    kind, table = PLACE_FIELDS[field]
    if r not in PLACE:
        return False
    if target_id is None:
        return kind != "unit" or r == "admin"
    rows = {x["id"]: x for x in world.records[table].values()}
    return PLACE[r][kind](world.users[role], rows[target_id])


def expected_write(world, role, field, target_id, after):
    """Status of a create or change that sets field to target_id and leaves the record's (unit,
    team, owner) as after: 403 for the route, 404 for an owner out of sight, 403 out of reach,
    403 when the record would leave the writer's change scope, else None (success)."""
    if not route_allows(role, "contacts", True):
        return 403
    if field == "owner_id" and target_id is not None and not world.can(
            role, "users", next(u for u in world.users.values() if u["id"] == target_id), False):
        return 404
    if not may_place(world, role, field, target_id):
        return 403
    if not matches(ORACLE[ROLE_OF.get(role, role)][1], world.users[role], after):
        return 403
    return None


def targets(world):
    """Every unit, team and user of the world, and null, per placement field."""
    return {"unit_id": [x["id"] for x in world.records["units"].values()][:2] + [None],
            "team_id": [world.records["teams"][t]["id"] for t in ("TN", "TP")] + [None],
            "owner_id": [u["id"] for u in world.users.values()] + [None]}


def defaults(world, role):
    """(unit, team, owner) a body that names none of them gets (resource_prepare_owned)."""
    user = world.users[role]
    return [user["unit_id"], None, None if role == "admin" else user["id"]]


def home_account(world, role):
    """An account role may read (made once by admin where role works), for the deals role makes."""
    if role not in world.home_accounts:
        world.home_accounts[role] = own_record(world, role, "accounts")
    return world.home_accounts[role]


def placed_body(world, role, table):
    """The least a create of table needs, placing nothing: the defaults place it."""
    if table == "deals":
        return {"name": "Placed", "account_id": home_account(world, role)["id"],
                "stage_id": world.stage["Prospecting"]["id"]}
    return {"name" if table == "accounts" else "last_name": "Placed"}


PLACED = ("contacts", "accounts", "deals")


@pytest.mark.parametrize("role", ROLES)
def test_create_into_each_unit_team_and_owner(world, role):
    for table in PLACED:
        for field, values in targets(world).items():
            for value in values:
                after = defaults(world, role)
                after[["unit_id", "team_id", "owner_id"].index(field)] = value
                r = world.clients[role].post(f"/api/v1/{table}", json={
                    **placed_body(world, role, table), field: value})
                want = expected_write(world, role, field, value, tuple(after)) or 201
                assert r.status_code == want, (table, field, value, r.text)
                if want == 403 and route_allows(role, table, True):
                    assert r.json()["error"]["code"] == "forbidden"
                if want == 201:
                    got = r.json()
                    assert (got["unit_id"], got["team_id"], got["owner_id"]) == tuple(after)


def own_record(world, role, table):
    """A record role may change, made by admin where role works: its unit and team, owned by it."""
    user = world.users[role]
    body = {"unit_id": user["unit_id"], "team_id": user["team_id"],
            "owner_id": None if role == "admin" else user["id"]}
    if table == "deals":
        body.update(name="Movable", account_id=home_account(world, role)["id"],
                    stage_id=world.stage["Prospecting"]["id"])
    else:
        body["name" if table == "accounts" else "last_name"] = "Movable"
    return world.post(f"/api/v1/{table}", body)


@pytest.mark.parametrize("role", [r for r in ROLES if r in WRITERS])
def test_move_to_each_unit_team_and_owner(world, role):
    for table in PLACED:
        for field, values in targets(world).items():
            for value in values:
                rec = own_record(world, role, table)
                after = [rec["unit_id"], rec["team_id"], rec["owner_id"]]
                after[["unit_id", "team_id", "owner_id"].index(field)] = value
                r = world.clients[role].patch(f"/api/v1/{table}/{rec['id']}",
                                              json={field: value})
                want = expected_write(world, role, field, value, tuple(after)) or 200
                assert r.status_code == want, (table, field, value, r.text)
                now = world.admin.get(f"/api/v1/{table}/{rec['id']}").json()
                assert now[field] == (value if want == 200 else rec[field])


def test_partner_cannot_plant_a_contact_in_another_company_team(world):
    tn = world.records["teams"]["TN"]["id"]
    r = world.clients["partner"].post("/api/v1/contacts", json={"last_name": "Plant",
                                                                 "team_id": tn})
    assert r.status_code == 403, r.text
    assert r.json()["error"]["field"] == "team_id"


def test_manager_cannot_hand_a_contact_to_the_partner(world):
    mine = own_record(world, "manager", "contacts")
    p, tp = world.records["units"]["P"]["id"], world.records["teams"]["TP"]["id"]
    for body in ({"unit_id": p}, {"team_id": tp}, {"unit_id": p, "team_id": tp}):
        r = world.clients["manager"].patch(f"/api/v1/contacts/{mine['id']}", json=body)
        assert r.status_code == 403, (body, r.text)
    now = world.admin.get(f"/api/v1/contacts/{mine['id']}").json()
    assert (now["unit_id"], now["team_id"]) == (mine["unit_id"], mine["team_id"])


# ---- unique keys out of sight answer as unknown ones -----------------------------------------

def answer(r):
    body = r.json() if r.content else None
    return r.status_code, body and body.get("error", {}).get("code"), \
        body and body.get("error", {}).get("field")


@pytest.mark.parametrize("role", [r for r in ROLES if r in WRITERS and r != "admin"])
def test_taken_keys_out_of_sight_answer_as_unknown_ones(world, role):
    """A write the caller may not make answers the same whether the email or external id it
    carries is taken by a record the caller cannot see or is unknown."""
    cl, user = world.clients[role], world.users[role]
    hidden = [c for c in world.records["contacts"].values()
              if not world.can(role, "contacts", c, False) and c.get("email")]
    assert hidden
    taken = world.post("/api/v1/contacts", {"last_name": "Held", "unit_id": hidden[0]["unit_id"],
                                            "team_id": hidden[0]["team_id"],
                                            "owner_id": hidden[0]["owner_id"],
                                            "external_id": f"ext-{role}"})
    other_unit = next(u["id"] for u in world.records["units"].values()
                      if u["id"] != user["unit_id"])
    fresh = os.urandom(4).hex()
    pairs = [({"email": hidden[0]["email"]}, {"email": f"{fresh}@unknown.test"}),
             ({"external_id": taken["external_id"]}, {"external_id": f"unknown-{fresh}"})]
    mine = own_record(world, role, "contacts")
    for taken_key, unknown_key in pairs:
        # create outside one's reach
        outside = {"last_name": "Probe", "unit_id": other_unit}
        a = cl.post("/api/v1/contacts", json={**outside, **taken_key})
        b = cl.post("/api/v1/contacts", json={**outside, **unknown_key})
        assert answer(a) == answer(b) == (403, "forbidden", "unit_id"), (a.text, b.text)
        # move one's own contact out of reach
        a = cl.patch(f"/api/v1/contacts/{mine['id']}", json={"unit_id": other_unit, **taken_key})
        b = cl.patch(f"/api/v1/contacts/{mine['id']}",
                     json={"unit_id": other_unit, **unknown_key})
        assert answer(a) == answer(b) == (403, "forbidden", "unit_id"), (a.text, b.text)
        # natural-key lookups: a filter on the key finds nothing, as for an unknown key
        for key in (taken_key, unknown_key):
            r = cl.get("/api/v1/contacts", params=key)
            assert r.status_code == 200 and r.json()["items"] == [], r.text
    # an interaction with a taken external id on a contact one may only read
    itype = world.records["interaction-types"]["call"]["id"]
    readable = [c for c in world.records["contacts"].values()
                if world.can(role, "contacts", c, False)
                and not world.can(role, "contacts", c, True)]
    held = world.post("/api/v1/interactions", {"contact_id": hidden[0]["id"], "type_id": itype,
                                               "occurred_at": "2024-03-01",
                                               "external_id": f"int-{role}"})
    for c in readable:
        a = cl.post("/api/v1/interactions", json={"contact_id": c["id"], "type_id": itype,
                                                  "occurred_at": "2024-03-02",
                                                  "external_id": held["external_id"]})
        b = cl.post("/api/v1/interactions", json={"contact_id": c["id"], "type_id": itype,
                                                  "occurred_at": "2024-03-02",
                                                  "external_id": f"int-unknown-{fresh}"})
        assert answer(a) == answer(b) and a.status_code == 403, (a.text, b.text)


# ---- independent units keep their detail private --------------------------------------------

def test_an_independent_unit_can_share_its_detail(world):
    """A distributor that grants its detail (shares_detail) is seen by executives and analysts;
    once it withdraws the grant, its contacts and their interactions answer 404 again."""
    d = world.post("/api/v1/units", {"name": f"Distributor {os.urandom(3).hex()}",
                                     "kind": "distributor", "shares_detail": True})
    assert d["shares_detail"] is True
    c = world.post("/api/v1/contacts", {"last_name": "Shared", "unit_id": d["id"]})
    i = world.post("/api/v1/interactions", {
        "contact_id": c["id"], "type_id": world.records["interaction-types"]["call"]["id"],
        "occurred_at": "2024-04-01"})
    for shares in (True, False, True):
        r = world.admin.patch(f"/api/v1/units/{d['id']}", json={"shares_detail": shares})
        assert r.status_code == 200, r.text
        for role in ROLES:
            cl = world.clients[role]
            see = role == "admin" or (role in SEES_ALL_BUT_PRIVATE and shares)
            for path in (f"/api/v1/contacts/{c['id']}", f"/api/v1/interactions/{i['id']}",
                         f"/api/v1/contacts/{c['id']}/timeline",
                         f"/api/v1/rv/contacts/{c['id']}"):
                got = cl.get(path).status_code
                if path.startswith("/api/v1/rv/"):
                    assert got != 200 or see, (role, shares, path)
                    assert see or got == 404, (role, shares, path, got)
                else:
                    assert got == (200 if see else 404), (role, shares, path)
            listed = {x["id"] for x in cl.get("/api/v1/contacts",
                                              params={"unit_id": d["id"]}).json()["items"]}
            assert listed == ({c["id"]} if see else set()), (role, shares)


@pytest.mark.parametrize("role", sorted(SEES_ALL_BUT_PRIVATE))
def test_rv_aggregates_still_count_private_contacts(world, role):
    """The norm and the unit comparison an executive or analyst sees count every contact, the
    partner's private ones included (as the admin's do); the exceptions name none of those."""
    cl = world.clients[role]
    for path in ("/api/v1/rv/norm", "/api/v1/rv/units"):
        mine, admins = cl.get(path), world.admin.get(path)
        assert admins.status_code == 200, admins.text  # kith serve always runs the RV engine
        assert mine.status_code == 200, mine.text
        strip = lambda j: {k: v for k, v in j.items() if k not in ("own_unit", "as_of")}
        if path.endswith("norm"):
            assert strip(mine.json()) == strip(admins.json())
    r = cl.get("/api/v1/rv/exceptions", params={"limit": 500})
    assert r.status_code == 200, r.text
    private = {c["id"] for c in world.records["contacts"].values()
               if not world.can(role, "contacts", c, False)}
    named = {x["contact_id"] for x in r.json()["exceptions"]}
    assert not (named & private)


def test_a_placement_left_as_it_is_is_no_move(world):
    """A PATCH that repeats the unit, team and owner a record already has (an admin put the
    manager's team's contact in the partner's unit) moves nothing and is allowed."""
    rec = fresh(world, "contacts", "team")
    body = {k: rec[k] for k in ("unit_id", "team_id")}  # its owner is a user out of sight
    r = world.clients["manager"].patch(f"/api/v1/contacts/{rec['id']}", json=body)
    assert r.status_code == 200, r.text
    r = world.clients["manager"].patch(f"/api/v1/contacts/{rec['id']}",
                                       json={**body, "owner_id": world.users["manager"]["id"]})
    assert r.status_code == 200, r.text  # the owner moves within reach; the unit stays


# ---- deals: stage moves, what hangs off an account or a deal, routes that do not exist -------

def history_of(world, deal_id):
    return world.admin.get("/api/v1/deal-stage-changes",
                           params={"deal_id": deal_id, "limit": 500}).json()["items"]


@pytest.mark.parametrize("role", ROLES)
def test_stage_moves_inside_and_outside(world, role):
    """Win, lose and reopen (PATCH stage_id) each variant's deal: allowed where the role may
    change the deal, recorded with the role's user; refused (403/404) with no history row."""
    user = world.users[role]
    for name in world.variants:
        rec = fresh(world, "deals", name)
        want = expected_change(world, role, "deals", rec)
        path = f"/api/v1/deals/{rec['id']}"
        moves = [("Won", None), ("Lost", "price"), ("Engaging", None)]
        for stage, reason in moves:
            body = {"stage_id": world.stage[stage]["id"]}
            if reason:
                body["loss_reason"] = reason
            r = world.clients[role].patch(path, json=body)
            assert r.status_code == (want or 200), (name, stage, r.text)
        hist = history_of(world, rec["id"])
        now = world.admin.get(path).json()
        if want:
            assert len(hist) == 1 and now["stage_id"] == rec["stage_id"], (name, hist)
        else:
            assert [h["to_stage_id"] for h in hist[1:]] == [
                world.stage[s]["id"] for s, _ in moves], name
            assert all(h["user_id"] == user["id"] for h in hist[1:]), name
            assert now["outcome"] == "open" and now["loss_reason"] is None


@pytest.mark.parametrize("role", ROLES)
def test_create_deals_on_each_account(world, role):
    """A deal on each account, placed where the role works (the defaults): 201 when the role
    may read the account, 404 naming account_id when it may not."""
    for name, acc in world.records["accounts"].items():
        r = world.clients[role].post("/api/v1/deals", json={
            "account_id": acc["id"], "stage_id": world.stage["Prospecting"]["id"]})
        if not route_allows(role, "deals", True):
            assert r.status_code == 403, (name, r.text)
        elif not world.can(role, "accounts", acc, False):
            assert r.status_code == 404, (name, r.text)
            assert r.json()["error"]["field"] == "account_id"
        else:
            assert r.status_code == 201, (name, r.text)
            history = history_of(world, r.json()["id"])
            assert [h["user_id"] for h in history] == [world.users[role]["id"]]


@pytest.mark.parametrize("role", ROLES)
def test_create_lines_on_each_deal(world, role):
    """A line on each variant's deal: 201 inside the change scope, 403 for a deal one may only
    read, 404 (naming deal_id) for one out of sight."""
    for name, deal in world.records["deals"].items():
        r = world.clients[role].post("/api/v1/deal-lines", json={
            "deal_id": deal["id"], "product_id": world.records["products"]["widget"]["id"],
            "quantity": 1, "amount": "1.00"})
        if not route_allows(role, "deal-lines", True):
            assert r.status_code == 403, (name, r.text)
        elif not world.can(role, "deals", deal, False):
            assert r.status_code == 404, (name, r.text)
            assert r.json()["error"]["field"] == "deal_id"
        elif not world.can(role, "deals", deal, True):
            assert r.status_code == 403, (name, r.text)
        else:
            assert r.status_code == 201, (name, r.text)


@pytest.mark.parametrize("role", ROLES)
def test_deal_history_and_deals_are_never_deleted_nor_written(world, role):
    """No role, admin included, deletes a deal or writes its history by hand."""
    deal = world.records["deals"]["own"]
    change = world.records["deal-stage-changes"]["own"]
    cl = world.clients[role]
    for r in (cl.delete(f"/api/v1/deals/{deal['id']}"),
              cl.post("/api/v1/deal-stage-changes", json={
                  "deal_id": deal["id"], "to_stage_id": world.stage["Won"]["id"],
                  "changed_at": "2024-01-01"}),
              cl.patch(f"/api/v1/deal-stage-changes/{change['id']}", json={"user_id": None}),
              cl.delete(f"/api/v1/deal-stage-changes/{change['id']}")):
        assert r.status_code in (404, 405), r.text
    assert world.admin.get(f"/api/v1/deals/{deal['id']}").status_code == 200
    assert world.admin.get(f"/api/v1/deal-stage-changes/{change['id']}").json() == change


# ---- the customer (docs/portal.md): a contact signed in to the portal ----

PORTAL_PASSWORD = "the customer's own passphrase"


def portal_customer(world, name):
    """A portal session (requests.Session with the portal's CSRF header) of contact name, invited
    by the admin; the invitation's token is read from the outbox beside the database."""
    import glob
    import re

    from conftest import http_session
    cid = world.records["contacts"][name]["id"]
    r = world.admin.post(f"/api/v1/contacts/{cid}/invitations")
    assert r.status_code == 201, r.text
    path = max(glob.glob(world.srv.db + ".outbox/*-invitation-*.txt"), key=os.path.getmtime)
    with open(path) as f:
        text = f.read()
    assert f"X-Kith-Contact: {cid}\n" in text
    token = re.search(r"#token=([A-Za-z0-9_-]+)", text).group(1)
    http = http_session()
    r = http.post(world.srv.url + "/portal/api/invitations/accept",
                  json={"token": token, "password": PORTAL_PASSWORD})
    assert r.status_code == 200, r.text
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return http


@pytest.mark.parametrize("role", ROLES)
def test_invite_inside_and_outside(world, role):
    """Inviting a contact to the portal is a change of the contact: 201 inside the role's change
    scope, 403 where it may only read, 404 where it may not read."""
    for name, rec in world.records["contacts"].items():
        r = world.clients[role].post(f"/api/v1/contacts/{rec['id']}/invitations")
        want = expected_change(world, role, "contacts", rec) or 201
        assert r.status_code == want, (name, r.text)
        r = world.clients[role].get(f"/api/v1/contacts/{rec['id']}/portal-access")
        assert r.status_code == (200 if world.can(role, "contacts", rec, False) else 404), name


def staff_routes():
    """(method, path pattern) of every staff route that needs sign-in, from docs/openapi.json
    (which a unit test holds to routes.c)."""
    import json
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json")) as f:
        doc = json.load(f)
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters" or not path.startswith("/api/v1/"):
                continue
            if op.get("security", doc["security"]) == []:
                continue
            out.append((method.upper(), path))
    return out


def test_no_staff_route_answers_a_customer(world):
    """Every staff route answers 401 to a portal session (with its CSRF token), whichever
    record it names: the customer's own contact or another."""
    http = portal_customer(world, "own")
    own = world.records["contacts"]["own"]["id"]
    other = world.records["contacts"]["partner"]["id"]
    routes = staff_routes()
    assert len(routes) > 100
    for method, pattern in routes:
        for rid in (own, other):
            url = world.srv.url + pattern.replace("{id}", str(rid))
            r = http.request(method, url, json={} if method in ("POST", "PATCH") else None)
            assert r.status_code == 401, (method, pattern, r.status_code, r.text[:200])
    # and the portal session still holds: the refusals changed nothing
    assert http.get(world.srv.url + "/portal/api/session").json()["contact"]["id"] == own


def test_a_customer_reads_only_its_own_records(world):
    """GET /portal/api/me holds exactly the contact's own interactions and consents, and the
    orders of its account; naming another contact's records under /portal/api answers 404."""
    name = "team"
    http = portal_customer(world, name)
    c = world.records["contacts"][name]
    me = http.get(world.srv.url + "/portal/api/me").json()
    assert me["contact"]["id"] == c["id"]
    assert me["account"]["id"] == c["account_id"]
    want_inter = {r["id"] for r in world.admin.get(
        "/api/v1/interactions", params={"contact_id": c["id"], "limit": 500}).json()["items"]}
    want_orders = {r["id"] for r in world.admin.get(
        "/api/v1/orders", params={"account_id": c["account_id"], "limit": 500}).json()["items"]}
    assert want_inter and want_orders
    assert {r["id"] for r in me["interactions"]["items"]} == want_inter
    assert {r["id"] for r in me["orders"]["items"]} == want_orders
    others = [r for n, r in world.records["contacts"].items() if n != name]
    for o in others:
        for path in (f"/portal/api/contacts/{o['id']}", f"/portal/api/me/{o['id']}",
                     f"/portal/api/contacts/{o['id']}/timeline"):
            r = http.get(world.srv.url + path)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", path
        # a query naming another contact changes nothing: the session says who
        r = http.get(world.srv.url + "/portal/api/me", params={"contact_id": o["id"]})
        assert r.json()["contact"]["id"] == c["id"]
