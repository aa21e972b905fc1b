"""The privacy of the comparison of units is the server's policy, not the caller's
(docs/internals/rv.md, "Privacy policy"): against a real `kith serve` over a small demo database,
a unit of one contact stays hidden from a partner whatever k it asks; epsilon 0 is refused and a
large epsilon lowered for a role that must get noise; repeated queries give the same noisy
figures (they cannot be averaged into the truth, which only exact roles see); the daily budget
is spent once per distinct query, reported, and then refuses; administrators change the policy
through `kith privacy` and PATCH /api/v1/privacy (audited), and nobody else can."""
import json
import os
import sqlite3
import tempfile
import time

import pytest

from conftest import Client, Server, add_user, kith

AS_OF = "2026-06-30T00:00:00Z"  # the demo's simulated "now"
SOLO = "Solo Dealer"  # a unit of one contact, made by the fixture


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "600", "--seed", "11")
        con = sqlite3.connect(db)
        partner_unit = con.execute("SELECT id, name FROM units WHERE kind = 'distributor'"
                                   " ORDER BY id LIMIT 1").fetchone()
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "exec@example.com", "executive")
        add_user(db, "mgr@example.com", "manager", unit=partner_unit[1])
        for who in ("partner", "spender", "policy"):
            add_user(db, f"{who}@example.com", "partner", unit=partner_unit[1])
        srv = Server(db)
        try:
            w = {"db": db, "srv": srv, "partner_unit_id": partner_unit[0]}
            for who in ("admin", "exec", "mgr", "partner", "spender", "policy"):
                w[who] = Client(srv.url, f"{who}@example.com")
            a = w["admin"]
            unit = a.post("/api/v1/units", json={"name": SOLO, "kind": "dealer"})
            assert unit.status_code == 201, unit.text
            w["solo_id"] = unit.json()["id"]
            c = a.post("/api/v1/contacts", json={"first_name": "Only", "last_name": "One",
                                                 "unit_id": w["solo_id"]})
            assert c.status_code == 201, c.text
            i = a.post("/api/v1/interactions", json={"contact_id": c.json()["id"], "type_id": 1,
                                                     "rv": 977,
                                                     "occurred_at": "2026-01-05T10:00:00Z"})
            assert i.status_code == 201, i.text
            # a new unit reaches the snapshot with its next reload (seconds): wait for it
            deadline = time.monotonic() + 60
            while world_units(a).get(w["solo_id"], {}).get("n") != 1:
                assert time.monotonic() < deadline, "the new unit never reached the snapshot"
                time.sleep(0.2)
            yield w
        finally:
            srv.stop()


def world_units(admin):
    """The exact cells (all stages) by unit id, every group shown (min_k 1 for the look)."""
    set_policy({"admin": admin}, "admin", min_k=1)
    try:
        return by_unit(units(admin, "&k=1"))
    finally:
        set_policy({"admin": admin}, "admin", min_k=10)


def units(client, query="", status=200):
    r = client.get(f"/api/v1/rv/units?as_of={AS_OF}{query}")
    assert r.status_code == status, r.text
    return r.json()


def by_unit(answer):
    return {c["unit"].get("id"): c for c in answer["cells"] if c["stage"] == "all"}


def set_policy(w, role, **fields):
    r = w["admin"].patch("/api/v1/privacy", json={"role": role, **fields})
    assert r.status_code == 200, r.text
    return r.json()


def test_default_policy_exact_only_for_roles_that_read_everything(world):
    r = world["admin"].get("/api/v1/privacy")
    assert r.status_code == 200, r.text
    roles = {p["role"]: p for p in r.json()["roles"]}
    assert set(roles) == {"admin", "executive", "analyst", "manager", "frontline", "partner"}
    assert all(p["min_k"] == 10 for p in roles.values())
    for exact in ("admin", "executive", "analyst"):
        assert not roles[exact]["require_noise"] and roles[exact]["daily_budget"] is None
    for noised in ("manager", "frontline", "partner"):
        assert roles[noised]["require_noise"] and roles[noised]["max_epsilon"] == 1
        assert roles[noised]["daily_budget"] == 10
    assert roles["partner"]["updated_at"] is None  # never changed
    # kith privacy show says the same
    shown = kith(world["db"], "privacy", "show").stdout
    assert "partner" in shown and "none" in shown
    listed = json.loads(kith(world["db"], "privacy", "show", "--json").stdout)["roles"]
    assert {p["role"]: p["min_k"] for p in listed} == {p: 10 for p in roles}


def test_one_contact_unit_stays_hidden_from_a_partner_asking_k_1(world):
    ans = units(world["partner"], "&k=1")
    assert ans["k"] == 10 and ans["privacy"]["k_raised"] and ans["privacy"]["k_requested"] == 1
    assert ans["epsilon"] == 1 and ans["privacy"]["policy"]["role"] == "partner"
    solo = [c for c in ans["cells"] if c["unit"].get("id") == world["solo_id"]]
    assert solo and all(c["suppressed"] and c["n"] is None and c["mean"] is None for c in solo)
    # a manager of another unit too; and with exact figures (admin) it is below k as well
    assert all(c["suppressed"] for c in units(world["mgr"], "&k=1")["cells"]
               if c["unit"].get("id") == world["solo_id"])
    assert by_unit(units(world["admin"], "&k=1"))[world["solo_id"]]["suppressed"]


def test_partner_epsilon_zero_refused_and_large_epsilon_lowered(world):
    r = world["partner"].get(f"/api/v1/rv/units?as_of={AS_OF}&epsilon=0")
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["field"] == "epsilon" and "requires noise" in err["message"]
    ans = units(world["partner"], "&epsilon=1000")
    assert ans["epsilon"] == 1 and ans["privacy"]["epsilon_lowered"]
    assert ans["privacy"]["epsilon_requested"] == 1000
    # asking for more privacy is kept
    ans = units(world["partner"], "&epsilon=0.5&k=20")
    assert ans["epsilon"] == 0.5 and ans["k"] == 20
    assert not ans["privacy"]["k_raised"] and not ans["privacy"]["epsilon_lowered"]


def test_repeated_queries_give_the_same_noise_and_the_truth_only_to_exact_roles(world):
    truth = by_unit(units(world["exec"]))  # executives read every contact: exact
    assert units(world["exec"])["epsilon"] == 0
    first = units(world["partner"])
    assert first["noise"].startswith("seeded")
    shown = [u for u, c in by_unit(first).items()
             if c["noised"] and not c["suppressed"] and u != world["partner_unit_id"]]
    assert shown, "some unit is large enough to show through the noise"
    spent = first["privacy"]["budget"]["spent"]
    for _ in range(1000):
        again = units(world["partner"])
        assert again["cells"] == first["cells"]
    assert again["privacy"]["budget"]["spent"] == spent
    assert not again["privacy"]["budget"]["charged"]
    # the average of the answers is the first answer, not the truth
    assert any(by_unit(first)[u]["mean"] != truth[u]["mean"] for u in shown)
    assert all(not truth[u]["noised"] for u in shown)
    # another query (k) over the same data draws other noise
    other = by_unit(units(world["partner"], "&k=11"))
    assert any(other[u]["mean"] != by_unit(first)[u]["mean"] for u in shown)


def test_budget_is_spent_once_per_query_reported_then_refuses(world):
    set_policy(world, "partner", daily_budget=3)
    try:
        sp = world["spender"]
        a = units(sp, "&k=10")["privacy"]["budget"]
        assert a["limit"] == 3 and a["spent"] == 1 and a["left"] == 2 and a["charged"]
        b = units(sp, "&k=10")["privacy"]["budget"]  # the same query: free
        assert b["spent"] == 1 and not b["charged"]
        assert units(sp, "&k=11")["privacy"]["budget"]["spent"] == 2
        c = units(sp, "&k=12&epsilon=0.5")["privacy"]["budget"]
        assert c["spent"] == 2.5 and c["left"] == 0.5
        r = sp.get(f"/api/v1/rv/units?as_of={AS_OF}&k=13")
        assert r.status_code == 429, r.text
        assert "privacy budget" in r.json()["error"]["message"]
        assert "00:00 UTC" in r.json()["error"]["message"]
        assert units(sp, "&k=13&epsilon=0.5")["privacy"]["budget"]["left"] == 0
        assert units(sp, "&k=10")["privacy"]["budget"]["spent"] == 3  # repeats still answer
        assert sp.get(f"/api/v1/rv/units?as_of={AS_OF}&k=14&epsilon=0.1").status_code == 429
        # the ledger is durable: a row per user, day and distinct query
        con = sqlite3.connect(world["db"])
        rows = con.execute("SELECT count(*), sum(epsilon) FROM privacy_spend WHERE user_id = ?",
                           (sp.me["user"]["id"],)).fetchone()
        con.close()
        assert rows == (4, 3.0)
    finally:
        set_policy(world, "partner", daily_budget=10)


def test_admin_changes_the_policy_via_cli_and_api_and_it_applies(world):
    p = world["policy"]
    kith(world["db"], "privacy", "set", "--role", "partner", "--min-k", "25")
    assert units(p)["k"] == 25
    pol = set_policy(world, "partner", min_k=15, max_epsilon=2)
    assert pol["min_k"] == 15 and pol["max_epsilon"] == 2
    assert pol["updated_by"] == world["admin"].me["user"]["id"] and pol["updated_at"]
    ans = units(p, "&epsilon=5")
    assert ans["k"] == 15 and ans["epsilon"] == 2
    audit = world["admin"].get("/api/v1/audit?table=privacy_policy").json()["items"]
    assert audit and audit[0]["action"] == "update" and "min_k 25 -> 15" in audit[0]["detail"]
    assert audit[0]["user_id"] == world["admin"].me["user"]["id"]
    # the command line's change is in the log too, by nobody signed in
    assert audit[1]["user_id"] is None and "min_k 10 -> 25" in audit[1]["detail"]
    assert audit[1]["client_addr"] == "cli"
    # exact figures for partners only when an administrator says so
    set_policy(world, "partner", require_noise=False)
    exact = units(p, "&epsilon=0")
    assert exact["epsilon"] == 0 and not any(c["noised"] for c in exact["cells"])
    kith(world["db"], "privacy", "set", "--role", "partner", "--min-k", "10", "--max-epsilon",
         "1", "--require-noise", "yes", "--daily-budget", "10")
    assert units(p)["epsilon"] == 1
    # bad values name the field; an unknown role is refused
    for body, field in (({"role": "partner", "min_k": 0}, "min_k"),
                        ({"role": "partner", "max_epsilon": 0}, "max_epsilon"),
                        ({"role": "partner", "daily_budget": -1}, "daily_budget"),
                        ({"role": "partner", "require_noise": "yes"}, "require_noise"),
                        ({"role": "wizard", "min_k": 5}, "role"),
                        ({"role": "partner", "colour": 5}, "colour")):
        r = world["admin"].patch("/api/v1/privacy", json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    bad = kith(world["db"], "privacy", "set", "--role", "partner", "--min-k", "0", check=False)
    assert bad.returncode == 2 and "--min-k" in bad.stderr


def test_only_admins_read_or_change_the_policy(world):
    for who in ("exec", "mgr", "partner"):
        c = world[who]
        assert c.get("/api/v1/privacy").status_code == 403
        r = c.patch("/api/v1/privacy", json={"role": "partner", "min_k": 1})
        assert r.status_code == 403, r.text
    assert units(world["partner"], "&k=1")["k"] == 10  # unchanged


def test_cli_applies_the_admin_policy(world):
    out = json.loads(kith(world["db"], "rv", "units", "--as-of", AS_OF, "--k", "2",
                          "--json").stdout)
    assert out["k"] == 10 and out["privacy"]["policy"]["role"] == "admin"
    assert out["privacy"]["budget"] is None  # the command line spends nobody's budget
    text = kith(world["db"], "rv", "units", "--as-of", AS_OF, "--k", "2").stdout
    assert "raised to the privacy policy's minimum" in text
