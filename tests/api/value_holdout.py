"""The holdout check of docs/value.md ("Holdout check"): fit before a date, predict each customer's
value over the months after it, and compare with what each customer actually spent then.

The prediction is `kith value clv --as-of CUTOFF --horizon MONTHS --discount 0 --margin 1` (revenue,
undiscounted, so that it is comparable with the orders' amounts); the actual value is the net
amount of the customer's orders (sales less returns and credits) in the MONTHS x 365.25/12 days
after the cutoff, read from the database with Python's sqlite3. For the customers younger than 90
days at the cutoff the error of the model's values is set against the error of the flat mean the
earlier rule gave them (the mean predicted value of the customers 90 days old or more).
"""
import datetime
import json
import math
import sqlite3
import subprocess

DAY_MS = 86400000
EPOCH = datetime.date(1970, 1, 1)


def predictions(kith_bin, db, cutoff, months):
    out = subprocess.run([kith_bin, "value", "clv", "--db", db, "--as-of", cutoff.isoformat(),
                          "--horizon", str(months), "--discount", "0", "--margin", "1", "--all",
                          "--json"], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout)


def actual_values(db, cutoff, months):
    """Net amount per account in (cutoff, cutoff + months x 365.25/12 days], currency units."""
    first = (cutoff - EPOCH).days + 1
    last = (cutoff - EPOCH).days + round(months * 365.25 / 12)
    got = {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for account, at, amount in con.execute("SELECT account_id, ordered_at, amount FROM orders"):
            day = at // DAY_MS
            if first <= day <= last:
                got[account] = got.get(account, 0) + amount / 100
    finally:
        con.close()
    return got


def holdout(kith_bin, db, cutoff, months, young_days=90):
    j = predictions(kith_bin, db, cutoff, months)
    actual = actual_values(db, cutoff, months)
    young, old = [], []
    for c in j["customers"]:
        age = (cutoff - datetime.date.fromisoformat(c["first_order"])).days
        (young if age < young_days else old).append(c)
    flat = sum(c["value_predicted"] for c in old) / len(old)
    err_model = [c["value_predicted"] - actual.get(c["account_id"], 0) for c in young]
    err_flat = [flat - actual.get(c["account_id"], 0) for c in young]
    return {
        "cutoff": cutoff.isoformat(),
        "months": months,
        "customers": len(j["customers"]),
        "young": len(young),
        "flat_mean": flat,
        "young_actual_mean": sum(actual.get(c["account_id"], 0) for c in young) / len(young),
        "young_model_mean": sum(c["value_predicted"] for c in young) / len(young),
        "mae_model": sum(map(abs, err_model)) / len(young),
        "mae_flat": sum(map(abs, err_flat)) / len(young),
        "rmse_model": math.sqrt(sum(e * e for e in err_model) / len(young)),
        "rmse_flat": math.sqrt(sum(e * e for e in err_flat) / len(young)),
        "proxies": j["proxies"],
    }
