"""The community (issue 15 item 3, docs/voice.md "Ratings", "Ideas", "Community roles"): ratings
and reviews with verified purchases, ideas with votes and statuses, and each contact's community
role derived from its engagement.

A seeded generator builds a world through the API (and `kith import` for order lines, which have
no API): units (one a partner's), users of every writing role, accounts, ~40 contacts, orders of
products by contacts and by accounts, ratings, ideas, votes and referral events, some outside the
window. The test then recomputes in Python, from what it sent, which ratings are verified
purchases and every contact's role by the documented rules, and checks them against the stored
rows, `GET /api/v1/voice/community` for each role (over the contacts that role may list) and
`kith voice community --json`; that a contact votes once per idea and may change its vote; that
only staff move an idea's status; that neither verified nor community_role can be written by a
client; that a partner sees its own contacts' items only; and that roles are derived again at
`kith serve` start-up and after `kith import`.
"""
import json
import os
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timezone

import pytest

from conftest import Client, Server, add_user, kith

ROLES = ["admin", "executive", "analyst", "manager", "frontline", "partner"]
DAY = 86400000
# docs/voice.md, "Community roles"
WINDOW_DAYS = 365
LEADER_MIN, DOER_MIN, WATCHER_MIN = 2, 1, 1
STATUSES = ["new", "planned", "done", "declined"]


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_ms():
    return int(time.time() * 1000)


def all_items(client, path, **params):
    items, cursor = [], None
    while True:
        q = dict(params, limit=500)
        if cursor:
            q["cursor"] = cursor
        page = ok(client.get(path, params=q))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def expected_role(ideas, votes, reviews, referrals):
    if ideas + referrals >= LEADER_MIN:
        return "leader"
    if ideas + reviews + referrals >= DOER_MIN:
        return "doer"
    if votes >= WATCHER_MIN:
        return "watcher"
    return None


class World:
    pass


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        add_user(db, "admin@example.com", "admin")
        srv, w = Server(db), None
        try:
            w = build(srv, d)
            yield w
        finally:
            (w.srv if w else srv).stop()


def build(srv, tmp):
    rng = random.Random(1503)
    w = World()
    w.srv, w.tmp = srv, tmp
    a = Client(srv.url, "admin@example.com")
    north = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    south = created(a.post("/api/v1/units", json={"name": "South", "kind": "business_unit"}))
    dealer = created(a.post("/api/v1/units", json={"name": "Dealer D", "kind": "partner",
                                                   "parent_id": north["id"],
                                                   "shares_detail": True}))
    teams = {}
    for name, unit in (("North T", north), ("South T", south), ("Dealer T", dealer)):
        teams[name] = created(a.post("/api/v1/teams", json={"name": name, "kind": "service",
                                                            "unit_id": unit["id"]}))
    for role, unit, team in (("executive", None, None), ("analyst", None, None),
                             ("manager", "North", "North T"), ("frontline", "North", "North T"),
                             ("partner", "Dealer D", "Dealer T")):
        add_user(srv.db, f"{role}@example.com", role, unit, team)
    w.clients = {"admin": a}
    for role in ROLES[1:]:
        w.clients[role] = Client(srv.url, f"{role}@example.com")
    w.products = [created(a.post("/api/v1/products", json={"sku": f"P-{i}", "name": f"Pump {i}",
                                                            "price": "10"}))["id"]
                  for i in range(4)]
    w.accounts = [created(a.post("/api/v1/accounts", json={"name": f"Acme {i}",
                                                            "unit_id": u["id"]}))["id"]
                  for i, u in enumerate((north, south, dealer))]
    places = [(north, "North T")] * 16 + [(south, "South T")] * 12 + [(dealer, "Dealer T")] * 12
    w.contacts = {}
    for i, (unit, team) in enumerate(places):
        body = {"last_name": f"C{i}", "email": f"c{i}@example.org", "unit_id": unit["id"],
                "team_id": teams[team]["id"]}
        if rng.random() < 0.6:
            body["account_id"] = w.accounts[[north, south, dealer].index(unit)]
        c = created(a.post("/api/v1/contacts", json=body))
        w.contacts[c["id"]] = c
    cids = sorted(w.contacts)
    now = now_ms()

    # orders: a sale of a product to a contact, to an account only, and a return (no purchase)
    w.bought = set()  # (contact or ("acct", account), product) of sale lines
    lines = []
    for k in range(30):
        by_account = rng.random() < 0.3
        cid = rng.choice(cids)
        acct = w.contacts[cid].get("account_id") or w.accounts[0]
        ret = rng.random() < 0.2
        body = {"account_id": acct, "ordered_at": iso(now - rng.randrange(1, 900) * DAY),
                "amount": "-5.00" if ret else "20.00", "external_id": f"O-{k}"}
        if not by_account:
            body["contact_id"] = cid
        created(a.post("/api/v1/orders", json=body))
        product = rng.choice(w.products)
        lines.append((f"O-{k}", product, "-5.00" if ret else "20.00"))
        if not ret:
            w.bought.add((("acct", acct) if by_account else cid, product))
            if not by_account:
                w.bought.add((("acct", acct), product))  # the contact's sale is its account's
    w.order_lines_csv = os.path.join(tmp, "order_lines.csv")
    with open(w.order_lines_csv, "w") as f:
        f.write("order_external_id,product_id,quantity,amount\n")
        for ext, product, amount in lines:
            f.write(f"{ext},{product},1,{amount}\n")

    # ratings, before the order lines exist: none verified yet
    w.ratings = {}  # id -> (contact, product, rated_at)
    for cid in cids:
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            product = rng.choice(w.products)
            at = now - rng.randrange(0, 500) * DAY  # some before the window
            r = created(a.post("/api/v1/ratings", json={
                "contact_id": cid, "product_id": product, "stars": rng.randint(1, 5),
                "review": "fine" if rng.random() < 0.5 else None, "rated_at": iso(at)}))
            assert r["verified"] is False
            w.ratings[r["id"]] = {"contact": cid, "product": product, "at": at,
                                  "stars": r["stars"]}
    # ideas, posted by contacts through writers who may change them
    w.ideas = {}
    for cid in cids:
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            who = w.clients["partner"] if w.contacts[cid]["unit_id"] == dealer["id"] and \
                rng.random() < 0.5 else a
            i = created(who.post("/api/v1/ideas", json={"contact_id": cid,
                                                         "title": f"Idea of {cid}"}))
            assert i["status"] == "new"
            w.ideas[i["id"]] = {"contact": cid, "status": "new"}
    # votes: once per idea and contact; some changed
    w.votes = {}  # (idea, contact) -> (id, value)
    iids = sorted(w.ideas)
    for cid in cids:
        for iid in rng.sample(iids, rng.choice([0, 0, 1, 3])):
            v = created(a.post("/api/v1/idea-votes", json={"idea_id": iid, "contact_id": cid,
                                                            "value": rng.choice([1, -1])}))
            w.votes[(iid, cid)] = (v["id"], v["value"])
    # referrals: within the window and before it; other kinds do not count
    w.events = []
    for cid in rng.sample(cids, 14):
        for _ in range(rng.choice([1, 1, 2])):
            at = now - rng.randrange(0, 450) * DAY
            kind = "referral" if rng.random() < 0.85 else "recommend"
            created(a.post("/api/v1/events", json={"kind": kind, "contact_id": cid,
                                                   "occurred_at": iso(at)}))
            w.events.append((cid, kind, at))
    w.north, w.south, w.dealer = north, south, dealer
    return w


def expected_roles(w, now):
    since = now - WINDOW_DAYS * DAY
    roles = {}
    for cid in w.contacts:
        ideas = sum(1 for i in w.ideas.values() if i["contact"] == cid)  # posted just now
        votes = sum(1 for (_, c) in w.votes if c == cid)
        reviews = sum(1 for r in w.ratings.values() if r["contact"] == cid and r["at"] >= since)
        refs = sum(1 for (c, k, at) in w.events if c == cid and k == "referral" and at >= since)
        roles[cid] = expected_role(ideas, votes, reviews, refs)
    return roles


def stored_roles(client):
    return {c["id"]: c["community_role"] for c in all_items(client, "/api/v1/contacts")}


def test_roles_are_derived_from_engagement_on_every_write(world):
    w = world
    want = expected_roles(w, now_ms())
    assert stored_roles(w.clients["admin"]) == want
    # the generator reaches every role, so that the rules are tested, not only "none"
    assert {"leader", "doer", "watcher", None} <= set(want.values())


def test_role_and_verified_cannot_be_written(world):
    a = world.clients["admin"]
    cid = min(world.contacts)
    r = a.patch(f"/api/v1/contacts/{cid}", json={"community_role": "leader"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "read_only", r.text
    assert r.json()["error"]["field"] == "community_role"
    r = a.post("/api/v1/contacts", json={"last_name": "X", "community_role": "doer"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "community_role", r.text
    rid = min(world.ratings)
    r = a.patch(f"/api/v1/ratings/{rid}", json={"verified": True})
    assert r.status_code == 422 and r.json()["error"]["code"] == "read_only", r.text
    r = a.post("/api/v1/ratings", json={"contact_id": cid, "product_id": world.products[0],
                                        "stars": 5, "verified": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "verified", r.text
    for stars in (0, 6):
        r = a.post("/api/v1/ratings", json={"contact_id": cid, "stars": stars})
        assert r.status_code == 422 and r.json()["error"]["field"] == "stars", r.text


def test_one_vote_per_contact_per_idea_and_changes(world):
    w, a = world, world.clients["admin"]
    (iid, cid), (vid, value) = sorted(w.votes.items())[0]
    r = a.post("/api/v1/idea-votes", json={"idea_id": iid, "contact_id": cid, "value": value})
    assert r.status_code == 409, r.text
    r = a.post("/api/v1/idea-votes", json={"idea_id": iid, "contact_id": cid, "value": -value})
    assert r.status_code == 409, r.text
    changed = ok(a.patch(f"/api/v1/idea-votes/{vid}", json={"value": -value}))
    assert changed["value"] == -value
    w.votes[(iid, cid)] = (vid, -value)
    r = a.patch(f"/api/v1/idea-votes/{vid}", json={"idea_id": iid + 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "read_only", r.text
    for bad in (0, 2):
        r = a.patch(f"/api/v1/idea-votes/{vid}", json={"value": bad})
        assert r.status_code == 422, r.text
    votes = all_items(a, "/api/v1/idea-votes")
    assert len(votes) == len(w.votes)
    assert len({(v["idea_id"], v["contact_id"]) for v in votes}) == len(votes)
    assert {(v["idea_id"], v["contact_id"]): v["value"] for v in votes} == \
        {k: val for k, (_, val) in w.votes.items()}


def test_only_staff_change_an_ideas_status(world):
    w = world
    # an idea of a partner's contact, which the partner can see and change otherwise
    dealer_ideas = [i for i, x in w.ideas.items()
                    if w.contacts[x["contact"]]["unit_id"] == w.dealer["id"]]
    north_ideas = [i for i, x in w.ideas.items()
                   if w.contacts[x["contact"]]["unit_id"] == w.north["id"]]
    assert dealer_ideas and north_ideas
    iid = dealer_ideas[0]
    p = w.clients["partner"]
    r = p.patch(f"/api/v1/ideas/{iid}", json={"status": "planned"})
    assert r.status_code == 403 and r.json()["error"]["field"] == "status", r.text
    assert ok(p.patch(f"/api/v1/ideas/{iid}", json={"body": "more detail"}))["status"] == "new"
    for role in ("executive", "analyst"):  # no write rights at all
        r = w.clients[role].patch(f"/api/v1/ideas/{iid}", json={"status": "planned"})
        assert r.status_code == 403, r.text
    assert ok(w.clients["admin"].patch(f"/api/v1/ideas/{iid}",
                                       json={"status": "planned"}))["status"] == "planned"
    w.ideas[iid]["status"] = "planned"
    n = north_ideas[0]
    assert ok(w.clients["frontline"].patch(f"/api/v1/ideas/{n}",
                                           json={"status": "done"}))["status"] == "done"
    w.ideas[n]["status"] = "done"
    if len(north_ideas) > 1:
        m = north_ideas[1]
        assert ok(w.clients["manager"].patch(f"/api/v1/ideas/{m}",
                                             json={"status": "declined"}))["status"] == "declined"
        w.ideas[m]["status"] = "declined"
    r = w.clients["admin"].patch(f"/api/v1/ideas/{n}", json={"status": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "status", r.text
    r = w.clients["admin"].post("/api/v1/ideas", json={"contact_id": w.ideas[n]["contact"],
                                                       "title": "x", "status": "done"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "status", r.text
    got = {i["id"]: i["status"] for i in all_items(w.clients["admin"], "/api/v1/ideas")}
    assert got == {i: x["status"] for i, x in w.ideas.items()}


def test_a_partner_sees_its_own_contacts_items(world):
    w = world
    for role in ROLES:
        c = w.clients[role]
        mine = {x["id"] for x in all_items(c, "/api/v1/contacts")}
        ideas = {i["id"] for i in all_items(c, "/api/v1/ideas")}
        assert ideas == {i for i, x in w.ideas.items() if x["contact"] in mine}, role
        ratings = {r["id"] for r in all_items(c, "/api/v1/ratings")}
        assert ratings == {i for i, x in w.ratings.items() if x["contact"] in mine}, role
        votes = {(v["idea_id"], v["contact_id"]) for v in all_items(c, "/api/v1/idea-votes")}
        assert votes == {k for k in w.votes if k[1] in mine}, role
    p = w.clients["partner"]
    mine = {x["id"] for x in all_items(p, "/api/v1/contacts")}
    assert mine == {c for c, x in w.contacts.items() if x["unit_id"] == w.dealer["id"]}
    other_idea = next(i for i, x in w.ideas.items() if x["contact"] not in mine)
    r = p.post("/api/v1/idea-votes", json={"idea_id": other_idea, "contact_id": min(mine),
                                           "value": 1})
    assert r.status_code == 404 and r.json()["error"]["field"] == "idea_id", r.text
    other = next(c for c in w.contacts if c not in mine)
    r = p.post("/api/v1/ratings", json={"contact_id": other, "stars": 3})
    assert r.status_code in (403, 404), r.text


def test_verified_purchase_comes_from_the_orders(world):
    w, a = world, world.clients["admin"]
    # the ratings were written before the order lines: none verified
    assert not any(r["verified"] for r in all_items(a, "/api/v1/ratings"))
    out = kith(w.srv.db, "import", "order_lines", w.order_lines_csv).stdout
    assert "order_lines:" in out

    def bought(cid, product):
        acct = w.contacts[cid].get("account_id")
        return (cid, product) in w.bought or (acct and (("acct", acct), product) in w.bought)

    want = {i: bool(bought(x["contact"], x["product"])) for i, x in w.ratings.items()}
    got = {r["id"]: r["verified"] for r in all_items(a, "/api/v1/ratings")}
    assert got == want
    assert any(want.values()) and not all(want.values())
    # a rating written now is verified at once, from its contact's account's purchases too
    cid = next(c for c in w.contacts if w.contacts[c].get("account_id") and
               any(bought(c, p) for p in w.products) and
               not any((c, p) in w.bought for p in w.products if bought(c, p)))
    product = next(p for p in w.products if bought(cid, p))
    r = created(a.post("/api/v1/ratings", json={"contact_id": cid, "product_id": product,
                                                "stars": 4}))
    assert r["verified"] is True
    w.ratings[r["id"]] = {"contact": cid, "product": product, "at": now_ms(), "stars": 4}
    never = next((c, p) for c in w.contacts for p in w.products if not bought(c, p))
    r = created(a.post("/api/v1/ratings", json={"contact_id": never[0], "product_id": never[1],
                                                "stars": 2}))
    assert r["verified"] is False
    w.ratings[r["id"]] = {"contact": never[0], "product": never[1], "at": now_ms(), "stars": 2}
    # moving a rating to another product is verified again
    moved = ok(a.patch(f"/api/v1/ratings/{r['id']}", json={"product_id": product}))
    assert moved["verified"] is bool(bought(never[0], product))
    w.ratings[r["id"]]["product"] = product
    assert stored_roles(a) == expected_roles(w, now_ms())


def community_of(w, mine, now):
    roles = expected_roles(w, now)
    want = {"contacts": len(mine), "roles": {"leader": 0, "doer": 0, "watcher": 0, "none": 0}}
    for c in mine:
        want["roles"][roles[c] or "none"] += 1
    ideas = [x for x in w.ideas.values() if x["contact"] in mine]
    want["ideas"] = {"total": len(ideas), **{s: sum(1 for x in ideas if x["status"] == s)
                                             for s in STATUSES}}
    ups = sum(1 for (i, c), (_, v) in w.votes.items() if v > 0 and w.ideas[i]["contact"] in mine)
    downs = sum(1 for (i, c), (_, v) in w.votes.items()
                if v < 0 and w.ideas[i]["contact"] in mine)
    want["ideas"]["votes_up"], want["ideas"]["votes_down"] = ups, downs
    return want


def test_voice_community_counts_roles_for_each_scope_and_the_cli(world):
    w = world
    now = now_ms()
    for role in ROLES:
        c = w.clients[role]
        mine = {x["id"] for x in all_items(c, "/api/v1/contacts")}
        got = ok(c.get("/api/v1/voice/community"))
        want = community_of(w, mine, now)
        assert got["contacts"] == want["contacts"], role
        assert got["roles"] == want["roles"], role
        assert got["ideas"] == want["ideas"], role
        ratings = [r for r in all_items(c, "/api/v1/ratings")]
        assert got["ratings"]["total"] == len(ratings)
        assert got["ratings"]["verified"] == sum(1 for r in ratings if r["verified"])
        assert got["ratings"]["mean_stars"] == pytest.approx(
            sum(r["stars"] for r in ratings) / len(ratings))
        assert got["window_days"] == WINDOW_DAYS
    r = w.clients["admin"].get("/api/v1/voice/community", params={"from": "2026-01-01"})
    assert r.status_code == 400, r.text
    cli = json.loads(kith(w.srv.db, "voice", "community", "--json").stdout)
    assert cli["roles"] == community_of(w, set(w.contacts), now)["roles"]
    text = kith(w.srv.db, "voice", "community").stdout
    assert "leader" in text and "watcher" in text


def test_roles_are_derived_again_at_start_and_after_import(world):
    w = world
    # another process's writes: a vote and a hand-set role written behind the server's back
    w.srv.stop()
    db = sqlite3.connect(w.srv.db)
    none_yet = [c for c, r in expected_roles(w, now_ms()).items() if r is None]
    assert none_yet
    db.execute("UPDATE contacts SET community_role = 'leader' WHERE id = ?", (none_yet[0],))
    iid = min(w.ideas)
    voter = next(c for c in none_yet[1:] if (iid, c) not in w.votes)
    db.execute("INSERT INTO idea_votes (created_at, idea_id, contact_id, value)"
               " VALUES (?, ?, ?, 1)", (now_ms(), iid, voter))
    db.commit()
    db.close()
    w.votes[(iid, voter)] = (0, 1)
    srv = Server(w.srv.db)
    w.srv = srv
    a = Client(srv.url, "admin@example.com")
    for role in ROLES:
        w.clients[role] = a if role == "admin" else Client(srv.url, f"{role}@example.com")
    want = expected_roles(w, now_ms())
    got = stored_roles(a)
    assert got[none_yet[0]] is None and got[voter] == "watcher"
    assert got == want
    # referrals imported beside the running server
    target = next(c for c, r in want.items() if r in (None, "watcher"))
    csv = os.path.join(w.tmp, "events.csv")
    with open(csv, "w") as f:
        f.write("kind,contact_id,occurred_at\n")
        for k in range(2):
            f.write(f"referral,{target},{iso(now_ms() - (k + 1) * DAY)}\n")
    out = kith(srv.db, "import", "events", csv).stdout
    assert "community role" in out
    for k in range(2):
        w.events.append((target, "referral", now_ms() - (k + 1) * DAY))
    got = stored_roles(a)
    assert got[target] == "leader"
    assert got == expected_roles(w, now_ms())
    # deletes derive again too: a watcher's only vote withdrawn
    current = expected_roles(w, now_ms())
    victim = next(((i, c), v) for (i, c), (v, _) in w.votes.items()
                  if v and current[c] == "watcher" and sum(1 for (_, c2) in w.votes if c2 == c) == 1)
    assert ok(a.get(f"/api/v1/contacts/{victim[0][1]}"))["community_role"] == "watcher"
    r = a.delete(f"/api/v1/idea-votes/{victim[1]}")
    assert r.status_code in (200, 204), r.text
    del w.votes[victim[0]]
    assert ok(a.get(f"/api/v1/contacts/{victim[0][1]}"))["community_role"] is None
    assert stored_roles(a) == expected_roles(w, now_ms())


def test_voice_ratings_and_ideas_for_each_scope_and_the_cli(world):
    """`voice ratings`: per product, from the ratings the caller may list; a product rated by fewer
    contacts than the policy's k shows its name only. `voice ideas`: counts by status and the
    best scored ideas (up minus down votes, then the newest), as the ideas resource lists them."""
    w = world
    products = {p["id"]: p["name"] for p in all_items(w.clients["admin"], "/api/v1/products")}
    for role in ROLES:
        c = w.clients[role]
        got = ok(c.get("/api/v1/voice/ratings"))
        k = got["k"]
        ratings = all_items(c, "/api/v1/ratings")
        assert got["ratings"] == len(ratings), role
        by = {}
        for r in ratings:
            by.setdefault(r["product_id"], []).append(r)
        assert sorted(p["product_id"] for p in got["products"]) == sorted(by), role
        shown = 0
        for p in got["products"]:
            rs = by[p["product_id"]]
            assert p["name"] == products[p["product_id"]]
            if len({r["contact_id"] for r in rs}) < k:
                assert p["suppressed"] and "ratings" not in p, (role, p)
                continue
            shown += 1
            assert not p["suppressed"] and p["ratings"] == len(rs)
            assert p["contacts"] == len({r["contact_id"] for r in rs})
            assert p["mean_stars"] == pytest.approx(sum(r["stars"] for r in rs) / len(rs))
            ver = [r for r in rs if r["verified"]]
            assert p["verified"] == len(ver)
            assert p["reviews"] == sum(1 for r in rs if r.get("review"))
        if role == "admin":
            admin_shown = shown
        ideas = ok(c.get("/api/v1/voice/ideas", params={"limit": 5}))
        listed = all_items(c, "/api/v1/ideas")
        assert ideas["total"] == len(listed), role
        assert ideas["by_status"] == {s: sum(1 for x in listed if x["status"] == s)
                                      for s in STATUSES}, role
        votes = {}
        for v in all_items(w.clients["admin"], "/api/v1/idea-votes"):
            up, down = votes.get(v["idea_id"], (0, 0))
            votes[v["idea_id"]] = (up + (v["value"] > 0), down + (v["value"] < 0))
        want = sorted(listed, key=lambda x: (-(votes.get(x["id"], (0, 0))[0]
                                               - votes.get(x["id"], (0, 0))[1]), -x["id"]))[:5]
        assert [x["id"] for x in ideas["ideas"]] == [x["id"] for x in want], role
        assert all(x["title"] == y["title"] and x["status"] == y["status"]
                   for x, y in zip(ideas["ideas"], want))
    # the CLI answers the admin's policy over every contact, as the API to an admin
    assert json.loads(kith(w.srv.db, "voice", "ratings", "--json").stdout) == \
        ok(w.clients["admin"].get("/api/v1/voice/ratings"))
    assert "score" in kith(w.srv.db, "voice", "ideas").stdout
    # with k at 1 every product of the admin's shows its figures
    r = w.clients["admin"].patch("/api/v1/privacy", json={"role": "admin", "min_k": 1})
    assert r.status_code == 200, r.text
    try:
        got = ok(w.clients["admin"].get("/api/v1/voice/ratings"))
        assert got["k"] == 1 and not any(p["suppressed"] for p in got["products"])
        assert len(got["products"]) >= admin_shown
    finally:
        w.clients["admin"].patch("/api/v1/privacy", json={"role": "admin", "min_k": 10})
