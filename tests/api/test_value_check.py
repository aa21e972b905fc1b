"""Fit diagnostics of the customer value models (docs/value.md, "Fit diagnostics"):
`kith value check --holdout-from DATE` and GET /api/v1/value/check, the standard errors and
intervals in the fit answer, and the warnings.

The holdout check is recomputed here in Python from the database (sqlite3): the calibration
customers and their (x, t_x, T), the frequency bins, each customer's purchase days in the holdout,
and the predicted repeat purchases from the BG/NBD conditional expectation (FHL 2005, eq. 10, with
scipy's 2F1) at the parameters the answer reports. The warnings are triggered by constructed data:
a small export whose customers hardly ever drop out (BG/NBD's a is not told from 0), an as-of day
after the latest order, and a drivers window longer than the history.
"""
import datetime
import math
import os
import random
import sqlite3
import tempfile

import pytest
from scipy.special import betaln, gammaln, hyp2f1

import retail_gen
from conftest import Client, Server, add_user, json_close, kith

DAY_MS = 86400000
EPOCH = datetime.date(1970, 1, 1)
HOLDOUT_FROM = datetime.date(2025, 4, 1)


def day(iso):
    return (datetime.date.fromisoformat(iso) - EPOCH).days


@pytest.fixture(scope="module")
def shop():
    with tempfile.TemporaryDirectory() as d:
        x = retail_gen.generate(seed=29, customers=600)
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        for path in retail_gen.write_csv(x, d):
            kith(db, "import", path)
        add_user(db, "admin@example.com", "admin")
        srv = Server(db)
        try:
            yield db, Client(srv.url, "admin@example.com")
        finally:
            srv.stop()


def cli_json(db, *args):
    import json
    return json.loads(kith(db, *args, "--json").stdout)


def sale_days(db):
    """{account_id: sorted distinct days with a sale}."""
    days = {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for account, at, kind in con.execute("SELECT account_id, ordered_at, kind FROM orders"):
            if (kind or "sale") == "sale":
                days.setdefault(account, set()).add(at // DAY_MS)
    finally:
        con.close()
    return {a: sorted(s) for a, s in days.items()}


def conditional_expected(p, x, t_x, T, t):
    """E[Y(t) | x, t_x, T] of BG/NBD (Fader, Hardie & Lee 2005, eq. 10)."""
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return head * body / alive


def expected_check(db, holdout_from, as_of, params, unit=7.0):
    """The check's figures recomputed from the database and the fitted parameters."""
    h = (holdout_from - EPOCH).days
    end = (as_of - EPOCH).days
    cal_last = h - 1
    t = (end - cal_last) / unit
    bins = [{"customers": 0, "predicted": 0.0, "actual": 0.0} for _ in range(8)]
    abs_err, n, first = 0.0, 0, None
    for account, days in sale_days(db).items():
        cal = [d for d in days if d <= cal_last]
        if not cal:
            continue
        first = cal[0] if first is None else min(first, cal[0])
        x = len(cal) - 1
        t_x = (cal[-1] - cal[0]) / unit if x else 0.0
        T = (cal_last - cal[0]) / unit
        pred = conditional_expected(params, x, t_x, T, t)
        act = sum(1 for d in days if h <= d <= end)
        b = bins[min(x, 7)]
        b["customers"] += 1
        b["predicted"] += pred
        b["actual"] += act
        abs_err += abs(pred - act)
        n += 1
    return bins, abs_err / n, n, first


def test_check_is_recomputed_from_the_database(shop):
    db, admin = shop
    j = cli_json(db, "value", "check", "--holdout-from", HOLDOUT_FROM.isoformat())
    # the same answer from the API, through the same analysis
    r = admin.get("/api/v1/value/check", params={"holdout_from": HOLDOUT_FROM.isoformat()})
    assert r.status_code == 200, r.text
    json_close(r.json(), j, rel_tol=1e-9)

    as_of = datetime.date.fromisoformat(j["as_of"])
    latest = max(d[-1] for d in sale_days(db).values())
    assert day(j["as_of"]) >= latest  # the as-of day defaults to the latest order
    assert j["holdout"]["from"] == HOLDOUT_FROM.isoformat()
    assert j["calibration"]["to"] == (HOLDOUT_FROM - datetime.timedelta(days=1)).isoformat()
    bg = j["model"]["bgnbd"]
    bins, mae, n, first = expected_check(db, HOLDOUT_FROM, as_of, bg)
    assert j["customers"] == n == j["calibration"]["customers"]
    assert day(j["calibration"]["from"]) == first
    assert [f["frequency"] for f in j["frequencies"]] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    for got, want in zip(j["frequencies"], bins):
        assert got["customers"] == want["customers"], got
        if want["customers"] == 0:
            assert got["predicted_mean"] is None and got["actual_mean"] is None
            continue
        # actual repeat purchases: exact; predicted: the model at the reported parameters
        assert got["actual_mean"] == pytest.approx(want["actual"] / want["customers"], rel=1e-12)
        assert got["predicted_mean"] == pytest.approx(want["predicted"] / want["customers"],
                                                      rel=1e-6)
    assert j["actual_total"] == sum(b["actual"] for b in bins)
    assert j["predicted_total"] == pytest.approx(sum(b["predicted"] for b in bins), rel=1e-6)
    assert j["mae"] == pytest.approx(mae, rel=1e-6)
    used = [f for f in j["frequencies"] if f["customers"]]
    assert j["mae_frequencies"] == pytest.approx(
        sum(abs(f["predicted_mean"] - f["actual_mean"]) for f in used) / len(used), rel=1e-9)
    # a model that fits the generating story predicts the holdout's total within 25%
    assert abs(j["predicted_total"] - j["actual_total"]) < 0.25 * j["actual_total"]

    text = kith(db, "value", "check", "--holdout-from", HOLDOUT_FROM.isoformat()).stdout
    assert "7+" in text and "mean absolute error" in text and "95% [" in text


def test_the_fit_is_the_one_of_the_calibration(shop):
    db, _ = shop
    j = cli_json(db, "value", "check", "--holdout-from", HOLDOUT_FROM.isoformat())
    cal_end = (HOLDOUT_FROM - datetime.timedelta(days=1)).isoformat()
    fit = cli_json(db, "value", "fit", "--as-of", cal_end)
    json_close(j["model"]["bgnbd"], fit["model"]["bgnbd"], rel_tol=1e-12)
    json_close(j["model"]["diagnostics"], fit["model"]["diagnostics"], rel_tol=1e-12)


def test_standard_errors_in_the_fit_answer(shop):
    db, admin = shop
    j = cli_json(db, "value", "fit")
    diag = j["model"]["diagnostics"]
    assert [p["name"] for p in diag["bgnbd"]] == ["r", "alpha", "a", "b"]
    assert [p["name"] for p in diag["gamma_gamma"]] == ["p", "q", "gamma"]
    for model, key in (("bgnbd", "bgnbd"), ("gamma_gamma", "gamma_gamma")):
        for p in diag[model]:
            assert p["estimate"] == pytest.approx(j["model"][key][p["name"]], rel=1e-12)
            assert p["se"] > 0
            # the interval is exp(log estimate +- 1.96 SE / estimate) (delta method on the log)
            s = p["se"] / p["estimate"]
            assert p["ci95_low"] == pytest.approx(p["estimate"] * math.exp(-1.959964 * s), rel=1e-6)
            assert p["ci95_high"] == pytest.approx(p["estimate"] * math.exp(1.959964 * s), rel=1e-6)
            assert p["at_boundary"] is False
    assert "warnings" not in j
    # the clv answer carries the same diagnostics, and so does the API
    clv = cli_json(db, "value", "clv", "--limit", "1")
    assert clv["model"]["diagnostics"] == diag
    r = admin.get("/api/v1/value/fit")
    json_close(r.json()["model"]["diagnostics"], diag)
    assert "SE" in kith(db, "value", "fit").stdout


# ---- warnings from constructed data ------------------------------------------------------


def bg_loglik(p, cust):
    """BG/NBD log-likelihood (FHL 2005, eq. 6, without constants)."""
    r, alpha, a, b = p
    ll = 0.0
    for x, t_x, T in cust:
        a1 = gammaln(r + x) - gammaln(r) + r * math.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * math.log(alpha + T)
        if x > 0:
            a4 = math.log(a) - math.log(b + x - 1) - (r + x) * math.log(alpha + t_x)
            ll += a1 + a2 + max(a3, a4) + math.log1p(math.exp(min(a3, a4) - max(a3, a4)))
        else:
            ll += a1 + a2 + a3
    return ll


@pytest.fixture(scope="module")
def loyal():
    """40 customers who hardly ever drop out (dropout probability ~ Beta(0.2, 200))."""
    rnd = random.Random(3)
    spend = random.Random(1003)
    end = datetime.date(2025, 12, 31)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "accounts.csv"), "w") as f:
            f.write("external_id,name\n")
            f.writelines(f"C{i},Customer {i}\n" for i in range(40))
        rows, k = [], 0
        for i in range(40):
            lam, p = rnd.gammavariate(1, 1 / 5), rnd.betavariate(0.2, 200)
            T, t, times = rnd.uniform(20, 52), 0.0, []
            while True:
                t += rnd.expovariate(lam)
                if t > T:
                    break
                times.append(t)
                if rnd.random() < p:
                    break
            first = end - datetime.timedelta(days=round(T * 7))
            nu = spend.gammavariate(4, 2)
            for dd in sorted({0, *(round(s * 7) for s in times)}):
                k += 1
                rows.append(f"O{k},C{i},{(first + datetime.timedelta(days=dd)).isoformat()},"
                            f"{spend.gammavariate(6, nu / 6):.2f}\n")
        with open(os.path.join(d, "orders.csv"), "w") as f:
            f.write("external_id,account_external_id,ordered_at,amount\n")
            f.writelines(rows)
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        kith(db, "import", os.path.join(d, "accounts.csv"))
        kith(db, "import", os.path.join(d, "orders.csv"))
        yield db


def test_a_parameter_at_its_bound_is_warned(loyal):
    j = cli_json(loyal, "value", "fit")
    diag = {p["name"]: p for p in j["model"]["diagnostics"]["bgnbd"]}
    lo, hi = j["model"]["diagnostics"]["bounds"]
    warned = [w for w in j.get("warnings", []) if w["code"] == "parameter_at_boundary"]
    assert warned, j
    assert all(diag[n]["at_boundary"] == any(f"parameter {n} =" in w["message"] for w in warned)
               for n in diag)
    # Independently: for each flagged parameter either its interval reaches the bound or moving it
    # alone to a bound costs less than 1.92 of log-likelihood (a 95% likelihood-ratio test).
    cust = []
    for days in sale_days(loyal).values():
        x = len(days) - 1
        end = day(j["as_of"])
        cust.append((x, (days[-1] - days[0]) / 7 if x else 0.0, (end - days[0]) / 7))
    est = [diag[n]["estimate"] for n in ("r", "alpha", "a", "b")]
    ll0 = bg_loglik(est, cust)
    assert ll0 == pytest.approx(j["model"]["bgnbd"]["loglik"], rel=1e-9)
    for k, n in enumerate(("r", "alpha", "a", "b")):
        q = diag[n]
        reaches = q["ci95_low"] is None or q["ci95_low"] <= lo or q["ci95_high"] >= hi
        near = any(bg_loglik(est[:k] + [edge] + est[k + 1:], cust) > ll0 - 1.920729
                   for edge in (lo, hi))
        assert q["at_boundary"] == (reaches or near), q
    assert diag["a"]["at_boundary"]  # nobody drops out: a is not told from 0
    text = kith(loyal, "value", "fit").stdout
    assert "warning: BG/NBD parameter a" in text and "at the bound" in text


def test_windows_the_data_do_not_cover_are_warned(shop):
    db, admin = shop
    latest = max(d[-1] for d in sale_days(db).values())
    first = min(d[0] for d in sale_days(db).values())
    later = (EPOCH + datetime.timedelta(days=latest + 30)).isoformat()
    j = cli_json(db, "value", "check", "--holdout-from", HOLDOUT_FROM.isoformat(), "--as-of", later)
    assert [w["code"] for w in j["warnings"]] == ["window_not_covered"]
    assert "30 days" in j["warnings"][0]["message"]
    # the holdout's actuals stop at the latest order, the prediction runs to the as-of day
    assert j["holdout"]["days"] == latest + 30 - (HOLDOUT_FROM - EPOCH).days + 1

    span = latest - first + 1
    long = cli_json(db, "value", "drivers", "attrition", "migration", "--window", str(span // 2 + 5))
    assert [w["code"] for w in long["warnings"]] == ["window_before_first_order"]
    r = admin.get("/api/v1/value/drivers",
                  params={"sections": "migration", "window": str(span // 2 + 5)})
    assert [w["code"] for w in r.json()["warnings"]] == ["window_before_first_order"]
    short = cli_json(db, "value", "drivers", "attrition", "--window", str(span // 2 - 5))
    assert "warnings" not in short
    # the acquisition section has no window: nothing to warn about
    assert "warnings" not in cli_json(db, "value", "drivers", "acquisition", "--window",
                                      str(span))
    text = kith(db, "value", "drivers", "migration", "--window", str(span // 2 + 5)).stdout
    assert "warning: the attrition and migration windows" in text


def test_holdout_from_is_checked(shop):
    db, admin = shop
    r = admin.get("/api/v1/value/check")
    assert r.status_code == 400 and "holdout_from" in r.text
    r = admin.get("/api/v1/value/check", params={"holdout_from": "2025-06-01", "as_of": "2025-05-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "holdout_from", r.text
    p = kith(db, "value", "check", "--holdout-from", "2025-06-01", "--as-of", "2025-05-01",
             check=False)
    assert p.returncode == 2 and "holdout_from is after as_of" in p.stderr
    # after the latest order (the default as-of day): nothing to check, said in words
    r = admin.get("/api/v1/value/check", params={"holdout_from": "2099-01-01"})
    assert r.status_code == 422 and "after the as-of day" in r.json()["error"]["message"]
    r = admin.get("/api/v1/value/check", params={"holdout_from": "2001-01-01"})
    assert r.status_code == 422, r.text
    p = kith(db, "value", "check", check=False)
    assert p.returncode == 2 and "--holdout-from" in p.stderr
