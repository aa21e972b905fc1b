"""Digital paths (issue 15 item 5, docs/voice.md "Digital paths"): GET /api/v1/voice/paths and
`kith voice paths --json`.

A seeded generator builds a world through the API: two units (one a partner dealer), a manager
of North and a partner user of the dealer, a catalogue whose types name channels, accounts and
contacts, interactions (a few voided), sales, returns, sales naming only the account, and churn
events. The server is then started again, so that its RV snapshot holds the orders and events.
The test computes every contact's path again in Python from what it sent (counted interactions
before the outcome, repeats collapsed, cut at max_length), counts every prefix by brute force,
and checks the API's nodes and common paths with their counts, conversion and median durations
for each role over the contacts that role may list, a contact's own path, the parameters'
validation and that the CLI answers the same.
"""
import json
import random
import statistics
from datetime import datetime, timezone

import pytest

from conftest import Client, Server, add_user, json_close, kith
from module_server import module_server

TYPES = {  # code: (channel, rv)
    "web_visit": ("web", 1), "newsletter": ("email", 1), "intro_call": ("phone", 5),
    "meeting": ("meeting", 10), "demo": ("video", 8), "cu_ticket_resolved": ("phone", 3),
}
BASE = int(datetime(2025, 3, 1, tzinfo=timezone.utc).timestamp())  # seconds


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def iso(secs):
    return datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    pass


def build(srv):
    rng = random.Random(515)
    w = World()
    a = Client(srv.url, "admin@example.com")
    north = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    dealer = created(a.post("/api/v1/units", json={"name": "Dealer", "kind": "partner",
                                                   "parent_id": north["id"]}))
    add_user(srv.db, "manager@example.com", "manager", "North")
    add_user(srv.db, "partner@example.com", "partner", "Dealer")
    w.types = {}
    for code, (channel, rv) in TYPES.items():
        t = created(a.post("/api/v1/interaction-types", json={
            "code": code, "name": code.replace("_", " "), "phase": "acquisition", "level": 1,
            "channel": channel, "touch": 0.5, "tech": 0.5, "rv": rv, "cost": "1"}))
        w.types[t["id"]] = dict(t, channel=channel)
    type_ids = list(w.types)
    w.contacts = {}
    w.rows = {}  # contact -> [(secs, id, type_id, counted)]
    w.orders = []  # (account, contact or None, secs, sale)
    w.churn = []  # (account, contact or None, secs)
    accounts = []
    for i in range(24):
        unit = north if i < 16 else dealer
        acc = created(a.post("/api/v1/accounts", json={"name": f"Acc {i}", "unit_id": unit["id"]}))
        accounts.append(acc)
    for i in range(72):
        acc = accounts[i % len(accounts)]
        c = created(a.post("/api/v1/contacts", json={
            "last_name": f"P{i}", "account_id": acc["id"], "unit_id": acc["unit_id"]}))
        c["account"] = acc["id"]
        w.contacts[c["id"]] = c
        rows = []
        t = BASE + rng.randrange(0, 10) * 86400
        # a favourite start, so that paths repeat
        seq = rng.choice([[0, 1], [1, 0], [2, 3], [0, 2]]) + \
            [rng.randrange(len(type_ids)) for _ in range(rng.randrange(0, 6))]
        for k in seq:
            t += rng.randrange(1, 20) * 3600
            r = created(a.post("/api/v1/interactions", json={
                "contact_id": c["id"], "type_id": type_ids[k], "occurred_at": iso(t)}))
            rows.append([t, r["id"], type_ids[k], True])
        if len(rows) >= 3 and rng.random() < 0.15:  # a correction voids an interaction
            victim = rows[rng.randrange(len(rows))]
            created(a.post(f"/api/v1/interactions/{victim[1]}/void", json={}))
            victim[3] = False  # the voiding row (dated now) never counts either
        w.rows[c["id"]] = rows
        roll = rng.random()
        if roll < 0.45:
            secs = BASE + rng.randrange(1, 25) * 86400
            sale = rng.random() < 0.8
            created(a.post("/api/v1/orders", json={
                "account_id": acc["id"], "contact_id": c["id"], "ordered_at": iso(secs),
                "amount": "100" if sale else "-40", "kind": "sale" if sale else "return"}))
            w.orders.append((acc["id"], c["id"], secs, sale))
        if rng.random() < 0.2:
            secs = BASE + rng.randrange(5, 40) * 86400
            created(a.post("/api/v1/events", json={
                "kind": "churn", "contact_id": c["id"], "account_id": acc["id"],
                "occurred_at": iso(secs)}))
            w.churn.append((acc["id"], c["id"], secs))
    for acc in accounts[::5]:  # sales and churn naming only the account
        secs = BASE + rng.randrange(3, 30) * 86400
        created(a.post("/api/v1/orders", json={"account_id": acc["id"], "ordered_at": iso(secs),
                                               "amount": "50"}))
        w.orders.append((acc["id"], None, secs, True))
    acc = accounts[7]
    secs = BASE + 20 * 86400
    created(a.post("/api/v1/events", json={"kind": "churn", "account_id": acc["id"],
                                           "occurred_at": iso(secs)}))
    w.churn.append((acc["id"], None, secs))
    return w


@pytest.fixture(scope="module")
def world():
    with module_server() as srv:
        w = build(srv)
        srv.stop()
        w.srv = Server(srv.db)  # a fresh snapshot: orders and events loaded
        try:
            w.clients = {"admin": Client(w.srv.url, "admin@example.com"),
                         "manager": Client(w.srv.url, "manager@example.com"),
                         "partner": Client(w.srv.url, "partner@example.com")}
            w.db = srv.db
            yield w
        finally:
            w.srv.stop()


def visible(w, role):
    ids, cursor = [], None
    while True:
        q = {"limit": 500}
        if cursor:
            q["cursor"] = cursor
        page = ok(w.clients[role].get("/api/v1/contacts", params=q))
        ids += [c["id"] for c in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def outcome_of(w, cid, outcome, service_codes):
    """(secs, interaction id or None) of the contact's outcome, or None."""
    c = w.contacts[cid]
    if outcome == "service":
        for secs, iid, tid, counted in sorted(w.rows[cid]):
            if counted and w.types[tid]["code"] in service_codes:
                return secs, iid
        return None
    if outcome == "purchase":
        times = [s for acc, con, s, sale in w.orders
                 if sale and (con == cid or (con is None and acc == c["account"]))]
    else:
        times = [s for acc, con, s in w.churn
                 if con == cid or (con is None and acc == c["account"])]
    return (min(times), None) if times else None


def step_name(w, tid, step):
    t = w.types[tid]
    return t["code"] if step == "type" else t["channel"]


def path_of(w, cid, outcome, step, cut, service_codes):
    """(steps, reached, days) of one contact; steps cut at `cut` (None: not cut)."""
    out = outcome_of(w, cid, outcome, service_codes)
    steps, first = [], None
    for secs, iid, tid, counted in sorted(w.rows[cid]):
        if not counted:
            continue
        if out and (iid == out[1] if out[1] else secs >= out[0]):
            break
        s = step_name(w, tid, step)
        if steps and steps[-1] == s:
            continue
        if cut is not None and len(steps) == cut:
            break
        if first is None:
            first = secs
        steps.append(s)
    days = (out[0] - first) / 86400 if out and steps else None
    return steps, out is not None, days


def expected(w, ids, outcome="purchase", step="channel", min_support=10, max_length=5,
             service=("cu_ticket_resolved",)):
    per = {cid: path_of(w, cid, outcome, step, max_length, service) for cid in ids}
    nodes, paths = {}, {}
    prefixes = {tuple(p[:d]) for p, _, _ in per.values() for d in range(1, len(p) + 1)}
    for pre in prefixes:
        d = len(pre)
        through = [(p, r, days) for p, r, days in per.values() if tuple(p[:d]) == pre]
        if len(through) < min_support:
            continue
        ends = [(r, days) for p, r, days in through if len(p) == d]
        here = [days for r, days in ends if r]
        nodes[pre] = {"contacts": len(through), "converted": sum(r for _, r, _ in through),
                      "here": len(here), "stopped": sum(1 for r, _ in ends if not r)}
        if len(here) >= min_support:
            paths[pre] = {"converted": len(here), "contacts": len(through),
                          "median_days": statistics.median(here)}
    withp = [(p, r, days) for p, r, days in per.values() if p]
    conv = [days for p, r, days in withp if r]
    total = {"contacts": len(withp), "converted": len(conv),
             "without_path": sum(1 for p, r, _ in per.values() if not p and r),
             "median_days": statistics.median(conv) if conv else None}
    return nodes, paths, total


def check(answer, exp, max_length):
    nodes, paths, total = exp
    for k, v in total.items():
        if isinstance(v, float):
            assert answer[k] == pytest.approx(v, abs=1e-9), k
        else:
            assert answer[k] == v, k
    byid = {n["id"]: n for n in answer["nodes"]}

    def steps_of(n):
        out = []
        while n is not None:
            out.append(n["step"])
            n = byid[n["parent"]] if n["parent"] is not None else None
        return tuple(reversed(out))

    got_nodes = {steps_of(n): {k: n[k] for k in ("contacts", "converted", "here", "stopped")}
                 for n in answer["nodes"]}
    assert got_nodes == nodes
    for n in answer["nodes"]:
        if n["parent"] is not None:
            assert n["parent"] < n["id"]
    got_paths = {tuple(p["steps"]): p for p in answer["paths"]}
    assert set(got_paths) == set(paths)
    for k, v in paths.items():
        g = got_paths[k]
        assert g["converted"] == v["converted"] and g["contacts"] == v["contacts"]
        assert g["conversion"] == pytest.approx(v["converted"] / v["contacts"])
        assert g["median_days"] == pytest.approx(v["median_days"], abs=1e-9)
        assert g["cut"] == (len(k) == max_length)
        assert tuple(g["steps"]) == steps_of(byid[g["node"]])
    conv = [p["converted"] for p in answer["paths"]]
    assert conv == sorted(conv, reverse=True)


CASES = [
    {},
    {"min_support": 2, "max_length": 3},
    {"min_support": 1, "max_length": 1},
    {"outcome": "churn", "min_support": 2},
    {"outcome": "service", "step": "type", "min_support": 1, "max_length": 4},
    {"outcome": "purchase", "step": "type", "min_support": 3, "max_length": 12},
]


@pytest.mark.parametrize("role", ["admin", "manager", "partner"])
@pytest.mark.parametrize("case", CASES)
def test_common_paths_per_role(world, role, case):
    ids = visible(world, role)
    if role != "admin":
        assert 0 < len(ids) < len(world.contacts)
    answer = ok(world.clients[role].get("/api/v1/voice/paths", params=case))
    args = {"outcome": "purchase", "step": "channel", "min_support": 10, "max_length": 5}
    args.update(case)
    assert answer["outcome"] == args["outcome"] and answer["step"] == args["step"]
    assert answer["min_support"] == args["min_support"]
    exp = expected(world, ids, **args)
    assert exp[0], "the case should have frequent nodes"
    check(answer, exp, args["max_length"])


def test_service_types_are_a_list(world):
    ids = visible(world, "admin")
    q = [("outcome", "service"), ("service_type", "cu_ticket_resolved"), ("service_type", "demo"),
         ("min_support", "2")]
    answer = ok(world.clients["admin"].get("/api/v1/voice/paths", params=q))
    assert answer["service_types"] == ["cu_ticket_resolved", "demo"]
    check(answer, expected(world, ids, outcome="service", min_support=2,
                           service=("cu_ticket_resolved", "demo")), 5)


def test_a_contacts_own_path(world):
    admin = world.clients["admin"]
    for cid in list(world.contacts)[:20]:
        for outcome in ("purchase", "churn"):
            got = ok(admin.get("/api/v1/voice/paths", params={"contact": cid,
                                                              "outcome": outcome}))
            c = got["contact"]
            steps, reached, days = path_of(world, cid, outcome, "channel", None,
                                           ("cu_ticket_resolved",))
            assert c["id"] == cid
            assert [s["step"] for s in c["steps"]] == steps
            assert c["reached"] == reached
            if reached and steps:
                assert c["days"] == pytest.approx(days)
            counted = [r for r in sorted(world.rows[cid]) if r[3]]
            if steps:
                assert c["steps"][0]["interaction_id"] == counted[0][1]
            assert sum(s["interactions"] for s in c["steps"]) <= len(counted)
            assert "paths" not in got


def test_scope_of_a_contact(world):
    mine = set(visible(world, "partner"))
    other = next(cid for cid in world.contacts if cid not in mine)
    own = next(iter(mine))
    r = world.clients["partner"].get("/api/v1/voice/paths", params={"contact": other})
    assert r.status_code == 404 and r.json()["error"]["field"] == "contact"
    ok(world.clients["partner"].get("/api/v1/voice/paths", params={"contact": own}))
    r = world.clients["admin"].get("/api/v1/voice/paths", params={"contact": 10 ** 9})
    assert r.status_code == 404 and r.json()["error"]["field"] == "contact"


@pytest.mark.parametrize("query,field", [
    ({"min_support": 0}, "min_support"),
    ({"min_support": "x"}, "min_support"),
    ({"max_length": 0}, "max_length"),
    ({"max_length": 13}, "max_length"),
    ({"outcome": "lunch"}, "outcome"),
    ({"step": "colour"}, "step"),
    ({"outcome": "service", "service_type": "no_such_code"}, "service_type"),
    ({"contact": 0}, "contact"),
    ({"by": "channel"}, "by"),
])
def test_parameters_are_checked(world, query, field):
    r = world.clients["admin"].get("/api/v1/voice/paths", params=query)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_cli_answers_alike(world):
    for case in ({}, {"outcome": "churn", "min_support": 2}, {"contact": next(iter(world.contacts))}):
        api = ok(world.clients["admin"].get("/api/v1/voice/paths", params=case))
        args = []
        for k, v in case.items():
            args += [f"--{k.replace('_', '-')}", str(v)]
        cli = kith(world.db, "voice", "paths", *args, "--json")
        json_close(api, json.loads(cli.stdout))
