"""Do vs say (issue 15 item 7, docs/voice.md "Do vs say"): GET /api/v1/voice/dosay and
`kith voice dosay --json`.

A seeded generator builds a world through the API (and `kith import` for the order lines, which
only the import writes): a survey with an NPS question and three intents (a product within 3
months, a category within 2, a category without a horizon), contacts in a business unit and a
partner dealer who opt in (sharing their answers or not) and answer, some twice (the latest
counts), interactions after their answers that raise or lower their RV, sales with lines,
returns, sales naming only the account, and churn events. The server is started again so that
its RV snapshot holds the orders and events. The test computes in Python, from what it sent,
each segment's figures and every disagreement under the documented rules, and checks the API
for each role (over the contacts that role may list): the suppression below k, the
disagreements listed one by one only for shared answers, a contact's view, the parameters'
checks, and that the CLI answers the same.
"""
import calendar
import json
import os
import random
from datetime import datetime, timezone

import pytest

from conftest import Client, Server, add_user, json_close, kith
from module_server import module_server

DAY = 86400
BASE = int(datetime(2025, 6, 1, tzinfo=timezone.utc).timestamp())
AS_OF = int(datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp())
ANSWER_TYPES = {"voc_nps_promoter": 8, "voc_nps_passive": 2, "voc_nps_detractor": -15,
                "voc_ticket_csat": 2, "voc_needs_questionnaire": 4, "voc_relationship_survey": 4}
RULES = ["promoter_falling", "promoter_churned", "detractor_buying", "intent_unmet"]


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def iso(secs):
    return datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_months(secs, months):
    d = datetime.fromtimestamp(secs, timezone.utc)
    m = d.year * 12 + d.month - 1 + months
    y, mon = divmod(m, 12)
    day = min(d.day, calendar.monthrange(y, mon + 1)[1])
    return int(d.replace(year=y, month=mon + 1, day=day).timestamp())


class World:
    pass


def build(srv, tmp):
    rng = random.Random(77)
    w = World()
    a = Client(srv.url, "admin@example.com")
    north = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    dealer = created(a.post("/api/v1/units", json={"name": "Dealer", "kind": "partner",
                                                   "parent_id": north["id"]}))
    w.unit_name = {north["id"]: "North", dealer["id"]: "Dealer"}
    add_user(srv.db, "manager@example.com", "manager", "North")
    add_user(srv.db, "partner@example.com", "partner", "Dealer")
    rv_of = {}
    for code, rv in ANSWER_TYPES.items():
        t = created(a.post("/api/v1/interaction-types", json={
            "code": code, "name": code, "phase": "retention", "level": 6, "channel": "web",
            "touch": 0.1, "tech": 0.9, "rv": rv, "cost": "1", "is_voc": True}))
        rv_of[t["id"]] = rv
    good = created(a.post("/api/v1/interaction-types", json={
        "code": "good", "name": "Good call", "phase": "retention", "level": 5, "channel": "phone",
        "touch": 0.5, "tech": 0.5, "rv": 10, "cost": "1"}))
    bad = created(a.post("/api/v1/interaction-types", json={
        "code": "bad", "name": "Late delivery", "phase": "retention", "level": 5,
        "channel": "email", "touch": 0.5, "tech": 0.5, "rv": -20, "cost": "1"}))
    rv_of[good["id"]], rv_of[bad["id"]] = 10, -20
    pump = created(a.post("/api/v1/products", json={"sku": "P1", "name": "Pump", "price": "10",
                                                    "category": "pumps"}))
    valve = created(a.post("/api/v1/products", json={"sku": "V1", "name": "Valve", "price": "5",
                                                     "category": "valves"}))
    seal = created(a.post("/api/v1/products", json={"sku": "S1", "name": "Seal", "price": "1",
                                                     "category": "seals"}))
    products = [pump, valve, seal]
    w.category = {p["id"]: p["category"] for p in products}
    survey = created(a.post("/api/v1/surveys", json={
        "name": "Relationship", "channel": "web",
        "questions": {"items": [
            {"id": "nps", "kind": "nps", "text": "Recommend us?"},
            {"id": "pump", "kind": "intent", "text": "I plan to buy a pump within 3 months",
             "product_id": pump["id"], "horizon_months": 3},
            {"id": "valves", "kind": "intent", "text": "More valves within 2 months",
             "category": "valves", "horizon_months": 2},
            {"id": "someday", "kind": "intent", "text": "Pumps, some day", "category": "pumps"}]}}))
    w.survey = survey
    w.intents = {"pump": ("product", pump["id"], 3), "valves": ("category", "valves", 2),
                 "someday": ("category", "pumps", 12)}
    accounts = []
    for i in range(16):
        unit = north if i < 11 else dealer
        accounts.append(created(a.post("/api/v1/accounts", json={"name": f"A{i}",
                                                                 "unit_id": unit["id"]})))
    w.contacts, w.shared, w.answers = {}, {}, {}
    w.rows = {}  # contact -> [(secs, rv)] counted interactions
    w.orders = []  # (account, contact or None, secs, sale)
    w.lines = []  # (account, contact or None, secs, product) of sales
    w.churn = []  # (account, contact or None, secs)
    csv_lines = []
    k = 0
    for i in range(64):
        acc = accounts[i % len(accounts)]
        c = created(a.post("/api/v1/contacts", json={"last_name": f"D{i}", "account_id": acc["id"],
                                                     "unit_id": acc["unit_id"]}))
        cid = c["id"]
        c["account"] = acc["id"]
        w.contacts[cid] = c
        w.rows[cid] = []
        if rng.random() < 0.1:
            continue  # never asked
        share = rng.random() < 0.6
        created(a.post(f"/api/v1/surveys/{survey['id']}/optins", json={
            "contact_id": cid, "state": "granted", "share": share}))
        w.shared[cid] = share
        at = BASE + rng.randrange(0, 200) * DAY + rng.randrange(0, DAY)
        for update in range(2 if rng.random() < 0.2 else 1):
            t = at + update * 20 * DAY
            ans = {"nps": rng.choice([0, 2, 5, 6, 7, 8, 9, 9, 10, 10])}
            if rng.random() < 0.15:
                del ans["nps"]
            for q in w.intents:
                if rng.random() < 0.4:
                    ans[q] = rng.random() < 0.8
            if not ans:
                ans = {"nps": 9}
            r = created(a.post(f"/api/v1/surveys/{survey['id']}/responses", json={
                "contact_id": cid, "answered_at": iso(t), "answers": ans}))
            w.answers[cid] = (t, ans)
            it = ok(a.get(f"/api/v1/interactions/{r['interaction_id']}"))
            w.rows[cid].append((t, rv_of[it["type_id"]]))
        t_ans = w.answers[cid][0]
        # what the relationship did: before and after the answer
        for _ in range(rng.randrange(0, 5)):
            t = t_ans + rng.randrange(-60, 120) * DAY + rng.randrange(1, DAY)
            typ = good if rng.random() < 0.55 else bad
            created(a.post("/api/v1/interactions", json={"contact_id": cid, "type_id": typ["id"],
                                                         "occurred_at": iso(t)}))
            w.rows[cid].append((t, rv_of[typ["id"]]))
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            t = t_ans + rng.randrange(-30, 150) * DAY
            sale = rng.random() < 0.85
            k += 1
            created(a.post("/api/v1/orders", json={
                "account_id": acc["id"], "contact_id": cid, "ordered_at": iso(t),
                "amount": "10" if sale else "-10", "kind": "sale" if sale else "return",
                "external_id": f"O{k}"}))
            w.orders.append((acc["id"], cid, t, sale))
            product = rng.choice(products)
            csv_lines.append((f"O{k}", product["id"], "10" if sale else "-10"))
            if sale:
                w.lines.append((acc["id"], cid, t, product["id"]))
        if rng.random() < 0.3:
            t = t_ans + rng.randrange(-20, 200) * DAY
            created(a.post("/api/v1/events", json={"kind": "churn", "contact_id": cid,
                                                   "account_id": acc["id"],
                                                   "occurred_at": iso(t)}))
            w.churn.append((acc["id"], cid, t))
    for acc in accounts[::4]:  # a sale naming only the account
        t = BASE + 150 * DAY
        k += 1
        created(a.post("/api/v1/orders", json={"account_id": acc["id"], "ordered_at": iso(t),
                                               "amount": "10", "external_id": f"O{k}"}))
        w.orders.append((acc["id"], None, t, True))
        csv_lines.append((f"O{k}", valve["id"], "10"))
        w.lines.append((acc["id"], None, t, valve["id"]))
    path = os.path.join(tmp, "order_lines.csv")
    with open(path, "w") as f:
        f.write("order_external_id,product_id,quantity,amount\n")
        for ext, product, amount in csv_lines:
            f.write(f"{ext},{product},1,{amount}\n")
    kith(srv.db, "import", "order_lines", path)
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with module_server() as srv:
        w = build(srv, str(tmp_path_factory.mktemp("dosay")))
        srv.stop()
        w.srv = Server(srv.db)  # a fresh snapshot: orders and events loaded
        try:
            w.db = srv.db
            w.clients = {r: Client(w.srv.url, f"{r}@example.com")
                         for r in ("admin", "manager", "partner")}
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


def mine(w, cid, acc, con):
    return con == cid or (con is None and acc == w.contacts[cid]["account"])


def expected(w, ids, as_of=AS_OF, k=10):
    """{segment: figures}, total, [(rule, contact)] of shared disagreements, in the API's order."""
    cells, listed = {}, []
    for cid in sorted(ids):
        if cid not in w.answers:
            continue
        c = w.contacts[cid]
        t_ans, ans = w.answers[cid]
        if t_ans >= as_of:
            continue
        seg = w.unit_name[c["unit_id"]]
        cell = cells.setdefault(seg, {"contacts": 0, "nps": [], "stated": 0, "due": 0, "met": 0,
                                      "buying": 0, "churned": 0, "rv": 0,
                                      "ex": dict.fromkeys(RULES, 0), "listed": 0})
        cell["contacts"] += 1
        shared = w.shared[cid]
        if "nps" in ans:
            nps = ans["nps"]
            rv = sum(r for t, r in w.rows[cid] if t_ans < t <= as_of)
            sales = sum(1 for acc, con, t, sale in w.orders
                        if sale and t_ans < t <= as_of and mine(w, cid, acc, con))
            churned = any(t_ans < t <= as_of and mine(w, cid, acc, con) for acc, con, t in w.churn)
            cell["nps"].append(nps)
            cell["buying"] += sales > 0
            cell["churned"] += churned
            cell["rv"] += rv
            rules = []
            if nps >= 9 and rv < 0:
                rules.append("promoter_falling")
            if nps >= 9 and churned:
                rules.append("promoter_churned")
            if nps <= 6 and sales > 0:
                rules.append("detractor_buying")
            for r in rules:
                cell["ex"][r] += 1
                if shared:
                    cell["listed"] += 1
                    listed.append((r, cid))
        for q, (kind, what, months) in w.intents.items():
            if ans.get(q) is not True:
                continue
            cell["stated"] += 1
            due = add_months(t_ans, months)
            if due > as_of:
                continue
            cell["due"] += 1
            met = any(t_ans <= t <= due and mine(w, cid, acc, con) and
                      (p == what if kind == "product" else w.category[p] == what)
                      for acc, con, t, p in w.lines)
            if met:
                cell["met"] += 1
            else:
                cell["ex"]["intent_unmet"] += 1
                if shared:
                    cell["listed"] += 1
                    listed.append(("intent_unmet", cid))
    listed.sort(key=lambda x: (RULES.index(x[0]), x[1]))
    return cells, listed


def check_cell(got, exp, k):
    if exp["contacts"] < k:
        assert got["suppressed"] is True and got["contacts"] is None
        assert got["disagreements"]["total"] is None
        return
    assert got["suppressed"] is False
    assert got["contacts"] == exp["contacts"]
    n = len(exp["nps"])
    assert got["nps"]["n"] == n
    assert got["nps"]["promoters"] == sum(1 for x in exp["nps"] if x >= 9)
    assert got["nps"]["detractors"] == sum(1 for x in exp["nps"] if x <= 6)
    if n:
        p = sum(1 for x in exp["nps"] if x >= 9) / n
        d = sum(1 for x in exp["nps"] if x <= 6) / n
        assert got["nps"]["score"] == pytest.approx(100 * (p - d))
    assert (got["intents"]["stated"], got["intents"]["due"], got["intents"]["met"]) == \
        (exp["stated"], exp["due"], exp["met"])
    assert got["behaviour"]["buying"] == exp["buying"]
    assert got["behaviour"]["churned"] == exp["churned"]
    assert got["behaviour"]["rv"] == exp["rv"]
    for r in RULES:
        assert got["disagreements"][r] == exp["ex"][r], r
    assert got["disagreements"]["listed"] == exp["listed"]


@pytest.mark.parametrize("role", ["admin", "manager", "partner"])
def test_segments_and_disagreements_per_role(world, role):
    ids = visible(world, role)
    answer = ok(world.clients[role].get("/api/v1/voice/dosay",
                                        params={"as_of": iso(AS_OF), "limit": 1000}))
    k = answer["privacy"]["k"]
    assert k == 10
    cells, listed = expected(world, ids)
    assert {s["key"]["name"] for s in answer["segments"]} == set(cells)
    for s in answer["segments"]:
        check_cell(s, cells[s["key"]["name"]], k)
    total = {"contacts": 0, "nps": [], "stated": 0, "due": 0, "met": 0, "buying": 0,
             "churned": 0, "rv": 0, "ex": dict.fromkeys(RULES, 0), "listed": 0}
    for c in cells.values():
        for key in ("contacts", "stated", "due", "met", "buying", "churned", "rv", "listed"):
            total[key] += c[key]
        total["nps"] += c["nps"]
        for r in RULES:
            total["ex"][r] += c["ex"][r]
    check_cell(answer["total"], total, k)
    got = [(d["rule"], d["contact_id"]) for d in answer["disagreements"]]
    assert got == listed
    assert answer["listed"] == len(listed) and answer["truncated"] is False
    assert all(world.shared[cid] for _, cid in got)  # only shared answers, one by one
    assert listed, "the world should have shared disagreements"
    if role == "admin":
        assert {r for r, _ in got} == set(RULES), "every rule is exercised"
        assert sum(total["ex"].values()) > len(listed), "some disagreements are not shared"


def test_a_disagreement_says_what_was_said_and_done(world):
    answer = ok(world.clients["admin"].get("/api/v1/voice/dosay",
                                           params={"as_of": iso(AS_OF), "limit": 1000}))
    for d in answer["disagreements"]:
        cid = d["contact_id"]
        t_ans, ans = world.answers[cid]
        assert d["said"]["answered_at"].startswith(iso(t_ans)[:19])
        assert d["segment"] == world.unit_name[world.contacts[cid]["unit_id"]]
        assert "D" in d["contact"]  # its name (last name D<i>)
        if d["rule"] == "intent_unmet":
            assert d["said"]["nps"] is None and d["said"]["intent"]
            assert d["said"]["horizon_months"] in (2, 3, 12)
        else:
            assert d["said"]["nps"] == ans["nps"]
            rv = sum(r for t, r in world.rows[cid] if t_ans < t <= AS_OF)
            assert d["did"]["rv"] == rv


def test_limit_and_truncation(world):
    full = ok(world.clients["admin"].get("/api/v1/voice/dosay", params={"as_of": iso(AS_OF)}))
    small = ok(world.clients["admin"].get("/api/v1/voice/dosay",
                                          params={"as_of": iso(AS_OF), "limit": 2}))
    assert len(small["disagreements"]) == 2 and small["truncated"] is True
    assert small["disagreements"] == full["disagreements"][:2]
    assert small["listed"] == full["listed"]


def test_segment_all_and_an_earlier_as_of(world):
    as_of = BASE + 120 * DAY
    answer = ok(world.clients["admin"].get("/api/v1/voice/dosay", params={
        "as_of": iso(as_of), "segment": "all", "limit": 1000}))
    assert [s["key"]["name"] for s in answer["segments"]] == ["all"]
    ids = [c for c in world.contacts if c in world.answers and world.answers[c][0] < as_of]
    cells, listed = expected(world, ids, as_of=as_of)
    merged = {"contacts": 0, "nps": [], "stated": 0, "due": 0, "met": 0, "buying": 0,
              "churned": 0, "rv": 0, "ex": dict.fromkeys(RULES, 0), "listed": 0}
    for c in cells.values():
        for key in ("contacts", "stated", "due", "met", "buying", "churned", "rv", "listed"):
            merged[key] += c[key]
        merged["nps"] += c["nps"]
        for r in RULES:
            merged["ex"][r] += c["ex"][r]
    check_cell(answer["segments"][0], merged, 10)
    assert [(d["rule"], d["contact_id"]) for d in answer["disagreements"]] == listed


def test_a_contacts_view(world):
    admin = world.clients["admin"]
    for cid in list(world.answers):
        got = ok(admin.get("/api/v1/voice/dosay", params={"contact": cid, "as_of": iso(AS_OF)}))
        assert got["contact"]["id"] == cid
        assert got["contact"]["shared_answers"] == (1 if world.shared[cid] else 0)
        assert got["contact"]["hidden_answers"] == (0 if world.shared[cid] else 1)
        _, listed = expected(world, [cid])
        assert [(d["rule"], d["contact_id"]) for d in got["disagreements"]] == listed
        assert got["segments"][0]["suppressed"] is True  # one contact is below k
        # what it said, beside what it did since: only when its answers are shared
        t_ans, ans = world.answers[cid]
        shared = world.shared[cid] and t_ans < AS_OF
        nps = got["contact"]["nps"]
        if shared and "nps" in ans:
            assert nps["value"] == ans["nps"]
            assert nps["rv_since"] == sum(r for t, r in world.rows[cid] if t_ans < t <= AS_OF)
            assert nps["sales_since"] == sum(
                1 for acc, con, t, sale in world.orders
                if sale and t_ans < t <= AS_OF and mine(world, cid, acc, con))
        else:
            assert nps is None
        want = []
        for q, (kind, what, months) in world.intents.items():
            if not shared or ans.get(q) is not True:
                continue
            due = add_months(t_ans, months)
            met = any(t_ans <= t <= due and mine(world, cid, acc, con) and
                      (p == what if kind == "product" else world.category[p] == what)
                      for acc, con, t, p in world.lines)
            want.append((months, "open" if due > AS_OF else "met" if met else "unmet"))
        got_i = [(i["horizon_months"], i["status"]) for i in got["contact"]["intents"]]
        assert got_i == want


def test_scope_of_a_contact(world):
    mine_ = set(visible(world, "partner"))
    other = next(c for c in world.contacts if c not in mine_)
    r = world.clients["partner"].get("/api/v1/voice/dosay", params={"contact": other})
    assert r.status_code == 404 and r.json()["error"]["field"] == "contact"
    r = world.clients["admin"].get("/api/v1/voice/dosay", params={"contact": 10 ** 9})
    assert r.status_code == 404 and r.json()["error"]["field"] == "contact"


@pytest.mark.parametrize("query,field", [
    ({"segment": "planet"}, "segment"),
    ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"),
    ({"as_of": "yesterday"}, "as_of"),
    ({"contact": "x"}, "contact"),
    ({"outcome": "churn"}, "outcome"),
])
def test_parameters_are_checked(world, query, field):
    r = world.clients["admin"].get("/api/v1/voice/dosay", params=query)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_cli_answers_alike(world):
    for case in ({"as_of": iso(AS_OF)}, {"as_of": iso(AS_OF), "segment": "all", "limit": 3}):
        api = ok(world.clients["admin"].get("/api/v1/voice/dosay", params=case))
        args = []
        for key, v in case.items():
            args += [f"--{key.replace('_', '-')}", str(v)]
        cli = kith(world.db, "voice", "dosay", *args, "--json")
        json_close(api, json.loads(cli.stdout))
