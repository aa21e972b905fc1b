"""What the answers to each question of a survey say (docs/voice.md, "Surveys report"):
`GET /api/v1/voice/surveys?survey=ID` and `kith voice surveys --survey ID --json` give that
survey alone with, per question, the contacts who answered it and the answers per value (NPS
0-10, CSAT 1-5, each choice, an intent true or false), over the latest answers of the caller's
contacts; a question answered by fewer than k contacts is suppressed.

A seeded generator writes opt-ins and answers (some updated) through the API; the counts are
recomputed here in Python from what was sent.
"""
import json
import random

from conftest import Client, add_user, kith

K = 10  # the default privacy policy's min_k
CHOICES = ["Phone", "Email", "Portal", "Visit"]
FEATURES = ["Price", "Speed", "Service"]


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def voc_types(admin):
    for code, rv in [("voc_nps_promoter", 5), ("voc_nps_passive", 1), ("voc_nps_detractor", -5),
                     ("voc_ticket_csat", 1), ("voc_needs_questionnaire", 2),
                     ("voc_relationship_survey", 1)]:
        created(admin.post("/api/v1/interaction-types", json={
            "code": code, "name": code, "phase": "retention", "level": 4, "channel": "web",
            "rv": rv, "cost": "0.00", "touch": 0.2, "tech": 0.8, "is_voc": True}))


QUESTIONS = [
    {"id": "n", "kind": "nps", "text": "Recommend us?"},
    {"id": "c", "kind": "csat", "text": "Satisfied?"},
    {"id": "how", "kind": "single", "text": "How to reach you?", "choices": CHOICES},
    {"id": "what", "kind": "multiple", "text": "What matters?", "choices": FEATURES},
    {"id": "buy", "kind": "intent", "text": "Buy within 6 months?", "category": "pumps",
     "horizon_months": 6},
    {"id": "rare", "kind": "single", "text": "Rarely answered", "choices": ["a", "b"]},
    {"id": "w", "kind": "wants", "text": "What do you want?"},
]


def expected(latest, q, k=K):
    """The question's entry, from the latest answers (contact -> answers) in scope."""
    given = [a[q["id"]] for a in latest.values() if q["id"] in a]
    entry = {"id": q["id"], "kind": q["kind"], "text": q["text"]}
    if len(given) < k:
        return dict(entry, suppressed=True, answered=None, values=None)
    if q["kind"] == "nps":
        vals = list(range(11))
    elif q["kind"] == "csat":
        vals = list(range(1, 6))
    elif q["kind"] == "intent":
        vals = [True, False]
    elif q["kind"] in ("single", "multiple"):
        vals = q["choices"]
    else:
        vals = []

    def count(v):
        if q["kind"] == "multiple":
            return sum(1 for g in given if v in g)
        return sum(1 for g in given if g == v and type(g) is type(v))

    return dict(entry, suppressed=False, answered=len(given),
                values=[{"value": v, "answers": count(v)} for v in vals])


def test_each_question_counted_and_suppressed_below_k(server, admin):
    rng = random.Random(1516)
    voc_types(admin)
    north = created(admin.post("/api/v1/units", json={"name": "North", "kind": "business_unit"}))
    south = created(admin.post("/api/v1/units", json={"name": "South", "kind": "partner"}))
    add_user(server.db, "pat@example.com", "partner", unit="South")
    survey = created(admin.post("/api/v1/surveys", json={"name": "Q", "questions": {"items": QUESTIONS}}))
    other = created(admin.post("/api/v1/surveys", json={"name": "Other", "questions": {
        "items": [{"id": "n", "kind": "nps", "text": "?"}]}}))
    contacts = [created(admin.post("/api/v1/contacts", json={
        "last_name": f"C{i}", "unit_id": (south if i < 12 else north)["id"]})) for i in range(30)]
    latest = {}
    for i, c in enumerate(contacts):
        created(admin.post(f"/api/v1/surveys/{survey['id']}/optins",
                           json={"contact_id": c["id"], "state": "granted"}))
        for _ in range(1 + (i % 4 == 0)):  # every fourth contact answers twice: the latest counts
            a = {"n": rng.randint(0, 10)}
            if rng.random() < 0.8:
                a["c"] = rng.randint(1, 5)
            if rng.random() < 0.9:
                a["how"] = rng.choice(CHOICES)
            if rng.random() < 0.7:
                a["what"] = rng.sample(FEATURES, rng.randint(1, 3))
            if rng.random() < 0.8:
                a["buy"] = rng.random() < 0.4
            if i < 4:
                a["rare"] = "a"
            if rng.random() < 0.5:
                a["w"] = f"more of {rng.choice(FEATURES)}"
            created(admin.post(f"/api/v1/surveys/{survey['id']}/responses",
                               json={"contact_id": c["id"], "answers": a}))
            latest[c["id"]] = a

    body = ok(admin.get("/api/v1/voice/surveys", params={"survey": survey["id"]}))
    assert body["privacy"]["k"] == K
    assert [s["id"] for s in body["surveys"]] == [survey["id"]]
    got = body["surveys"][0]["questions"]
    assert got == [expected(latest, q) for q in QUESTIONS]
    assert got[5]["suppressed"] is True  # "rare": four contacts
    assert all(not q["suppressed"] for q in got[:5])

    # the CLI answers alike
    cli = json.loads(kith(server.db, "voice", "surveys", "--survey", str(survey["id"]), "--json").stdout)
    assert cli == body
    text = kith(server.db, "voice", "surveys", "--survey", str(survey["id"])).stdout
    assert "rare (single) Rarely answered\n  suppressed" in text

    # without a survey the report is as before: every survey, no questions
    every = ok(admin.get("/api/v1/voice/surveys"))
    assert sorted(s["id"] for s in every["surveys"]) == sorted([survey["id"], other["id"]])
    assert all("questions" not in s for s in every["surveys"])

    # a partner: its own 12 contacts only
    pat = Client(server.url, "pat@example.com")
    mine = {c["id"] for c in contacts if c["unit_id"] == south["id"]}
    body = ok(pat.get("/api/v1/voice/surveys", params={"survey": survey["id"]}))
    scoped = {cid: a for cid, a in latest.items() if cid in mine}
    k = body["privacy"]["k"]
    assert body["surveys"][0]["questions"] == [expected(scoped, q, k) for q in QUESTIONS]

    # a survey that does not exist
    r = admin.get("/api/v1/voice/surveys", params={"survey": other["id"] + 100})
    assert r.status_code == 404, r.text
    assert r.json()["error"]["field"] == "survey"
