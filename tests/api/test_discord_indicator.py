"""Does being out of tune matter? The leading-indicator study with the V2T2 discord as its
predictor (GET /api/v1/rv/indicator?predictor=discord, `kith rv indicator --predictor discord`)
against a real `kith serve` over the default demo, which plants effect (i): misfit accounts get a
closing phase out of tune and churn more (docs/demo-data.md).

The study's answer is recomputed here: each account's closing-phase discord over the window
comes from the V2T2 route of one relationship (/api/v1/v2t2/discord?account=...), the accounts
studied and their churn from the database, and the AUC of "more discord for churn" by counting
pairs. The planted effect is found (interval above 0.5); with the discord shuffled among the
same accounts it is not (the interval, bootstrapped here, covers 0.5)."""
import bisect
import datetime
import json
import os
import random
import sqlite3
import tempfile

import pytest

from conftest import Client, Server, add_user, json_close as close, kith

CUTOFF = "2025-07-01"
WINDOW, HORIZON = 730, 365
DAY = 86400


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo")  # the default demo: 10,000 contacts, seed 42
        add_user(db, "admin@example.com", "admin")  # reads every relationship, as the CLI
        add_user(db, "rep@example.com", "frontline")
        srv = Server(db)
        try:
            yield {"db": db, "srv": srv, "admin": Client(srv.url, "admin@example.com"),
                   "rep": Client(srv.url, "rep@example.com")}
        finally:
            srv.stop()


def iso(sec):
    return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def indicator(client, **params):
    q = {"cutoff": CUTOFF, "window_days": WINDOW, "horizon_days": HORIZON, "outcome": "churn",
         "predictor": "discord", "resamples": 400}
    q.update(params)
    return client.get("/api/v1/rv/indicator", params=q)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def auc_more(pos, neg):
    """P(a positive's x is above a negative's), ties half."""
    neg = sorted(neg)
    above = sum(bisect.bisect_left(neg, p) + 0.5 * (bisect.bisect_right(neg, p) -
                                                   bisect.bisect_left(neg, p)) for p in pos)
    return above / (len(pos) * len(neg))


def studied(db):
    """The accounts the churn study takes (a counted interaction by the cut-off, an order by it,
    no churn before it) and whether each churned in the horizon, from the database."""
    cut = int(datetime.datetime.fromisoformat(CUTOFF + "T00:00:00+00:00").timestamp())
    con = sqlite3.connect(db)
    active = {a for (a,) in con.execute(
        "SELECT DISTINCT c.account_id FROM interactions i JOIN contacts c ON c.id = i.contact_id"
        " WHERE c.account_id IS NOT NULL AND i.voids_id IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM interactions v WHERE v.voids_id = i.id) AND i.occurred_at / 1000 <= ?",
        (cut,))}
    ordered = {a for (a,) in con.execute(
        "SELECT DISTINCT account_id FROM orders WHERE ordered_at / 1000 <= ?", (cut,))}
    churn = con.execute("SELECT account_id, occurred_at / 1000 FROM events WHERE kind = 'churn'"
                        " AND account_id IS NOT NULL").fetchall()
    misfit = dict(con.execute(
        "SELECT id, json_extract(custom, '$.demo_truth.misfit') FROM accounts").fetchall())
    con.close()
    before = {a for a, t in churn if t <= cut}
    after = {a for a, t in churn if cut < t <= cut + HORIZON * DAY}
    accounts = sorted((active & ordered) - before)
    return cut, {a: a in after for a in accounts}, misfit


def discord_of(client, account, cut):
    """The account's closing-phase discord over (cut - WINDOW, cut], its zone placed by the
    orders up to the cut-off: the V2T2 route over [from, to), to the second."""
    r = client.get("/api/v1/v2t2/discord", params={
        "account": account, "from": iso(cut - WINDOW * DAY + 1), "to": iso(cut + 1)})
    if r.status_code == 404:  # no interaction in the window
        return None
    j = ok(r)
    return next(p["discord"] for p in j["phases"] if p["phase"] == "closing")


@pytest.fixture(scope="module")
def truth(world):
    cut, churned, misfit = studied(world["db"])
    x = {a: discord_of(world["admin"], a, cut) for a in churned}
    return {"churned": churned, "x": x, "misfit": misfit}


def test_discord_finds_the_planted_effect(world, truth):
    api = ok(indicator(world["admin"]))
    assert api["predictor"] == "discord" and api["phase"] == "closing"
    churned, x = truth["churned"], truth["x"]
    have = [a for a in churned if x[a] is not None]
    pos = [x[a] for a in have if churned[a]]
    neg = [x[a] for a in have if not churned[a]]
    assert api["n"] == len(have) and api["without_discord"] == len(churned) - len(have)
    assert api["positives"] == len(pos) and len(pos) > 30
    assert abs(api["auc"] - auc_more(pos, neg)) < 1e-9
    assert abs(api["x_mean"] - sum(pos + neg) / len(have)) < 1e-9
    lo, hi = api["auc_ci95"]
    assert lo <= api["auc"] <= hi
    assert lo > 0.5, api  # more discord in closing, more churn: the planted effect is found
    assert api["rho_ci95"][0] > 0
    d = api["deciles"]
    assert list(d[0]) == ["decile", "n", "discord_min", "discord_max", "discord_mean",
                          "churn_rate", "lift"]
    assert d[0]["discord_mean"] > d[-1]["discord_mean"]
    # the misfit accounts (the demo's truth) are the out-of-tune ones
    mis = [x[a] for a in have if truth["misfit"][a]]
    fit = [x[a] for a in have if not truth["misfit"][a]]
    assert auc_more(mis, fit) > 0.75
    close(api, json.loads(kith(world["db"], "rv", "indicator", "--cutoff", CUTOFF, "--window",
                               str(WINDOW), "--horizon", str(HORIZON), "--outcome", "churn",
                               "--predictor", "discord", "--resamples", "400", "--json").stdout))


def test_shuffled_discord_finds_nothing(truth):
    """The same accounts and churn with the discord shuffled among them: no effect. A 95%
    percentile-bootstrap interval of the AUC (the study's method) covers 0.5 for about 95% of
    such shuffles, so of 20 seeded shuffles at least 16 must cover it, each AUC near 0.5."""
    churned, x = truth["churned"], truth["x"]
    have = [a for a in churned if x[a] is not None]
    rng = random.Random(14)
    covered = 0
    for _ in range(20):
        xs = [x[a] for a in have]
        rng.shuffle(xs)
        rows = list(zip(xs, (churned[a] for a in have)))
        assert abs(auc_more([v for v, c in rows if c], [v for v, c in rows if not c]) - 0.5) < 0.12
        aucs = []
        for _ in range(200):
            s = [rows[rng.randrange(len(rows))] for _ in rows]
            aucs.append(auc_more([v for v, c in s if c], [v for v, c in s if not c]))
        aucs.sort()
        covered += aucs[4] < 0.5 < aucs[195]
    assert covered >= 16, covered


def test_margin_falls_with_discord(world):
    api = ok(indicator(world["admin"], outcome="margin"))
    assert api["population"] == "all" and api["auc"] is None
    assert api["rho_ci95"][1] < 0  # out of tune in closing, less margin after


def test_rv_predictor_is_unchanged_and_phases(world):
    rv = ok(indicator(world["admin"], predictor="rv"))
    assert rv["predictor"] == "rv" and rv["phase"] is None and rv["without_discord"] is None
    assert "rv_min" in rv["deciles"][0]
    # every account studied with rv has a discord over all phases or is counted without one
    every = ok(indicator(world["admin"], phase="all"))
    assert every["phase"] == "all"
    assert every["n"] + every["without_discord"] == rv["n"]


def test_bad_requests_name_the_parameter(world):
    r = indicator(world["admin"], per="contact")
    assert r.status_code == 400 and "per" in r.text
    r = indicator(world["admin"], predictor="tone")
    assert r.status_code == 400 and "predictor" in r.text
    r = indicator(world["admin"], phase="negotiation")
    assert r.status_code == 400 and "phase" in r.text
    r = indicator(world["admin"], predictor="rv", phase="closing")
    assert r.status_code == 400 and "phase" in r.text
    assert indicator(world["rep"]).status_code == 403
