"""Someone like me and the people map (docs/voice.md "Someone like me", "The people map",
issue 15 item 4).

A seeded generator builds a world through the API (and `kith import` for order lines, which have
no API): two units, accounts with industries, territories, sizes and units, one to three contacts
each, sales and a return of six products, and a survey with a stated intent that some contacts
share and others keep confidential. The similarity of docs/voice.md is computed again here in
Python from what was sent, and each answer is checked against it: the neighbours in order with
their similarity and parts, what they bought next, the recommended products, each role's scope
(a manager never sees a neighbour outside its unit, nor a subject there), only shared intents
counting, the CLI and the API answering alike, and the portal's people map showing only contacts
who opted in to be found, as a summary without ids or emails.
"""
import json
import math
import os
import random
import tempfile
from datetime import datetime, timezone

import pytest

from conftest import Client, add_user, http_session, json_close, kith
from module_server import module_server
from test_portal import PORTAL_PASSWORD, accept, invite, outbox

DAY = 86400000
W_ATTR, W_BUY, W_SPEND, W_INTENT = 0.25, 0.50, 0.10, 0.15
TOL = 2e-5  # the engine keeps log10 of spend and size as single-precision floats


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class World:
    pass


def build(srv, tmp):
    rng = random.Random(4)
    w = World()
    w.srv = srv
    a = Client(srv.url, "admin@example.com")
    w.admin = a
    north = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    south = created(a.post("/api/v1/units", json={"name": "South", "kind": "business_unit"}))
    team = created(a.post("/api/v1/teams", json={"name": "North T", "kind": "service",
                                                 "unit_id": north["id"]}))
    add_user(srv.db, "manager@example.com", "manager", "North", "North T")
    w.manager = Client(srv.url, "manager@example.com")
    w.north, w.south = north["id"], south["id"]
    w.products = [created(a.post("/api/v1/products", json={
        "sku": f"P-{i}", "name": f"Product {i}", "price": "10"}))["id"] for i in range(6)]
    created(a.post("/api/v1/interaction-types", json={
        "code": "voc_needs_questionnaire", "name": "Needs", "phase": "retention", "level": 6,
        "channel": "web", "touch": 0.1, "tech": 0.9, "rv": 2, "cost": "1", "is_voc": True}))
    survey = created(a.post("/api/v1/surveys", json={
        "name": "Plans", "questions": {"items": [
            {"id": "buy", "kind": "intent", "text": "I plan to buy product 5",
             "product_id": w.products[5], "horizon_months": 6}]}}))
    w.accounts, w.contacts = {}, {}
    for i in range(24):
        unit = north if i % 3 else south
        emp = rng.choice([None, 10, 50, 200, 1000])
        body = {"name": f"Acct {i}", "industry": rng.choice(["food", "water", "metal"]),
                "territory": rng.choice(["east", "west"]), "unit_id": unit["id"]}
        if emp is not None:
            body["employees"] = emp
        if rng.random() < 0.5:
            body["revenue_band"] = rng.choice(["small", "large"])
        acc = created(a.post("/api/v1/accounts", json=body))
        w.accounts[acc["id"]] = acc
        for j in range(rng.choice([1, 1, 2, 3])):
            cb = {"last_name": f"Last{i}x{j}", "first_name": f"First{i}x{j}",
                  "email": f"c{i}x{j}@example.org", "account_id": acc["id"],
                  "source": rng.choice(["web", "event"]),
                  "buying_role": rng.choice(["decision_maker", "user"])}
            if rng.random() < 0.3:
                cb["unit_id"] = south["id"] if unit is north else north["id"]
            if (unit is north and "unit_id" not in cb) or cb.get("unit_id") == north["id"]:
                cb["team_id"] = team["id"]
            c = created(a.post("/api/v1/contacts", json=cb))
            w.contacts[c["id"]] = c
    # a contact without an account buys through the orders naming it
    loner = created(a.post("/api/v1/contacts", json={"last_name": "Alone", "first_name": "Al",
                                                     "unit_id": north["id"],
                                                     "team_id": team["id"]}))
    w.contacts[loner["id"]] = loner
    w.loner = loner["id"]
    # orders: sales of 1-3 lines, and a few returns (which are not purchases)
    base = int(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
    lines, k = [], 0
    w.orders = []  # (account, contact or None, at, amount cents, [products]) of sales
    buyers = [("acct", x) for x in w.accounts] + [("contact", loner["id"])]
    for kind, bid in buyers:
        if rng.random() < 0.15:
            continue
        for _ in range(rng.randint(1, 4)):
            k += 1
            at = base + rng.randrange(0, 500) * DAY
            ret = rng.random() < 0.1
            cents = -500 if ret else rng.choice([2000, 5000, 40000])
            body = {"ordered_at": iso(at), "amount": f"{cents / 100:.2f}", "external_id": f"O-{k}"}
            if kind == "acct":
                body["account_id"] = bid
            else:
                body["account_id"] = next(iter(w.accounts))  # orders need an account
                body["contact_id"] = bid
            created(a.post("/api/v1/orders", json=body))
            prods = rng.sample(w.products[:5], rng.randint(1, 3))
            for p in prods:
                lines.append((f"O-{k}", p, "-5.00" if ret else "1.00"))
            if not ret:
                w.orders.append((body["account_id"], body.get("contact_id"), at, cents, prods))
    csv = os.path.join(tmp, "order_lines.csv")
    with open(csv, "w") as f:
        f.write("order_external_id,product_id,quantity,amount\n")
        for ext, p, amount in lines:
            f.write(f"{ext},{p},1,{amount}\n")
    kith(srv.db, "import", "order_lines", csv)
    # stated intents: shared (counts), confidential (does not), withdrawn after answering
    w.intent = {}
    answered_at = base + 600 * DAY
    for cid in list(w.contacts)[::2]:
        roll = rng.random()
        share = roll < 0.6
        created(a.post(f"/api/v1/surveys/{survey['id']}/optins", json={
            "contact_id": cid, "state": "granted", "share": share}))
        created(a.post(f"/api/v1/surveys/{survey['id']}/responses", json={
            "contact_id": cid, "answered_at": iso(answered_at), "answers": {"buy": True}}))
        if share and rng.random() < 0.2:
            created(a.post(f"/api/v1/surveys/{survey['id']}/optins", json={
                "contact_id": cid, "state": "withdrawn"}))
            share = False
        if share:
            w.intent[cid] = {w.products[5]}
    return w


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as tmp, module_server() as srv:
        yield build(srv, tmp)


# ---- the model, again, from what was sent -------------------------------------------------


def attrs(w, cid):
    c = w.contacts[cid]
    acc = w.accounts.get(c.get("account_id")) or {}
    unit = c.get("unit_id") or acc.get("unit_id")
    vals = [acc.get("industry"), acc.get("territory"), acc.get("revenue_band"), unit,
            c.get("buying_role"), c.get("source")]
    return [v if v not in (None, "") else None for v in vals], acc.get("employees")


def purchases(w, cid):
    """(products held, spend in cents, first purchase time of each product) of contact cid."""
    acct = w.contacts[cid].get("account_id")
    first, spend = {}, 0
    for account, contact, at, cents, prods in w.orders:
        if (account != acct) if acct else (contact != cid):
            continue
        spend += cents
        for p in prods:
            first[p] = min(first.get(p, at), at)
    return first, spend


def lg(cents):
    return math.log10(1 + max(cents, 0) / 100)


def similarity(w, s, c):
    sa, se = attrs(w, s)
    ca, ce = attrs(w, c)
    known = sum(v is not None for v in sa) + (se is not None)
    m = sum(1 for x, y in zip(sa, ca) if x is not None and x == y)
    if se is not None and ce is not None:
        m += 1 - min(1, abs(math.log10(1 + se) - math.log10(1 + ce)) / 2)
    attr = m / known if known else 0
    sp, ss = purchases(w, s)
    cp, cs = purchases(w, c)
    both = len(set(sp) & set(cp))
    buy = both / math.sqrt(len(sp) * len(cp)) if sp and cp else 0
    spend = 1 - min(1, abs(lg(ss) - lg(cs)) / 3) if ss > 0 and cs > 0 else 0
    si, ci = w.intent.get(s, set()), w.intent.get(c, set())
    intent = len(si & ci) / len(si | ci) if si and ci else 0
    total = W_ATTR * attr + W_BUY * buy + W_SPEND * spend + W_INTENT * intent
    return {"similarity": total, "attributes": attr, "purchases": buy, "spend": spend,
            "intent": intent, "shared": both, "bought": len(cp)}


def expected(w, s, candidates, k):
    acct = w.contacts[s].get("account_id")
    rows = []
    for c in candidates:
        if c == s or (acct and w.contacts[c].get("account_id") == acct):
            continue
        rows.append((c, similarity(w, s, c)))
    rows.sort(key=lambda r: (-r[1]["similarity"], -r[1]["bought"], r[0]))
    return rows[:k], rows


def next_of(w, s, c):
    """What c bought next: from its last purchase of a product s holds, products s lacks."""
    sp, _ = purchases(w, s)
    cp, _ = purchases(w, c)
    shared = [at for p, at in cp.items() if p in sp]
    start = max(shared) if shared else -1
    return sorted(((at, p) for p, at in cp.items() if at >= start and p not in sp))


def check_answer(w, body, s, candidates, k):
    exp, rows = expected(w, s, candidates, k)
    got = body["neighbours"]
    assert len(got) == len(exp)
    sims = {c: r for c, r in rows}
    for g, (c, e) in zip(got, exp):
        assert abs(g["similarity"] - e["similarity"]) < TOL, (g, e)
        r = sims[g["id"]]  # near-ties may swap: each shown neighbour is as similar as said
        assert abs(g["similarity"] - r["similarity"]) < TOL
        assert abs(g["parts"]["attributes"] - r["attributes"]) < TOL
        assert abs(g["parts"]["purchases"] - r["purchases"]) < 1e-9
        assert abs(g["parts"]["spend"] - r["spend"]) < TOL
        assert abs(g["parts"]["intent"] - r["intent"]) < 1e-9
        assert g["shared_products"] == r["shared"]
        assert abs(g["distance"] - (1 - g["similarity"])) < 1e-9
        nxt = next_of(w, s, g["id"])[:8]
        assert [(x["product_id"]) for x in g["bought_next"]] == [p for _, p in nxt]
        assert g["account_id"] == w.contacts[g["id"]].get("account_id")
    # recommended: the neighbours' next purchases scored by their similarities
    score, count = {}, {}
    for g in got:
        for x in g["bought_next"]:
            score[x["product_id"]] = score.get(x["product_id"], 0) + g["similarity"]
            count[x["product_id"]] = count.get(x["product_id"], 0) + 1
    want = sorted(score, key=lambda p: (-score[p], -count[p], p))[:5]
    assert [x["product_id"] for x in body["recommended"]] == want


def all_ids(client, path):
    ids, cursor = [], None
    while True:
        params = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        body = ok(client.get(path, params=params))
        ids += [x["id"] for x in body["items"]]
        cursor = body.get("next_cursor")
        if not cursor:
            return ids


# ---- the tests ----------------------------------------------------------------------------


def test_the_world_is_big_enough(world):
    assert len(world.contacts) >= 40
    assert len(world.intent) >= 5
    assert len(world.orders) >= 30


def test_admin_sees_the_nearest_of_every_contact(world):
    cands = list(world.contacts)
    for s in cands[::3] + [world.loner]:
        body = ok(world.admin.get("/api/v1/voice/alike", params={"contact": s, "k": 7}))
        assert body["analysis"] == "alike" and body["of"] == "contacts"
        assert body["subject"]["id"] == s
        check_answer(world, body, s, cands, 7)


def test_only_shared_intents_count(world):
    secret = [c for c in world.contacts if c not in world.intent]
    shared = list(world.intent)
    s = shared[0]
    body = ok(world.admin.get("/api/v1/voice/alike", params={"contact": s, "k": 100}))
    for g in body["neighbours"]:
        assert (g["parts"]["intent"] > 0) == (g["id"] in world.intent)
    assert any(g["id"] in secret for g in body["neighbours"])


def test_a_manager_sees_neighbours_in_its_scope_only(world):
    mine = set(all_ids(world.manager, "/api/v1/contacts"))
    assert 0 < len(mine) < len(world.contacts)
    for s in sorted(mine)[::4]:
        body = ok(world.manager.get("/api/v1/voice/alike", params={"contact": s, "k": 50}))
        assert {g["id"] for g in body["neighbours"]} <= mine
        check_answer(world, body, s, sorted(mine), 50)
    outside = next(c for c in world.contacts if c not in mine)
    r = world.manager.get("/api/v1/voice/alike", params={"contact": outside})
    assert r.status_code == 404 and r.json()["error"]["field"] == "contact"


def test_accounts_are_compared_too(world):
    a = next(iter(world.accounts))
    body = ok(world.admin.get("/api/v1/voice/alike", params={"account": a, "k": 5}))
    assert body["of"] == "accounts" and len(body["neighbours"]) == 5
    assert a not in {g["id"] for g in body["neighbours"]}
    mine = set(all_ids(world.manager, "/api/v1/accounts"))
    outside = next(x for x in world.accounts if x not in mine)
    assert world.manager.get("/api/v1/voice/alike",
                             params={"account": outside}).status_code == 404
    inside = next(x for x in world.accounts if x in mine)
    body = ok(world.manager.get("/api/v1/voice/alike", params={"account": inside, "k": 50}))
    assert {g["id"] for g in body["neighbours"]} <= mine


@pytest.mark.parametrize("params,field", [({}, "contact"), ({"contact": 1, "account": 1}, "account"),
                                          ({"contact": 1, "k": 0}, "k"),
                                          ({"contact": 1, "evaluate": "true"}, "evaluate")])
def test_bad_parameters_name_themselves(world, params, field):
    r = world.admin.get("/api/v1/voice/alike", params=params)
    assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_the_cli_answers_alike(world):
    s = next(iter(world.contacts))
    api = ok(world.admin.get("/api/v1/voice/alike", params={"contact": s}))
    cli = json.loads(kith(world.srv.db, "voice", "alike", "--contact", str(s), "--json").stdout)
    json_close(api, cli)


def test_the_evaluation_counts_as_documented(world):
    body = json.loads(kith(world.srv.db, "voice", "alike", "--evaluate", "--json").stdout)
    ev = body["evaluation"]
    # per account: its sales, and the products first bought in its last one
    customers = repeats = 0
    for acc in world.accounts:
        sales = sorted((at, prods) for account, _, at, _, prods in world.orders if account == acc)
        if not sales:
            continue
        customers += 1
        cut = sales[-1][0]
        before = {p for at, prods in sales if at < cut for p in prods}
        if not {p for at, prods in sales if at >= cut for p in prods} - before:
            repeats += 1
    assert ev["customers"] == customers
    assert ev["repeats"] == repeats
    assert ev["evaluated"] == customers - repeats
    assert 0 <= ev["hits"] <= ev["evaluated"] and 0 <= ev["popular_hits"] <= ev["evaluated"]


# ---- the people map --------------------------------------------------------------------------


class Portal:
    def __init__(self, base, http, body):
        self.base, self.http = base, http
        http.headers["X-CSRF-Token"] = body["csrf_token"]

    def get(self, path):
        return self.http.get(self.base + path)

    def put(self, path, **kw):
        return self.http.put(self.base + path, **kw)


def portal_of(world, cid):
    token = invite(world.admin, world.srv.db, cid)
    r, http = accept(world.srv.url, token)
    assert r.status_code == 200, r.text
    return Portal(world.srv.url, http, r.json())


def test_the_people_map_shows_only_those_who_opted_in(world):
    cids = [c for c in world.contacts if world.contacts[c].get("email")]
    subject, others = cids[0], cids[1:]
    me = portal_of(world, subject)
    body = ok(me.get("/portal/api/alike"))
    assert body["analysis"] == "people_map" and body["findable"] is False
    assert body["neighbours"] == []  # nobody opted in yet
    rng = random.Random(9)
    findable = set()
    for c in rng.sample(others, 8):
        p = portal_of(world, c)
        on = rng.random() < 0.6
        assert ok(p.put("/portal/api/findable", json={"findable": on})) == {"findable": on}
        if on:
            findable.add(c)
    assert findable
    body = ok(me.get("/portal/api/alike"))
    exp, _ = expected(world, subject, sorted(findable), 20)
    names = {f"{world.contacts[c]['first_name']} {world.contacts[c]['last_name'][0]}."
             for c, _ in exp}
    got = body["neighbours"]
    assert {g["name"] for g in got} == names
    for g, (c, e) in zip(got, exp):
        assert abs(g["similarity"] - e["similarity"]) < TOL
        assert set(g) == {"name", "industry", "territory", "similarity", "shared_products",
                          "bought_next"}
        for x in g["bought_next"]:
            assert set(x) == {"name"}
    text = json.dumps(body)
    for c in world.contacts:
        assert (world.contacts[c].get("email") or "@@") not in text
    # opting out takes one out at once; opting in again puts it back
    gone = exp[0][0]  # one shown (never a colleague of the same account)
    p = portal_of(world, gone)
    ok(p.put("/portal/api/findable", json={"findable": False}))
    body = ok(me.get("/portal/api/alike"))
    name = f"{world.contacts[gone]['first_name']} {world.contacts[gone]['last_name'][0]}."
    assert name not in {g["name"] for g in body["neighbours"]}
    ok(p.put("/portal/api/findable", json={"findable": True}))
    assert name in {g["name"] for g in ok(me.get("/portal/api/alike"))["neighbours"]}


def test_findable_is_the_contacts_own_choice(world):
    cid = [c for c in world.contacts if world.contacts[c].get("email")][-1]
    p = portal_of(world, cid)
    for bad in ({}, {"findable": "yes"}, {"findable": True, "contact_id": 1}, []):
        r = p.put("/portal/api/findable", json=bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == "findable"
    # without the portal's CSRF token, and with staff credentials, nothing changes
    bare = http_session()
    bare.cookies.update(p.http.cookies)
    assert bare.put(world.srv.url + "/portal/api/findable",
                    json={"findable": True}).status_code == 403
    assert world.admin.http.put(world.srv.url + "/portal/api/findable",
                                json={"findable": True}).status_code == 401
    assert world.admin.get("/portal/api/alike").status_code == 401
