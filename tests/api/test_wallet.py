"""Share of wallet (docs/value.md, "Share of wallet"): accounts.wallet / wallet_year through every
door (API, import), the share per customer (`kith value clv`, /api/v1/value/clv), its
distribution (`value dist`), its movement in value migration (`value drivers migration`) and the
leading-indicator outcome (`rv indicator --outcome share_of_wallet`).

Every figure is recomputed here in Python from the database file (sqlite3), never from kith's own
numbers: over `kith demo --contacts 1000` (200 accounts, most with an estimated wallet) plus a
few accounts made here with a wallet of 0, no wallet, and a wallet set through the API.
"""
import math
import os
import sqlite3
import tempfile

import pytest

from conftest import Client, Server, add_user, kith

DAY_MS = 86400000
YEAR_DAYS = 365


class World:
    def __init__(self, srv, db):
        self.srv, self.db = srv, db
        self.admin = Client(srv.url, "admin@example.com")


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "1000")
        add_user(db, "admin@example.com", "admin")
        srv = Server(db)
        try:
            yield World(srv, db)
        finally:
            srv.stop()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def rows(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def quantile7(sorted_v, p):
    """Hyndman & Fan type 7 (NumPy's default)."""
    h = (len(sorted_v) - 1) * p
    lo = math.floor(h)
    if lo + 1 >= len(sorted_v):
        return sorted_v[lo]
    return sorted_v[lo] + (h - lo) * (sorted_v[lo + 1] - sorted_v[lo])


def book(db):
    """(as_of day, {account: [(day, amount_cents, kind)]}, {account: wallet_cents or None})."""
    orders = rows(db, "SELECT account_id, ordered_at, amount, coalesce(kind, 'sale') FROM orders")
    as_of = max(t for _, t, _, _ in orders) // DAY_MS
    by = {}
    for a, t, amount, kind in orders:
        by.setdefault(a, []).append((t // DAY_MS, amount, kind))
    wallets = dict(rows(db, "SELECT id, wallet FROM accounts"))
    return as_of, by, wallets


def customers(as_of, by):
    """Accounts with a sale on or before the as-of day."""
    return sorted(a for a, os_ in by.items() if any(d <= as_of and k == "sale" for d, _, k in os_))


def revenue(orders, first, last):
    """Net amount in currency units of the orders on days first..last."""
    return sum(amount for d, amount, _ in orders if first <= d <= last) / 100


def share(rev, wallet_cents, days):
    if wallet_cents is None or wallet_cents <= 0:
        return None
    return rev / (wallet_cents / 100 * days / YEAR_DAYS)


def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=tol, abs_tol=1e-9)


# ---- the doors --------------------------------------------------------------------------------


def test_every_door_takes_and_checks_the_wallet(world):
    a = world.admin
    r = a.post("/api/v1/accounts", json={"name": "Wallet Test Ltd", "currency": "EUR",
                                          "wallet": "250000.50", "wallet_year": 2026})
    assert r.status_code == 201, r.text
    acc = r.json()
    assert acc["wallet"] == "250000.50" and acc["wallet_year"] == 2026
    for field, value in (("wallet", "-1.00"), ("wallet", "1.999"), ("wallet_year", 1800),
                         ("wallet_year", 3000), ("wallet_year", "next year")):
        r = a.patch(f"/api/v1/accounts/{acc['id']}", json={field: value})
        assert r.status_code in (400, 422), r.text
        assert r.json()["error"]["field"] == field, r.text
    r = a.patch(f"/api/v1/accounts/{acc['id']}", json={"wallet": None, "wallet_year": None})
    assert r.status_code == 200 and r.json()["wallet"] is None, r.text
    # the list filters by it like any money field
    page = ok(a.get("/api/v1/accounts", params={"wallet_from": "1", "fields": "id,wallet", "limit": 500}))
    assert page["items"] and all(float(x["wallet"]) >= 1 for x in page["items"])

    # import: the column is read, and a bad value is refused naming it, nothing written
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, "accounts.csv")
        with open(good, "w") as f:
            f.write("name,currency,wallet,wallet_year\nImported Wallet Co,USD,1200.00,2025\n")
        kith(world.db, "import", "accounts", good)
        bad = os.path.join(d, "bad.csv")
        with open(bad, "w") as f:
            f.write("name,wallet\nBad Wallet Co,-5\n")
        p = kith(world.db, "import", "accounts", bad, check=False)
        assert p.returncode != 0 and "wallet" in p.stderr, p.stderr
    assert rows(world.db, "SELECT wallet, wallet_year FROM accounts WHERE name = 'Imported Wallet Co'") \
        == [(120000, 2025)]
    assert rows(world.db, "SELECT count(*) FROM accounts WHERE name = 'Bad Wallet Co'") == [(0,)]


# ---- the share per customer -------------------------------------------------------------------


def test_share_per_customer_against_python(world):
    as_of, by, wallets = book(world.db)
    want = {}
    for a in customers(as_of, by):
        rev = revenue([o for o in by[a] if o[0] <= as_of], as_of - YEAR_DAYS + 1, as_of)
        want[a] = (rev, share(rev, wallets.get(a), YEAR_DAYS))
    assert sum(1 for _, s in want.values() if s is not None) > 50  # the demo sets wallets
    assert sum(1 for _, s in want.values() if s is None) > 5       # and leaves some out
    got = kith(world.db, "value", "clv", "--all", "--json").stdout
    import json
    cli = {c["account_id"]: c for c in json.loads(got)["customers"]}
    assert set(cli) == set(want)
    for a, (rev, s) in want.items():
        c = cli[a]
        assert math.isclose(c["revenue_current"], round(rev, 2), abs_tol=0.006), (a, c, rev)
        assert close(c["share_of_wallet"], s), (a, c["share_of_wallet"], s)
        w = wallets.get(a)
        assert c["wallet"] == (None if w is None or w <= 0 else w / 100)
    # the API's one-account answer is the same figure
    some = [a for a, (_, s) in want.items() if s is not None][:3] + \
           [a for a, (_, s) in want.items() if s is None][:1]
    for a in some:
        c = ok(world.admin.get("/api/v1/value/clv", params={"account": a}))
        assert close(c["share_of_wallet"], want[a][1]), (a, c)
    # text of the one-account answer says it
    text = kith(world.db, "value", "clv", "--account", str(some[0])).stdout
    assert "share of wallet" in text


def test_a_wallet_of_zero_gives_no_share(world):
    as_of, by, wallets = book(world.db)
    a = next(a for a in customers(as_of, by) if wallets.get(a))
    con = sqlite3.connect(world.db)
    try:
        con.execute("UPDATE accounts SET wallet = 0 WHERE id = ?", (a,))
        con.commit()
        c = json_of(kith(world.db, "value", "clv", "--account", str(a), "--json").stdout)
        assert c["share_of_wallet"] is None and c["wallet"] is None
    finally:
        con.execute("UPDATE accounts SET wallet = ? WHERE id = ?", (wallets[a], a))
        con.commit()
        con.close()


def json_of(text):
    import json
    return json.loads(text)


# ---- distribution -----------------------------------------------------------------------------


def test_distribution_against_python(world):
    as_of, by, wallets = book(world.db)
    shares, rev_sum, wallet_sum, without = [], 0.0, 0.0, 0
    for a in customers(as_of, by):
        rev = revenue([o for o in by[a] if o[0] <= as_of], as_of - YEAR_DAYS + 1, as_of)
        s = share(rev, wallets.get(a), YEAR_DAYS)
        if s is None:
            without += 1
            continue
        shares.append(s)
        rev_sum += rev
        wallet_sum += wallets[a] / 100
    shares.sort()
    j = ok(world.admin.get("/api/v1/value/dist", params={"measure": "to_date"}))["share_of_wallet"]
    assert j["customers_with_wallet"] == len(shares)
    assert j["customers_without_wallet"] == without
    assert math.isclose(j["aggregate"], rev_sum / wallet_sum, rel_tol=1e-9)
    assert math.isclose(j["mean"], sum(shares) / len(shares), rel_tol=1e-9)
    for key, p in (("p25", 0.25), ("median", 0.5), ("p75", 0.75)):
        assert math.isclose(j[key], quantile7(shares, p), rel_tol=1e-9), key
    edges = [0, 0.10, 0.25, 0.50, 0.75, 1.00]
    counts = [0] * len(edges)
    for s in shares:
        b = max(k for k, e in enumerate(edges) if k == 0 or s >= e)
        counts[b] += 1
    assert [b["customers"] for b in j["bands"]] == counts
    assert [b["from"] for b in j["bands"]] == edges
    # the CLI's --json is the API's answer
    cli = json_of(kith(world.db, "value", "dist", "--measure", "to_date", "--json").stdout)
    assert cli["share_of_wallet"] == j


# ---- value migration --------------------------------------------------------------------------


def test_migration_movement_against_python(world):
    as_of, by, wallets = book(world.db)
    window = 180
    to_first, from_last = as_of - window + 1, as_of - window
    from_first = from_last - window + 1
    up = down = same = without = 0
    fa, ta, rf, rt, ws = [], [], 0.0, 0.0, 0.0
    for a in customers(as_of, by):
        w = wallets.get(a)
        if w is None or w <= 0:
            without += 1
            continue
        a_rev = revenue(by[a], from_first, from_last)
        b_rev = revenue(by[a], to_first, as_of)
        sa, sb = share(a_rev, w, window), share(b_rev, w, window)
        up += sb > sa
        down += sb < sa
        same += sb == sa
        fa.append(sa)
        ta.append(sb)
        rf += a_rev
        rt += b_rev
        ws += w / 100
    j = ok(world.admin.get("/api/v1/value/drivers",
                           params={"sections": "migration", "window": window, "measure": "to_date"}))
    m = j["migration"]["wallet"]
    assert (m["customers_with_wallet"], m["customers_without_wallet"]) == (len(fa), without)
    # a customer whose shares are within rounding of each other could go either way
    assert abs(m["up"] - up) + abs(m["down"] - down) + abs(m["same"] - same) == 0
    assert math.isclose(m["from_mean"], sum(fa) / len(fa), rel_tol=1e-9)
    assert math.isclose(m["to_mean"], sum(ta) / len(ta), rel_tol=1e-9)
    assert math.isclose(m["from_share"], rf / (ws * window / YEAR_DAYS), rel_tol=1e-9)
    assert math.isclose(m["to_share"], rt / (ws * window / YEAR_DAYS), rel_tol=1e-9)


# ---- leading indicator ------------------------------------------------------------------------


def test_indicator_outcome_share_of_wallet(world):
    q = {"cutoff": "2025-07-01", "window_days": 180, "horizon_days": 365, "resamples": 50}
    sow = ok(world.admin.get("/api/v1/rv/indicator", params={**q, "outcome": "share_of_wallet"}))
    margin = ok(world.admin.get("/api/v1/rv/indicator", params={**q, "outcome": "margin"}))
    # the same accounts are studied; those without a wallet are left out and counted
    assert sow["accounts_without_wallet"] > 0
    assert sow["n"] + sow["accounts_without_wallet"] == margin["n"]
    assert margin["accounts_without_wallet"] is None
    assert sow["auc"] is None and sow["positives"] is None
    assert sum(d["n"] for d in sow["deciles"]) == sow["n"]
    # the mean share is the mean of revenue in the horizon / the wallet for it over the studied
    # accounts: bounded by the shares of every account with a wallet
    assert 0 < sow["y_mean"] < 10
    cli = json_of(kith(world.db, "rv", "indicator", "--cutoff", "2025-07-01", "--window", "180",
                       "--horizon", "365", "--resamples", "50", "--outcome", "share_of_wallet",
                       "--json").stdout)
    assert cli == sow
    # an account's figure: per contact is refused naming the parameter
    r = world.admin.get("/api/v1/rv/indicator", params={**q, "outcome": "share_of_wallet", "per": "contact"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "per"
