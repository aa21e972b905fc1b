"""`kith deals add|show|move|win|lose|reopen` (issue 12, item 2): the command line changes deals
through the same stage rules as PATCH /api/v1/deals (store_deal_stage_rules), records who moved a
deal and when in its history, and a running `kith serve` sees every change at once. Also `kith
export deals` / `deal_lines` read back by `kith import`.

Each test builds its own database with `kith init` and imports, then runs the real binary against
it while a real server serves it. Expected values are computed here from what the test did (the
stage list, the order of the moves, the timestamps of the history rows), never copied from the
program's output.
"""
import datetime
import json
import os
import tempfile

import pytest

from conftest import KITH, Client, Server, add_user, kith

STAGES = {"Prospecting": (0.1, "open"), "Engaging": (0.25, "open"), "Proposal": (0.5, "open"),
          "Closing": (0.75, "open"), "Won": (1.0, "won"), "Lost": (0.0, "lost")}


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def seed(d):
    """A database with two units, their teams, users, accounts, a contact and two products."""
    db = os.path.join(d, "kith.db")
    kith(db, "init")
    kith(db, "import", "units", write(d, "units.csv",
                                      "name,kind\nNorth,business_unit\nSouth,business_unit\n"))
    kith(db, "import", "teams", write(d, "teams.csv",
                                      "name,kind,unit_name\nNorth AM,closing,North\n"))
    add_user(db, "admin@example.com", "admin")
    add_user(db, "ann@example.com", "frontline", "North", "North AM")
    add_user(db, "bob@example.com", "manager", "North")
    add_user(db, "sue@example.com", "frontline", "South")
    kith(db, "import", "accounts", write(d, "accounts.csv",
                                         "external_id,name,unit_name,team_name,currency\n"
                                         "A-1,Acme,North,North AM,USD\n"
                                         "A-2,Globex,South,,EUR\n"
                                         "A-3,Twin,North,,\n"
                                         "A-4,Twin,South,,\n"))
    kith(db, "import", "contacts", write(d, "contacts.csv",
                                         "last_name,email,account_external_id\n"
                                         "Doe,jane@acme.test,A-1\n"))
    kith(db, "import", "products", write(d, "products.csv",
                                         "sku,name,price\nGTX-PRO,GTX Pro,500\n"
                                         "BASIC,Basic plan,10\n"))
    return db


@pytest.fixture
def env():
    """(db, server, admin client) over a seeded database."""
    with tempfile.TemporaryDirectory() as d:
        db = seed(d)
        srv = Server(db)
        try:
            yield db, srv, Client(srv.url, "admin@example.com")
        finally:
            srv.stop()


def run(db, *args, check=True, env_extra=None):
    """kith with the database in $KITH_DB (so options may come in any order)."""
    import subprocess
    e = dict(os.environ, KITH_DB=db)
    e.pop("KITH_USER", None)
    e.update(env_extra or {})
    p = subprocess.run([KITH, *args], capture_output=True, text=True, timeout=60, env=e)
    if check and p.returncode != 0:
        raise AssertionError(f"kith {' '.join(args)}: {p.returncode} {p.stderr}")
    return p


def ms(iso):
    """Unix milliseconds of an ISO 8601 UTC time as the API writes it."""
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    return round(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def ids(admin, path, **params):
    r = admin.get(path, params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def one(admin, path, **params):
    items = ids(admin, path, **params)
    assert len(items) == 1, items
    return items[0]


def show(db, deal):
    return json.loads(run(db, "deals", "show", str(deal), "--json").stdout)


def api_deal(admin, deal_id):
    r = admin.get(f"/api/v1/deals/{deal_id}")
    assert r.status_code == 200, r.text
    return r.json()


def test_add_resolves_names_and_the_server_sees_the_deal(env):
    db, srv, admin = env
    stage = {s["name"]: s for s in ids(admin, "/api/v1/deal-stages")}
    acme = one(admin, "/api/v1/accounts", external_id="A-1")
    ann = one(admin, "/api/v1/users", email="ann@example.com")
    bob = one(admin, "/api/v1/users", email="bob@example.com")
    jane = one(admin, "/api/v1/contacts", email="jane@acme.test")
    prod = {p["sku"]: p for p in ids(admin, "/api/v1/products")}

    p = run(db, "deals", "add", "--account", "Acme", "--owner", "ann@example.com",
            "--stage", "Engaging", "--currency", "USD", "--expected-close", "2026-03-31",
            "--source", "referral", "--contact", "jane@acme.test", "--name", "Acme rollout",
            "--line", "GTX-PRO:2:1000", "--line", "Basic plan:3:30.25", "--external-id",
            "OPP-7", "--as", "bob@example.com", "--json")
    made = json.loads(p.stdout)
    # the deal as the server answers it, byte for byte the same object
    assert api_deal(admin, made["id"]) == made
    assert made["account_id"] == acme["id"] and made["contact_id"] == jane["id"]
    assert made["owner_id"] == ann["id"]
    assert (made["unit_id"], made["team_id"]) == (acme["unit_id"], acme["team_id"])
    assert made["stage_id"] == stage["Engaging"]["id"]
    assert made["probability"] == STAGES["Engaging"][0] and made["outcome"] == "open"
    assert made["closed_at"] is None and made["external_id"] == "OPP-7"
    # without --amount the deal is worth the sum of its lines
    assert made["amount"] == f"{1000 + 30.25:.2f}"

    lines = ids(admin, "/api/v1/deal-lines", deal_id=made["id"])
    assert [(l["product_id"], l["quantity"], l["amount"]) for l in lines] == [
        (prod["GTX-PRO"]["id"], 2, "1000.00"), (prod["BASIC"]["id"], 3, "30.25")]
    hist = ids(admin, "/api/v1/deal-stage-changes", deal_id=made["id"])
    assert [(h["from_stage_id"], h["to_stage_id"], h["user_id"]) for h in hist] == [
        (None, stage["Engaging"]["id"], bob["id"])]

    shown = show(db, "OPP-7")  # by external id
    assert shown["deal"] == made
    assert shown["account"]["name"] == "Acme" and shown["owner"]["email"] == "ann@example.com"
    assert shown["stage"]["name"] == "Engaging"
    assert [l["product"]["sku"] for l in shown["lines"]] == ["GTX-PRO", "BASIC"]
    assert [{k: v for k, v in l.items() if k != "product"} for l in shown["lines"]] == lines
    assert shown["history"][0]["user"]["email"] == "bob@example.com"
    assert shown["history"][0]["from_stage"] is None
    assert shown["history"][0]["to_stage"]["name"] == "Engaging"
    assert shown["history"][0]["ms_in_stage"] >= 0  # the current stage of an open deal: so far

    text = run(db, "deals", "show", str(made["id"])).stdout
    assert "Acme rollout" in text and "GTX-PRO" in text and "bob@example.com" in text

    # the audit log names who did it, from the command line
    audit = [json.loads(l) for l in run(db, "export", "--format", "jsonl",
                                        "audit_log").stdout.splitlines()]
    mine = [a for a in audit if a["table_name"] == "deals" and a["record_id"] == made["id"]]
    assert [(a["action"], a["user_id"], a["client_addr"]) for a in mine] == [
        ("create", bob["id"], "cli")]


def test_move_win_lose_reopen_keep_the_history(env):
    db, srv, admin = env
    stage = {s["name"]: s["id"] for s in ids(admin, "/api/v1/deal-stages")}
    users = {u["email"]: u["id"] for u in ids(admin, "/api/v1/users")}
    d = json.loads(run(db, "deals", "add", "--account", "A-1", "--amount", "900",
                       "--as", "ann@example.com", "--json").stdout)
    assert d["stage_id"] == stage["Prospecting"]  # the first open stage by default
    assert d["owner_id"] == users["ann@example.com"]  # the --as user owns it by default
    did = d["id"]
    # each step: (arguments, who, the stage it ends in); expected history computed from them
    steps = [(["move", str(did), "Proposal"], "bob@example.com", "Proposal"),
             (["move", str(did), "closing"], "ann@example.com", "Closing"),  # any case
             (["win", str(did)], "bob@example.com", "Won"),
             (["reopen", str(did)], "ann@example.com", "Closing"),  # back where it was
             (["lose", str(did), "--reason", "price"], "ann@example.com", "Lost"),
             (["reopen", str(did), "--stage", "Engaging"], "bob@example.com", "Engaging")]
    want = [(None, stage["Prospecting"], users["ann@example.com"])]
    before = "Prospecting"
    for args, who, after in steps:
        out = json.loads(run(db, "deals", *args, "--as", who, "--json").stdout)
        now = api_deal(admin, did)
        assert out == now  # the server sees the change the CLI just made
        kind = STAGES[after][1]
        assert now["stage_id"] == stage[after] and now["outcome"] == kind
        assert now["probability"] == STAGES[after][0]
        assert (now["closed_at"] is None) == (kind == "open")
        assert now["loss_reason"] == ("price" if after == "Lost" else None)
        want.append((stage[before], stage[after], users[who]))
        before = after
    hist = ids(admin, "/api/v1/deal-stage-changes", deal_id=did, sort="changed_at")
    assert [(h["from_stage_id"], h["to_stage_id"], h["user_id"]) for h in hist] == want

    shown = show(db, did)
    assert [h["id"] for h in shown["history"]] == [h["id"] for h in hist]
    times = [ms(h["changed_at"]) for h in hist]
    spans = [b - a for a, b in zip(times, times[1:])]
    assert [h["ms_in_stage"] for h in shown["history"][:-1]] == spans
    names = {v: k for k, v in stage.items()}
    assert [(h["from_stage"] and h["from_stage"]["name"], h["to_stage"]["name"],
             h["user"]["email"]) for h in shown["history"]] == [
        (names.get(f), names[t], next(e for e, i in users.items() if i == u))
        for f, t, u in want]
    assert sorted(times) == times


def test_closed_deal_rules_and_clear_errors(env):
    db, srv, admin = env
    d = json.loads(run(db, "deals", "add", "--account", "Acme", "--json").stdout)
    did = str(d["id"])
    hist_len = lambda: len(ids(admin, "/api/v1/deal-stage-changes", deal_id=d["id"]))

    def refused(args, code, *words):
        n = hist_len()
        p = run(db, "deals", *args, check=False)
        assert p.returncode == code, (args, p.stdout, p.stderr)
        for w in words:
            assert w in p.stderr, (args, p.stderr)
        assert hist_len() == n  # nothing recorded
        return p

    refused(["lose", did], 2, "--reason")
    refused(["lose", did, "--reason", "  "], 1, "loss reason")
    refused(["move", did, "Won"], 1, "won stage", "win or lose")
    refused(["move", did, "Prospecting"], 1, "already")
    refused(["move", did, "Negotiation"], 1, "Negotiation")
    refused(["reopen", did], 1, "is open")
    refused(["win", did, "--stage", "Lost"], 1, "lost stage")
    refused(["move", "99999", "Proposal"], 1, "99999")
    refused(["win", did, "--as", "nobody@example.com"], 1, "nobody@example.com")
    refused(["show", did, "--reason", "x"], 2)
    refused(["win", did, "--account", "Acme"], 2, "--account")
    run(db, "deals", "win", did)
    assert api_deal(admin, d["id"])["outcome"] == "won"
    refused(["win", did], 1, "won already")
    refused(["lose", did, "--reason", "late"], 1, "won already", "reopen")
    refused(["move", did, "Proposal"], 1, "won", "reopen")
    # a PATCH through the API refuses what the shared rules refuse, with the same words
    r = admin.patch(f"/api/v1/deals/{did}", json={"loss_reason": "late"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "loss_reason", r.text
    p = run(db, "deals", "add", "--account", "Acme", "--stage", "Won", "--check-me",
            check=False)
    assert p.returncode == 2
    # added closed: won needs nothing more, lost needs its reason, an open one may not have one
    n = len(ids(admin, "/api/v1/deals"))
    p = run(db, "deals", "add", "--account", "Acme", "--stage", "Lost", check=False)
    assert p.returncode == 1 and "--reason" in p.stderr, p.stderr
    p = run(db, "deals", "add", "--account", "Acme", "--reason", "price", check=False)
    assert p.returncode == 1 and "loss_reason" in p.stderr, p.stderr
    assert len(ids(admin, "/api/v1/deals")) == n
    lost = json.loads(run(db, "deals", "add", "--account", "Acme", "--stage", "Lost",
                          "--reason", "price", "--json").stdout)
    won = json.loads(run(db, "deals", "add", "--account", "Acme", "--stage", "Won",
                         "--json").stdout)
    assert (lost["outcome"], lost["loss_reason"], won["outcome"]) == ("lost", "price", "won")
    assert lost["closed_at"] is not None and won["closed_at"] is not None


def test_values_are_checked_as_the_api_checks_them(env):
    db, srv, admin = env
    acme = one(admin, "/api/v1/accounts", external_id="A-1")
    stage = one(admin, "/api/v1/deal-stages", name="Prospecting")
    before = len(ids(admin, "/api/v1/deals"))
    for field, opt, value in (("amount", "--amount", "-5"), ("currency", "--currency", "usd"),
                              ("expected_close_at", "--expected-close", "tomorrow"),
                              ("probability", "--probability", "1.5")):
        body_value = float(value) if field == "probability" else value  # a JSON number
        r = admin.post("/api/v1/deals", json={"account_id": acme["id"],
                                              "stage_id": stage["id"], field: body_value})
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
        reason = r.json()["error"]["message"].split(": ", 1)[1]
        p = run(db, "deals", "add", "--account", "A-1", opt, value, check=False)
        assert p.returncode == 1, p.stderr
        assert f"{opt}: {reason}" in p.stderr, (p.stderr, reason)
    for args, words in ((["--account", "Twin"], ["more than one account", "id"]),
                        (["--account", "Nope"], ["no account", "Nope"]),
                        (["--account", "Acme", "--line", "GTX-PRO:0:1"], ["quantity"]),
                        (["--account", "Acme", "--line", "GTX-PRO"], ["PRODUCT:QTY:AMOUNT"]),
                        (["--account", "Acme", "--line", "NOPE:1:1"], ["no product", "NOPE"]),
                        (["--account", "Acme", "--owner", "zed@example.com"], ["zed"])):
        p = run(db, "deals", "add", *args, check=False)
        assert p.returncode == 1, (args, p.stderr)
        for w in words:
            assert w in p.stderr, (args, p.stderr)
    assert len(ids(admin, "/api/v1/deals")) == before  # all or nothing: no deal, no line
    assert ids(admin, "/api/v1/deal-lines") == []


def test_a_units_stage_serves_only_that_units_deals(env):
    db, srv, admin = env
    south = one(admin, "/api/v1/units", name="South")
    r = admin.post("/api/v1/deal-stages", json={"unit_id": south["id"], "name": "Qualified",
                                                 "position": 2, "probability": 0.3,
                                                 "kind": "open"})
    assert r.status_code == 201, r.text
    q = r.json()
    # by name: South's deal finds its unit's stage, North's does not
    south_deal = json.loads(run(db, "deals", "add", "--account", "Globex", "--stage",
                                "Qualified", "--json").stdout)
    assert south_deal["stage_id"] == q["id"] and south_deal["probability"] == 0.3
    p = run(db, "deals", "add", "--account", "Acme", "--stage", "Qualified", check=False)
    assert p.returncode == 1 and "Qualified" in p.stderr
    # by id: the shared rule refuses another unit's stage, as the API does
    p = run(db, "deals", "add", "--account", "Acme", "--stage", str(q["id"]), check=False)
    assert p.returncode == 1 and "stage_id" in p.stderr and "belongs to unit" in p.stderr
    north = json.loads(run(db, "deals", "add", "--account", "Acme", "--json").stdout)
    p = run(db, "deals", "move", str(north["id"]), str(q["id"]), check=False)
    assert p.returncode == 1 and "belongs to unit" in p.stderr
    r = admin.patch(f"/api/v1/deals/{north['id']}", json={"stage_id": q["id"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "stage_id"


def test_who_defaults_to_kith_user(env):
    db, srv, admin = env
    sue = one(admin, "/api/v1/users", email="sue@example.com")
    d = json.loads(run(db, "deals", "add", "--account", "Globex", "--json",
                       env_extra={"KITH_USER": "sue@example.com"}).stdout)
    run(db, "deals", "win", str(d["id"]), env_extra={"KITH_USER": "sue"})  # by name too
    run(db, "deals", "reopen", str(d["id"]))  # nobody
    hist = ids(admin, "/api/v1/deal-stage-changes", deal_id=d["id"], sort="changed_at")
    assert [h["user_id"] for h in hist] == [sue["id"], sue["id"], None]
    assert d["owner_id"] == sue["id"]


def test_help_of_each_verb():
    for verb in ("add", "show", "move", "win", "lose", "reopen"):
        p = run("/nonexistent/kith.db", "deals", verb, "--help")
        assert p.returncode == 0 and p.stdout.startswith(f"usage: kith deals {verb}"), p.stdout
    p = run("/nonexistent/kith.db", "deals", "--help")
    assert all(v in p.stdout for v in ("add", "show", "move", "win", "lose", "reopen",
                                       "winrate", "pipeline"))
    p = run("/nonexistent/kith.db", "deals", "move", "1", check=False)
    assert p.returncode == 2 and "STAGE" in p.stderr


def test_export_of_cli_deals_reads_back(env):
    """Deals made, moved, won and lost on the command line export as CSV that `kith import`
    reads back into a database with the same accounts and users: the same export again."""
    db, srv, admin = env
    a = json.loads(run(db, "deals", "add", "--account", "Acme", "--external-id", "X-1",
                       "--line", "GTX-PRO:1:500", "--currency", "USD", "--json").stdout)
    b = json.loads(run(db, "deals", "add", "--account", "Globex", "--name", "Glob, \"big\"",
                       "--amount", "12.5", "--json").stdout)
    c = json.loads(run(db, "deals", "add", "--account", "A-3", "--json").stdout)
    run(db, "deals", "win", str(a["id"]))
    run(db, "deals", "lose", str(b["id"]), "--reason", "=cheaper elsewhere")
    run(db, "deals", "move", str(c["id"]), "Closing")
    deals_csv = run(db, "export", "deals").stdout
    lines_csv = run(db, "export", "deal_lines").stdout
    assert deals_csv.count("\n") == 4
    with tempfile.TemporaryDirectory() as d2:
        db2 = seed(d2)
        kith(db2, "import", "deals", write(d2, "deals.csv", deals_csv))
        kith(db2, "import", "deal_lines", write(d2, "lines.csv", lines_csv))
        assert kith(db2, "export", "deals").stdout == deals_csv
        assert kith(db2, "export", "deal_lines").stdout == lines_csv
        back = json.loads(run(db2, "deals", "show", str(b["id"]), "--json").stdout)["deal"]
        assert back["loss_reason"] == "=cheaper elsewhere" and back["outcome"] == "lost"
        assert back["name"] == 'Glob, "big"'
