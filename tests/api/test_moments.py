"""Moments of truth (issue 15, item 6): GET /api/v1/voice/moments and `kith voice moments` over
the default demo, which plants two (docs/demo-data.md, effects j and k): a delivery call
(voc_delivery_feedback) before accounts drop out, and follow-ups after the onboarding kickoff
(cu_onboarding_kickoff) that lift RV.

The study is recomputed here from the database by the documented method (docs/voice.md,
"Moments of truth"): periods, strata, treated and controls, the effect and its standard error.
Both planted moments are found with an FCR-adjusted interval that excludes zero; with the type
labels shuffled across the interactions (a seeded shuffle of interactions.type_id) no candidate
is found for any outcome."""
import bisect
import math
import os
import random
import shutil
import sqlite3
import tempfile
from collections import defaultdict

import pytest

from conftest import Client, Server, add_user, json_close as close, kith

DAY = 86400
PERIOD, WINDOW = 30, 180


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo")  # the default demo: 10,000 contacts, seed 42
        add_user(db, "admin@example.com", "admin")
        add_user(db, "mgr@example.com", "manager", unit="Summit Channel Partners")
        srv = Server(db)
        try:
            yield {"db": db, "dir": d, "srv": srv, "admin": Client(srv.url, "admin@example.com"),
                   "mgr": Client(srv.url, "mgr@example.com")}
        finally:
            srv.stop()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def effect_of(body, code):
    [e] = [e for e in body["effects"] if e["kind"] == "type" and e["code"] == code]
    return e


# ---- the method, recomputed --------------------------------------------------------------


def rv_bin(rv):
    edges = [0, 10, 25, 50, 75, 100, 150, 200, 300, 500]
    return bisect.bisect_right(edges, rv)


def tenure_bin(days):
    return 0 if days < 90 else 1 if days < 365 else 2 if days < 730 else 3


def active_bin(n):
    return n - 1 if n <= 12 else 12 if n <= 16 else 13 if n <= 24 else 14


def load(db):
    con = sqlite3.connect(db)
    types = {i: (code, ch, lvl, trig) for i, code, ch, lvl, trig in con.execute(
        "SELECT id, code, channel, level, is_trigger FROM interaction_types")}
    nlevels = max(t[2] for t in types.values())
    unit_of_account = dict(con.execute("SELECT id, unit_id FROM accounts"))
    contacts = {}
    for cid, acct, unit in con.execute("SELECT id, account_id, unit_id FROM contacts"):
        contacts[cid] = (acct, unit if unit is not None else unit_of_account.get(acct))
    voided = {v for (v,) in con.execute(
        "SELECT voids_id FROM interactions WHERE voids_id IS NOT NULL")}
    runs = defaultdict(list)
    for iid, cid, tid, at, rv in con.execute(
            "SELECT id, contact_id, type_id, occurred_at, rv FROM interactions"
            " WHERE voids_id IS NULL"):
        if iid not in voided:
            runs[cid].append((at // 1000, iid, tid, rv))
    acct_churn, own_churn = {}, {}
    for cid, acct, at in con.execute(
            "SELECT contact_id, account_id, occurred_at FROM events WHERE kind = 'churn'"):
        t = at // 1000
        if acct is not None:
            acct_churn[acct] = min(acct_churn.get(acct, t), t)
        elif cid is not None:
            own_churn[cid] = min(own_churn.get(cid, t), t)
    con.close()
    people = {}
    for cid, run in runs.items():
        run.sort()
        acct, unit = contacts[cid]
        churn = min(own_churn.get(cid, math.inf), acct_churn.get(acct, math.inf))
        t = [r[0] for r in run]
        cum, top, prefix_rv, prefix_top = 0, 0, [0], [0]
        for r in run:
            cum += r[3]
            if types[r[2]][3]:
                top = max(top, types[r[2]][2])
            prefix_rv.append(cum)
            prefix_top.append(top)
        people[cid] = {"unit": unit, "churn": churn, "t": t, "run": run, "rv": prefix_rv,
                       "top": prefix_top}
    return types, nlevels, people


def study(db, outcome, code):
    """The effect of candidate type `code` on outcome (rv or churn) by the documented method."""
    types, nlevels, people = load(db)
    lo = min(p["t"][0] for p in people.values())
    hi = max(p["t"][-1] for p in people.values())
    as_of, step, window = hi + 1, PERIOD * DAY, WINDOW * DAY
    g0 = lo - lo % DAY
    nperiods = (as_of - window - g0) // step
    tid = [i for i, t in types.items() if t[0] == code][0]
    first = {}
    for cid, p in people.items():
        for r in p["run"]:
            if r[2] == tid:
                first[cid] = r[0]
                break
    n_t = sum_d = sum_t = sum_cw = ss = dof = vfac = vsum = 0.0
    treated = controls = 0
    for j in range(nperiods):
        a, b = g0 + j * step, g0 + (j + 1) * step
        cells = defaultdict(lambda: [0, 0.0, 0.0, 0, 0.0, 0.0])
        for cid, p in people.items():
            if p["churn"] < b:
                continue
            i0, i1 = bisect.bisect_left(p["t"], a), bisect.bisect_left(p["t"], b)
            if i1 == i0:
                continue
            if outcome == "churn":
                y = 1.0 if b <= p["churn"] < b + window else 0.0
            else:
                w1 = bisect.bisect_left(p["t"], b + window)
                y = float(p["rv"][w1] - p["rv"][i1])
            any_prior = i0 > 0
            level = min(nlevels, 1 + p["top"][i0]) if any_prior else 0
            tenure = 1 + tenure_bin((a - p["t"][0]) // DAY) if any_prior else 0
            key = (p["unit"], level, rv_bin(p["rv"][i0]), tenure, active_bin(i1 - i0))
            f = first.get(cid, math.inf)
            c = cells[key]
            if f >= b:
                c[3] += 1
                c[4] += y
                c[5] += y * y
            elif f >= a:
                c[0] += 1
                c[1] += y
                c[2] += y * y
                treated += 1
        for nt, st, sst, nc, sc, ssc in cells.values():
            if nt == 0 or nc == 0:
                continue
            mt, mc = st / nt, sc / nc
            n_t += nt
            sum_t += st
            sum_cw += nt * mc
            sum_d += nt * (mt - mc)
            controls += nc
            s2 = (sst - nt * mt * mt) + (ssc - nc * mc * mc)
            d, w = nt + nc - 2, nt + nt * nt / nc
            ss += s2
            dof += d
            if d > 0:
                vsum += (s2 / d if s2 > 0 else 0) * w
            else:
                vfac += w
    var = max(ss / dof, 0)
    return {"treated": treated, "matched": int(n_t), "controls": controls,
            "mean_treated": sum_t / n_t, "mean_controls": sum_cw / n_t, "effect": sum_d / n_t,
            "se": math.sqrt(vsum + var * vfac) / n_t}


# ---- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome, code", [("rv", "cu_onboarding_kickoff"),
                                           ("churn", "voc_delivery_feedback")])
def test_planted_moments_are_found_and_recomputed(world, outcome, code):
    body = ok(world["admin"].get("/api/v1/voice/moments", params={"outcome": outcome}))
    assert body["analysis"] == "moments" and body["outcome"] == outcome
    assert body["period_days"] == PERIOD and body["window_days"] == WINDOW
    e = effect_of(body, code)
    assert e["moment"] and e["q"] <= body["alpha"]
    assert e["effect"] > 0 and e["adjusted_low"] > 0 and e["interval_low"] > 0
    assert e["adjusted_low"] <= e["interval_low"] <= e["effect"] <= e["interval_high"]
    mine = study(world["db"], outcome, code)
    for k in ("treated", "matched", "controls"):
        assert e[k] == mine[k], (k, e[k], mine[k])
    for k in ("mean_treated", "mean_controls", "effect", "se"):
        assert math.isclose(e[k], mine[k], rel_tol=1e-9, abs_tol=1e-12), (k, e[k], mine[k])
    assert math.isclose(e["interval_low"], mine["effect"] - 1.959963984540054 * mine["se"],
                        rel_tol=1e-9, abs_tol=1e-9)
    # the strongest planted effect is the largest churn effect of all
    if outcome == "churn":
        assert abs(e["effect"]) >= 0.05
    # moments come first, by the size of their effect
    found = [x for x in body["effects"] if x["moment"]]
    assert body["effects"][:len(found)] == found
    assert all(abs(found[i]["effect"]) >= abs(found[i + 1]["effect"])
               for i in range(len(found) - 1))
    assert body["study"]["moments"] == len(found)


def test_cli_and_api_answer_alike(world):
    api = ok(world["admin"].get("/api/v1/voice/moments", params={"outcome": "churn"}))
    cli = kith(world["db"], "voice", "moments", "--outcome", "churn", "--json")
    close(__import__("json").loads(cli.stdout), api)
    text = kith(world["db"], "voice", "moments", "--outcome", "churn").stdout
    assert "voc_delivery_feedback" in text and "moments (Benjamini-Hochberg" in text


def test_scope_and_parameters(world):
    everyone = ok(world["admin"].get("/api/v1/voice/moments"))
    mine = ok(world["mgr"].get("/api/v1/voice/moments"))
    assert 0 < mine["study"]["contacts"] < everyone["study"]["contacts"]
    assert mine["privacy"]["role"] == "manager"
    r = world["admin"].get("/api/v1/voice/moments", params={"outcome": "love"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "outcome"
    r = world["admin"].get("/api/v1/voice/moments", params={"window": "3"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "window"
    # a window that leaves no period in the data
    r = world["admin"].get("/api/v1/voice/moments", params={"from": "2026-06-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"


def test_shuffled_types_find_no_moment(world):
    shuffled = os.path.join(world["dir"], "shuffled.db")
    shutil.copy(world["db"], shuffled)
    con = sqlite3.connect(shuffled)
    rows = con.execute("SELECT id, type_id FROM interactions ORDER BY id").fetchall()
    labels = [t for _, t in rows]
    random.Random(1).shuffle(labels)
    con.executemany("UPDATE interactions SET type_id = ? WHERE id = ?",
                    [(t, i) for (i, _), t in zip(rows, labels)])
    con.commit()
    con.close()
    for outcome in ("rv", "churn", "nps"):
        body = __import__("json").loads(
            kith(shuffled, "voice", "moments", "--outcome", outcome, "--json").stdout)
        assert body["study"]["tested"] > 50
        assert body["study"]["moments"] == 0, [
            (e["code"], e["effect"], e["q"]) for e in body["effects"] if e["moment"]]
        assert not any(e["moment"] or e["adjusted_low"] is not None for e in body["effects"])
