"""The customer's voice (issue 15 items 1 and 2, docs/voice.md): surveys, opt-ins and confidential,
updatable answers through the API, and the NPS/CSAT analyses (GET /api/v1/voice/... and
`kith voice ... --json`).

A seeded generator builds a world through the API only: units (one a partner), users of every
role, the catalogue's survey-answer interaction types, three surveys, ~120 contacts with opt-ins
(granted and shared, granted and private, withdrawn, none) and answers, some updated. The test
then recomputes in Python, from what it sent, the latest answers, NPS and CSAT per group with
their intervals, the suppression below k (the privacy policy's min_k) and the channels' RV, and
checks them against the API for every role (over the contacts that role may list) and against
the CLI. Confidentiality: each role sees one by one exactly the latest shared answers of its
contacts and nothing else.
"""
import json
import math
import random
from datetime import datetime, timezone

import pytest

from conftest import Client, add_user, kith
from module_server import module_server

Z = 1.959963984540054
ROLES = ["admin", "executive", "analyst", "manager", "frontline", "partner"]
# the catalogue's codes of survey answers (src/model/catalogue.c) with their RV and channel
ANSWER_TYPES = {"voc_nps_promoter": (8, "web"), "voc_nps_passive": (2, "web"),
                "voc_nps_detractor": (-15, "web"), "voc_ticket_csat": (2, "email"),
                "voc_needs_questionnaire": (4, "web"), "voc_relationship_survey": (4, "web")}


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def month(ms):
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m")


def quarter(ms):
    d = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"


class World:
    pass


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


def build(srv):
    rng = random.Random(15)
    w = World()
    w.srv = srv
    a = Client(srv.url, "admin@example.com")
    north = created(a.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    south = created(a.post("/api/v1/units", json={"name": "South", "kind": "business_unit"}))
    dealer = created(a.post("/api/v1/units", json={"name": "Dealer D", "kind": "partner",
                                                   "parent_id": north["id"],
                                                   "shares_detail": True}))
    w.units = {u["id"]: u for u in (north, south, dealer)}
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
    w.types = {}
    for code, (rv, channel) in ANSWER_TYPES.items():
        t = created(a.post("/api/v1/interaction-types", json={
            "code": code, "name": code.replace("_", " "), "phase": "retention", "level": 6,
            "channel": channel, "touch": 0.1, "tech": 0.9, "rv": rv, "cost": "1", "is_voc": True}))
        w.types[code] = t
    svc = created(a.post("/api/v1/interaction-types", json={
        "code": "svc_ticket", "name": "Support ticket", "phase": "retention", "level": 5,
        "channel": "phone", "touch": 0.5, "tech": 0.5, "rv": 3, "cost": "20"}))
    w.svc = svc
    p1 = created(a.post("/api/v1/products", json={"sku": "P-1", "name": "Pump", "price": "10"}))
    p2 = created(a.post("/api/v1/products", json={"sku": "P-2", "name": "Valve", "price": "5"}))
    w.products = {p1["id"]: p1, p2["id"]: p2}
    s1 = created(a.post("/api/v1/surveys", json={
        "name": "After a ticket", "channel": "phone", "touchpoint": "after a support ticket",
        "type_id": svc["id"], "purpose": "service",
        "questions": {"items": [
            {"id": "nps", "kind": "nps", "text": "Would you recommend us?", "required": True},
            {"id": "csat", "kind": "csat", "text": "How satisfied are you with the ticket?"},
            {"id": "fix", "kind": "single", "text": "Was it fixed?",
             "choices": ["yes", "partly", "no"]},
            {"id": "how", "kind": "multiple", "text": "How did you reach us?",
             "choices": ["phone", "email", "portal"]},
            {"id": "say", "kind": "text", "text": "Anything else?"},
            {"id": "buy", "kind": "intent", "text": "I plan to buy a pump within 6 months",
             "product_id": p1["id"], "horizon_months": 6},
            {"id": "want", "kind": "wants", "text": "What would you like from us?"},
            {"id": "need", "kind": "needs", "text": "What do you need?"}]}}))
    s2 = created(a.post("/api/v1/surveys", json={
        "name": "After checkout", "channel": "web", "touchpoint": "after checkout",
        "product_id": p2["id"], "audience": "source=web",
        "questions": {"items": [{"id": "n", "kind": "nps", "text": "Recommend?"},
                                {"id": "c", "kind": "csat", "text": "Satisfied?"}]}}))
    s3 = created(a.post("/api/v1/surveys", json={
        "name": "Delivery", "channel": "email", "touchpoint": "after delivery",
        "questions": {"items": [{"id": "c", "kind": "csat", "text": "Delivery OK?",
                                 "required": True},
                                {"id": "cat", "kind": "intent", "text": "More valves soon",
                                 "category": "valves"}]}}))
    w.surveys = {s["id"]: s for s in (s1, s2, s3)}
    w.s1, w.s2, w.s3 = s1, s2, s3

    # contacts: where they are, and whether they opt in and share
    places = [(north, "North T")] * 55 + [(south, "South T")] * 40 + [(dealer, "Dealer T")] * 30
    w.contacts = {}
    w.optin = {}  # (survey, contact) -> (granted, share)
    for i, (unit, team) in enumerate(places):
        c = created(a.post("/api/v1/contacts", json={
            "last_name": f"C{i}", "email": f"c{i}@example.org", "unit_id": unit["id"],
            "team_id": teams[team]["id"], "source": "web" if rng.random() < 0.6 else "event"}))
        w.contacts[c["id"]] = c
    base = int(datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp() * 1000)
    w.answers = []  # every answer sent, in order: dicts of what was sent and the response
    w.refused = []
    for cid, c in w.contacts.items():
        for s in (s1, s2, s3):
            if s is s2 and c["source"] != "web":
                continue
            if s is s3 and rng.random() < 0.5:
                continue
            roll = rng.random()
            if roll < 0.08:
                w.refused.append((s["id"], cid, "none"))
                continue
            share = rng.random() < 0.5
            created(a.post(f"/api/v1/surveys/{s['id']}/optins", json={
                "contact_id": cid, "state": "granted", "share": share}))
            if roll < 0.13:
                created(a.post(f"/api/v1/surveys/{s['id']}/optins", json={
                    "contact_id": cid, "state": "withdrawn"}))
                w.refused.append((s["id"], cid, "withdrawn"))
                continue
            w.optin[(s["id"], cid)] = share
            for update in range(2 if rng.random() < 0.25 else 1):
                at = base + rng.randrange(0, 120 * 86400) * 1000 + update * 86400000 * 130
                body = {"contact_id": cid, "answered_at": iso(at)}
                if s is s1:
                    ans = {"nps": rng.choice([0, 3, 5, 6, 7, 8, 8, 9, 9, 10, 10, 10])}
                    if rng.random() < 0.7:
                        ans["csat"] = rng.randint(1, 5)
                    if rng.random() < 0.5:
                        ans["fix"] = rng.choice(["yes", "partly", "no"])
                    if rng.random() < 0.5:
                        ans["how"] = rng.sample(["phone", "email", "portal"], rng.randint(1, 2))
                    if rng.random() < 0.4:
                        ans["buy"] = rng.random() < 0.5
                    if rng.random() < 0.3:
                        ans["want"] = "faster answers"
                    if rng.random() < 0.3:
                        ans["need"] = "spare parts"
                    if rng.random() < 0.3:
                        body["channel"] = "email"  # the ticket came by email
                elif s is s2:
                    ans = {"n": rng.randint(0, 10), "c": rng.randint(1, 5)}
                else:
                    ans = {"c": rng.randint(1, 5)}
                    if rng.random() < 0.5:
                        ans["cat"] = True
                body["answers"] = ans
                if rng.random() < 0.2 and cid % 2:  # answered through a frontline user
                    who = w.clients["frontline"] if c["unit_id"] == north["id"] else a
                else:
                    who = a
                r = created(who.post(f"/api/v1/surveys/{s['id']}/responses", json=body))
                w.answers.append({"survey": s, "contact": c, "at": at, "body": body, "row": r})
    # a few service tickets, so that a channel has RV without answers
    for cid in list(w.contacts)[:12]:
        created(a.post("/api/v1/interactions", json={"contact_id": cid, "type_id": svc["id"],
                                                     "occurred_at": iso(base + cid * 1000)}))
    return w


@pytest.fixture(scope="module")
def world():
    with module_server() as srv:
        yield build(srv)


# ---- what the answers should give, computed here ----------------------------------------

def latest(w, contacts=None):
    last = {}
    for x in w.answers:
        if contacts is None or x["contact"]["id"] in contacts:
            last[(x["survey"]["id"], x["contact"]["id"])] = x
    return list(last.values())


def expected_type(ans):
    nps = next((v for k, v in ans.items() if k in ("nps", "n")), None)
    if nps is not None:
        return "voc_nps_promoter" if nps >= 9 else "voc_nps_passive" if nps >= 7 \
            else "voc_nps_detractor"
    if "csat" in ans or "c" in ans:
        return "voc_ticket_csat"
    return "voc_relationship_survey"


def key_of(w, x, by):
    s, c, body = x["survey"], x["contact"], x["body"]
    unit = w.units[c["unit_id"]]
    if by == "channel":
        return body.get("channel", s["channel"])
    if by == "touchpoint":
        return s["touchpoint"]
    if by == "type":
        return "Support ticket" if s["type_id"] else None
    if by == "unit":
        return unit["name"]
    if by == "partner":
        return unit["name"] if unit["kind"] == "partner" else None
    if by == "product":
        if s["product_id"]:
            return w.products[s["product_id"]]["name"]
        if s is w.s1 and body["answers"].get("buy") is True:
            return "Pump"
        return None
    if by == "survey":
        return s["name"]
    if by == "month":
        return month(x["at"])
    if by == "quarter":
        return quarter(x["at"])
    return "all"


def wilson(k, n):
    p = k / n
    c = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    h = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


def figures(xs):
    nps = [v for x in xs for k, v in x["body"]["answers"].items() if k in ("nps", "n")]
    csat = [v for x in xs for k, v in x["body"]["answers"].items() if k in ("csat", "c")]
    out = {"contacts": len({x["contact"]["id"] for x in xs}), "answers": len(xs)}
    if nps:
        n = len(nps)
        p = sum(v >= 9 for v in nps) / n
        d = sum(v <= 6 for v in nps) / n
        half = Z * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
        out["nps"] = (n, 100 * (p - d), max(-100, 100 * (p - d) - half),
                      min(100, 100 * (p - d) + half))
    if csat:
        m = len(csat)
        k = sum(v >= 4 for v in csat)
        lo, hi = wilson(k, m)
        out["csat"] = (m, 100 * k / m, 100 * lo, 100 * hi, sum(csat) / m)
    return out


def close(a, b):
    return a is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_cell(cell, exp, k):
    if exp["contacts"] < k:
        assert cell["suppressed"] is True
        assert cell["contacts"] is None and cell["answers"] is None
        assert cell["nps"] is None and cell["csat"] is None
        return False
    assert cell["suppressed"] is False
    assert (cell["contacts"], cell["answers"]) == (exp["contacts"], exp["answers"])
    if "nps" in exp:
        n, score, lo, hi = exp["nps"]
        assert cell["nps"]["n"] == n
        assert close(cell["nps"]["score"], score)
        assert close(cell["nps"]["interval_low"], lo)
        assert close(cell["nps"]["interval_high"], hi)
    else:
        assert cell["nps"]["n"] == 0 and cell["nps"]["score"] is None
    if "csat" in exp:
        m, share, lo, hi, mean = exp["csat"]
        assert cell["csat"]["n"] == m
        assert close(cell["csat"]["score"], share)
        assert close(cell["csat"]["interval_low"], lo)
        assert close(cell["csat"]["interval_high"], hi)
        assert close(cell["csat"]["mean"], mean)
    else:
        assert cell["csat"]["n"] == 0 and cell["csat"]["score"] is None
    return True


def grouped(w, xs, by):
    groups = {}
    for x in xs:
        groups.setdefault(key_of(w, x, by), []).append(x)
    return groups


def visible(w, role):
    return {c["id"] for c in all_items(w.clients[role], "/api/v1/contacts")}


# ---- surveys and answers -------------------------------------------------------------------

def test_the_world_is_big_enough(world):
    xs = latest(world)
    assert len(xs) > 150 and len(world.answers) > len(xs) and len(world.refused) > 10


def test_answers_need_a_granted_optin(world):
    a = world.clients["admin"]
    for survey, cid, why in world.refused:
        r = a.post(f"/api/v1/surveys/{survey}/responses",
                   json={"contact_id": cid, "answers": {"nps": 9, "n": 9, "c": 3}})
        assert r.status_code == 403, (why, r.text)
        assert r.json()["error"]["field"] == "contact_id"


def test_audience_is_enforced(world):
    outsider = next(c for c in world.contacts.values() if c["source"] != "web")
    a = world.clients["admin"]
    created(a.post(f"/api/v1/surveys/{world.s2['id']}/optins",
                   json={"contact_id": outsider["id"], "state": "granted"}))
    r = a.post(f"/api/v1/surveys/{world.s2['id']}/responses",
               json={"contact_id": outsider["id"], "answers": {"n": 10}})
    assert r.status_code == 422, r.text
    assert "audience" in r.json()["error"]["message"]


@pytest.mark.parametrize("answers,field", [
    ({"nps": 11}, "nps"), ({"nps": 5, "csat": 0}, "csat"), ({"csat": 3}, "nps"),
    ({"nps": 5, "fix": "maybe"}, "fix"), ({"nps": 5, "how": ["phone", "phone"]}, "how"),
    ({"nps": 5, "buy": "yes"}, "buy"), ({"nps": 5, "nosuch": 1}, "nosuch"), ({}, "answers")])
def test_answers_must_fit_their_questions(world, answers, field):
    cid = next(c for (s, c) in world.optin if s == world.s1["id"])
    r = world.clients["admin"].post(f"/api/v1/surveys/{world.s1['id']}/responses",
                                    json={"contact_id": cid, "answers": answers})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "answers"
    assert field in r.json()["error"]["message"]


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "questions": {"items": [{"id": "a", "kind": "stars", "text": "?"}]}},
     "questions"),
    ({"name": "x", "questions": {"items": [{"id": "a", "kind": "single", "text": "?",
                                            "choices": ["only"]}]}}, "questions"),
    ({"name": "x", "questions": {"items": [{"id": "a", "kind": "intent", "text": "?"}]}},
     "questions"),
    ({"name": "x", "questions": {"items": []}}, "questions"),
    ({"name": "x"}, "questions"),
    ({"name": "x", "audience": "password_hash=1",
      "questions": {"items": [{"id": "a", "kind": "nps", "text": "?"}]}}, "audience"),
    ({"name": "x", "audience": "unit_id=abc",
      "questions": {"items": [{"id": "a", "kind": "nps", "text": "?"}]}}, "audience"),
    ({"name": "x", "audience": "&".join(["source=web"] * 32),
      "questions": {"items": [{"id": "a", "kind": "nps", "text": "?"}]}}, "audience")])
def test_surveys_are_checked(world, body, field):
    r = world.clients["admin"].post("/api/v1/surveys", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


@pytest.mark.parametrize("role", ROLES[1:])
def test_only_admins_define_surveys(world, role):
    body = {"name": f"by {role}", "questions": {"items": [{"id": "a", "kind": "nps", "text": "?"}]}}
    assert world.clients[role].post("/api/v1/surveys", json=body).status_code == 403
    assert world.clients[role].get(f"/api/v1/surveys/{world.s1['id']}").status_code == 200


def test_an_update_keeps_the_history(world):
    by_pair = {}
    for x in world.answers:
        by_pair.setdefault((x["survey"]["id"], x["contact"]["id"]), []).append(x["row"])
    updated = [rows for rows in by_pair.values() if len(rows) > 1]
    assert updated
    for rows in updated:
        assert rows[0]["replaces_id"] is None and rows[1]["replaces_id"] == rows[0]["id"]
        assert rows[1]["latest"] is True
    out = kith(world.srv.db, "export", "--format", "jsonl", "survey_responses").stdout
    stored = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert len(stored) == len(world.answers)
    for rows in updated:
        assert stored[rows[0]["id"]]["latest"] is False and stored[rows[1]["id"]]["latest"] is True


def test_each_answer_is_an_interaction_in_the_rv(world):
    a = world.clients["admin"]
    rv = {}
    for x in world.answers:
        row = x["row"]
        it = ok(a.get(f"/api/v1/interactions/{row['interaction_id']}"))
        code = expected_type(x["body"]["answers"])
        assert it["type_id"] == world.types[code]["id"]
        assert it["contact_id"] == x["contact"]["id"]
        assert it["rv"] == ANSWER_TYPES[code][0]
        assert it["occurred_at"] == x["body"]["answered_at"]
        rv[x["contact"]["id"]] = rv.get(x["contact"]["id"], 0) + it["rv"]
    svc = set(list(world.contacts)[:12])
    for cid in list(rv)[:25]:
        got = ok(a.get(f"/api/v1/rv/contacts/{cid}"))
        assert got["rv"] == rv[cid] + (world.svc["rv"] if cid in svc else 0)


def test_no_generic_list_of_answers(world):
    for role in ROLES:
        assert world.clients[role].get("/api/v1/survey-responses").status_code in (404, 405)


@pytest.mark.parametrize("role", ROLES)
def test_answers_are_shown_one_by_one_only_where_shared(world, role):
    mine = visible(world, role)
    for s in (world.s1, world.s2, world.s3):
        got = ok(world.clients[role].get(f"/api/v1/surveys/{s['id']}/responses",
                                         params={"limit": 500}))["items"]
        want = {x["row"]["id"] for x in latest(world, mine)
                if x["survey"] is s and world.optin[(s["id"], x["contact"]["id"])]}
        assert {r["id"] for r in got} == want
        assert all(r["confidential"] is False and r["latest"] is True for r in got)
        private = [x for x in latest(world, mine)
                   if x["survey"] is s and not world.optin[(s["id"], x["contact"]["id"])]]
        assert private or not mine  # there is something to hide from everyone who reads any


def test_shared_answers_page_by_id(world):
    a = world.clients["admin"]
    path = f"/api/v1/surveys/{world.s1['id']}/responses"
    whole = [r["id"] for r in ok(a.get(path, params={"limit": 500}))["items"]]
    seen, after = [], None
    while True:
        page = ok(a.get(path, params={"limit": 7, **({"after": after} if after else {})}))
        assert len(page["items"]) <= 7
        seen += [r["id"] for r in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == whole and len(whole) > 7 and whole == sorted(whole)
    assert a.get(path, params={"after": "x"}).status_code == 400


@pytest.mark.parametrize("role", ["executive", "analyst"])
def test_readers_cannot_answer_or_opt_in(world, role):
    cid = next(iter(world.contacts))
    c = world.clients[role]
    assert c.post(f"/api/v1/surveys/{world.s1['id']}/optins",
                  json={"contact_id": cid, "state": "granted"}).status_code == 403
    assert c.post(f"/api/v1/surveys/{world.s1['id']}/responses",
                  json={"contact_id": cid, "answers": {"nps": 1}}).status_code == 403


# ---- the analyses ----------------------------------------------------------------------------

BYS = ["channel", "touchpoint", "type", "unit", "partner", "product", "survey", "month",
       "quarter", "all"]


def check_groups(w, answer, xs, by, k):
    exp = grouped(w, xs, by)
    got = {g["key"]["name"]: g for g in answer["groups"]}
    assert set(got) == set(exp), (by, set(got), set(exp))
    shown = sum(check_cell(got[name], figures(e), k) for name, e in exp.items())
    check_cell(answer["total"], figures(xs), k)
    return shown, len(exp) - shown


@pytest.mark.parametrize("by", BYS)
def test_nps_by_every_grouping_matches_python(world, by):
    answer = ok(world.clients["admin"].get("/api/v1/voice/nps", params={"by": by}))
    assert answer["privacy"]["k"] == 10 and answer["by"] == by
    check_groups(world, answer, latest(world), by, 10)


def test_small_groups_are_suppressed_and_k_is_policy(world):
    a = world.clients["admin"]
    answer = ok(a.get("/api/v1/voice/nps", params={"by": "month"}))
    shown, hidden = check_groups(world, answer, latest(world), "month", 10)
    by_survey = check_groups(world, ok(a.get("/api/v1/voice/nps", params={"by": "survey",
                                                                          "survey": world.s3["id"]})),
                             [x for x in latest(world) if x["survey"] is world.s3], "survey", 10)
    assert shown and hidden and by_survey == (1, 0)
    # a request cannot lower k
    for bad in ({"k": "1"}, {"min_k": "1"}):
        r = a.get("/api/v1/voice/nps", params=bad)
        assert r.status_code == 400, r.text
    # the policy decides: with min_k 25 more groups are hidden, with 3 fewer; a group of
    # exactly min_k contacts is shown, one of min_k - 1 is not
    sizes = sorted({figures(xs)["contacts"] for xs in grouped(world, latest(world), "month").values()})
    edge = next(c for c in sizes if c >= 2)
    for k in (25, 3, edge, edge + 1):
        r = a.patch("/api/v1/privacy", json={"role": "admin", "min_k": k})
        assert r.status_code == 200, r.text
        try:
            answer = ok(a.get("/api/v1/voice/nps", params={"by": "month"}))
            assert answer["privacy"]["k"] == k
            s, h = check_groups(world, answer, latest(world), "month", k)
            if k in (25, 3):
                assert (s < shown) if k > 10 else (s >= shown and h <= hidden)
        finally:
            ok(a.patch("/api/v1/privacy", json={"role": "admin", "min_k": 10}))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_aggregates_of_its_contacts(world, role):
    mine = visible(world, role)
    xs = latest(world, mine)
    for by in ("channel", "unit"):
        answer = ok(world.clients[role].get("/api/v1/voice/nps", params={"by": by}))
        assert answer["privacy"]["role"] == role
        check_groups(world, answer, xs, by, 10)
    if role in ("frontline", "partner"):
        assert len(mine) < len(world.contacts)


def test_period_and_survey_filters(world):
    frm, to = "2026-02-01T00:00:00Z", "2026-04-01T00:00:00Z"
    lo = int(datetime(2026, 2, 1, tzinfo=timezone.utc).timestamp() * 1000)
    hi = int(datetime(2026, 4, 1, tzinfo=timezone.utc).timestamp() * 1000)
    answer = ok(world.clients["admin"].get("/api/v1/voice/nps", params={
        "by": "channel", "from": frm, "to": to, "survey": world.s1["id"]}))
    xs = [x for x in latest(world) if x["survey"] is world.s1 and lo <= x["at"] < hi]
    check_groups(world, answer, xs, "channel", 10)
    r = world.clients["admin"].get("/api/v1/voice/nps", params={"survey": 999999})
    assert r.status_code == 404 and r.json()["error"]["field"] == "survey"
    r = world.clients["admin"].get("/api/v1/voice/nps", params={"from": to, "to": frm})
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"


def test_surveys_report(world):
    answer = ok(world.clients["admin"].get("/api/v1/voice/surveys"))
    got = {s["id"]: s for s in answer["surveys"]}
    assert set(world.surveys) <= set(got)
    xs = latest(world)
    for sid, s in world.surveys.items():
        g = got[sid]
        granted = [c for (sv, c), share in world.optin.items() if sv == sid]
        assert g["opted_in"] >= len(granted)  # plus the audience test's outsider
        assert g["sharing"] == sum(world.optin[(sid, c)] for c in granted)
        assert g["withdrawn"] == sum(1 for sv, _, why in world.refused
                                     if sv == sid and why == "withdrawn")
        assert g["updates"] == sum(1 for x in world.answers if x["survey"]["id"] == sid) - \
            sum(1 for x in xs if x["survey"]["id"] == sid)
        check_cell(g["answers"], figures([x for x in xs if x["survey"]["id"] == sid]), 10)


def test_promise_puts_each_channel_beside_its_rv(world):
    a = world.clients["admin"]
    answer = ok(a.get("/api/v1/voice/promise"))
    its = all_items(a, "/api/v1/interactions")
    rv, n, who = {}, {}, {}
    for it in its:
        ch = it["channel"]
        sign = -1 if it["voids_id"] else 1
        rv[ch] = rv.get(ch, 0) + it["rv"]
        n[ch] = n.get(ch, 0) + sign
        who.setdefault(ch, set()).add(it["contact_id"])
    exp = grouped(world, latest(world), "channel")
    got = {c["channel"]: c for c in answer["channels"]}
    assert set(got) == set(exp) | set(rv)
    for ch, c in got.items():
        assert c["rv"]["rv"] == rv.get(ch, 0) and c["rv"]["interactions"] == n.get(ch, 0)
        assert c["rv"]["contacts"] == len(who.get(ch, ()))
        if ch in exp:
            check_cell(c["answers"], figures(exp[ch]), 10)
        else:
            assert c["answers"]["suppressed"] is True
    assert answer["total"]["rv"]["rv"] == sum(rv.values())
    assert "phone" in got and got["phone"]["rv"]["interactions"] == 12


@pytest.mark.parametrize("analysis,args", [("nps", ["--by", "unit"]), ("surveys", []),
                                           ("promise", []),
                                           ("nps", ["--by", "month", "--from", "2026-02-01"])])
def test_cli_and_api_answer_alike(world, analysis, args):
    cli = json.loads(kith(world.srv.db, "voice", analysis, *args, "--json").stdout)
    params = {args[i][2:]: args[i + 1] for i in range(0, len(args), 2)}
    api = ok(world.clients["admin"].get(f"/api/v1/voice/{analysis}", params=params))
    assert cli == api
