"""Customer value on a line-level retail export with returns (docs/value.md, "Returns and
credits", "Proxy values", "Holdout check"), through `kith import`, /api/v1/value/... and the CLI.

The export comes from tests/api/retail_gen.py: negative invoices import as returns (half of them
naming the sale they reverse), a few customers' repeat orders are free, a few are net negative.
Every figure is checked against an independent computation in Python from the generated rows:
value to date net of returns, sales as the only purchases (orders, purchase days, x, t_x, T,
recency, RFM scores, baskets, product holding), the count of the Gamma-Gamma rule's customers on
both paths (orders and --summary), every customer valued by the model with the expected spend of
one-order customers shrunk toward their first purchase, the proxy from own history (never above
zero for a net-negative customer), and the holdout check of the young customers.
"""
import datetime
import json
import math
import os
import tempfile

import pytest

import retail_gen
import value_holdout
from conftest import KITH, Client, Server, add_user, kith

DAY_WEEKS = 7.0


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def value(client, sub, **params):
    return ok(client.get(f"/api/v1/value/{sub}", params=params))


class Export:
    """The generated rows and what Python computes from them, per account external id."""

    def __init__(self, x):
        self.x = x
        self.as_of = max(o["day"] for o in x.orders)
        self.by = {}
        for o in x.orders:
            self.by.setdefault(o["account"], []).append(o)
        self.customers = {}
        for ext, orders in self.by.items():
            sales = [o for o in orders if o["cents"] >= 0]
            if not sales:
                continue
            days = {}
            for o in sales:
                days[o["day"]] = days.get(o["day"], 0) + o["cents"]
            first, last = min(days), max(days)
            repeat = [v for d, v in days.items() if d != first]
            backs = [o for o in orders if o["cents"] < 0]
            self.customers[ext] = {
                "orders": len(sales),
                "returns": len(backs),
                "value_returned": sum(o["cents"] for o in backs) / 100,
                "value_to_date": sum(o["cents"] for o in orders) / 100,
                "first": first,
                "last": last,
                "x": len(repeat),
                "t_x": (last - first) / DAY_WEEKS,
                "T": (self.as_of - first) / DAY_WEEKS,
                "zbar": sum(repeat) / len(repeat) / 100 if repeat else 0,
                "first_spend": days[first] / 100,
            }


@pytest.fixture(scope="module")
def shop():
    with tempfile.TemporaryDirectory() as d:
        x = retail_gen.generate(seed=13, customers=600)
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        for path in retail_gen.write_csv(x, d):
            kith(db, "import", path)
        add_user(db, "admin@example.com", "admin")
        srv = Server(db)
        try:
            yield Export(x), db, Client(srv.url, "admin@example.com")
        finally:
            srv.stop()


def by_ext(rows):
    return {r["external_id"]: r for r in rows}


def day(iso):
    return (datetime.date.fromisoformat(iso) - retail_gen.EPOCH).days


# ---- returns and credits -----------------------------------------------------------------


def all_orders(client, fields):
    """Every order through the list's pages."""
    rows, cursor = [], None
    while True:
        params = {"limit": 500, "fields": fields}
        if cursor:
            params["cursor"] = cursor
        page = ok(client.get("/api/v1/orders", params=params))
        rows += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return rows


def test_negative_invoices_import_as_returns_naming_their_sale(shop):
    e, db, admin = shop
    orders = all_orders(admin, "id,external_id,kind,reverses_id")
    got = {o["external_id"]: o for o in orders}
    ids = {o["id"]: o["external_id"] for o in orders}
    assert len(got) == len(e.x.orders)
    for o in e.x.orders:
        g = got[o["ext"]]
        assert g["kind"] == ("return" if o["cents"] < 0 else "sale")
        assert (ids.get(g["reverses_id"]) if g["reverses_id"] else None) == o["reverses"]
    assert sum(o["cents"] < 0 for o in e.x.orders) > 100  # the export has returns to speak of


def test_the_rules_of_returns_hold_at_the_api(shop):
    e, db, admin = shop
    rows = all_orders(admin, "id,account_id,kind")
    sale = next(o for o in rows if o["kind"] == "sale")
    ret = next(o for o in rows if o["kind"] == "return")
    other = next(o["account_id"] for o in rows if o["account_id"] != sale["account_id"])
    base = {"ordered_at": "2025-12-01T10:00:00Z"}
    cases = [
        ({"account_id": sale["account_id"], "amount": "-5.00", "kind": "sale"}, "amount: a sale"),
        ({"account_id": sale["account_id"], "amount": "5.00", "kind": "credit"}, "amount: a return"),
        ({"account_id": other, "amount": "-5.00", "reverses_id": sale["id"]}, "another account"),
        ({"account_id": ret["account_id"], "amount": "-5.00", "reverses_id": ret["id"]},
         "is not a sale"),
        ({"account_id": sale["account_id"], "amount": "5.00", "reverses_id": sale["id"]},
         "only a return or a credit"),
    ]
    for body, msg in cases:
        r = admin.post("/api/v1/orders", json={**base, **body})
        assert r.status_code == 422, (body, r.text)
        assert msg in r.text, r.text
    r = admin.post("/api/v1/orders", json={**base, "account_id": sale["account_id"],
                                           "amount": "-1.00", "reverses_id": sale["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "return"  # no kind given, negative: a return
    assert admin.delete(f"/api/v1/orders/{r.json()['id']}").status_code in (200, 204)


def test_values_are_net_and_purchases_are_sales(shop):
    e, db, admin = shop
    j = value(admin, "clv", limit=10000)
    got = by_ext(j["customers"])
    assert set(got) == set(e.customers)  # an account of returns only is no customer
    for ext, want in e.customers.items():
        g = got[ext]
        assert g["value_to_date"] == pytest.approx(want["value_to_date"], abs=0.005), ext
        assert g["value_returned"] == pytest.approx(want["value_returned"], abs=0.005), ext
        assert (g["orders"], g["returns"], g["x"]) == (want["orders"], want["returns"], want["x"])
        assert day(g["first_order"]) == want["first"] and day(g["last_order"]) == want["last"]
        assert g["t_x"] == pytest.approx(want["t_x"], rel=1e-9, abs=1e-12)
        assert g["T"] == pytest.approx(want["T"], rel=1e-9)
    assert any(w["value_to_date"] < 0 for w in e.customers.values())  # net-negative ones exist


def test_rfm_counts_sales_and_scores_net_value(shop):
    e, db, admin = shop
    rows = value(admin, "rfm", limit=10000)["customers"]
    got = by_ext(rows)
    exts = sorted(e.customers)
    rec = [-(e.as_of - e.customers[k]["last"]) for k in exts]  # fewer days is better
    freq = [e.customers[k]["orders"] for k in exts]
    mon = [e.customers[k]["value_to_date"] for k in exts]

    def ktile(v):  # docs/value.md: 1 + floor(5 x (values below) / n)
        s = sorted(v)
        import bisect
        return [1 + (5 * bisect.bisect_left(s, a)) // len(v) for a in v]

    for k, r, f, m in zip(exts, ktile(rec), ktile(freq), ktile(mon)):
        g = got[k]
        assert g["recency_days"] == e.as_of - e.customers[k]["last"]
        assert g["orders"] == e.customers[k]["orders"]
        assert (g["r"], g["f"], g["m"]) == (r, f, m), k


def test_baskets_and_holding_count_sales_only(shop):
    e, db, admin = shop
    sales = {o["ext"]: o for o in e.x.orders if o["cents"] >= 0}
    with_lines = {ln["order"] for ln in e.x.lines if ln["order"] in sales}
    assert value(admin, "xsell")["baskets"] == len(with_lines)
    cat = {s: c for s, _, c in e.x.products}
    held, cats = {}, {}
    for ln in e.x.lines:
        o = sales.get(ln["order"])
        if o:
            held.setdefault(o["account"], set()).add(ln["sku"])
            cats.setdefault(o["account"], set()).add(cat[ln["sku"]])
    h = value(admin, "drivers", sections="holding")["holding"]
    n = len(e.customers)
    assert h["customers"] == n
    assert h["mean_products"] == pytest.approx(sum(len(held.get(k, ())) for k in e.customers) / n)
    assert h["mean_categories"] == pytest.approx(sum(len(cats.get(k, ())) for k in e.customers) / n)


# ---- Gamma-Gamma: one rule for customers without positive repeat spend -------------------


def test_the_spend_rule_is_counted_alike_on_both_paths(shop):
    e, db, admin = shop
    want = sum(1 for c in e.customers.values() if c["x"] > 0 and c["zbar"] <= 0)
    assert want >= 1  # the free repeat orders of the generator
    fit = value(admin, "fit")
    assert fit["model"]["gamma_gamma"]["without_positive_spend"] == want
    assert f"{want} repeat buyer" in kith(db, "value", "fit").stdout
    # the same customers as a summary file: read, not refused, and counted the same way
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as f:
        f.write("id,frequency,recency,T,monetary_value\n")
        for k, c in sorted(e.customers.items()):
            f.write(f"{k},{c['x']},{c['t_x']!r},{c['T']!r},{c['zbar']!r}\n")
        f.flush()
        s = json.loads(kith(db, "value", "fit", "--summary", f.name, "--json").stdout)
        assert s["gamma_gamma"]["without_positive_spend"] == want
        # and the same fit as the orders path: it saw the same customers
        for k in ("p", "q", "gamma"):
            assert s["gamma_gamma"][k] == pytest.approx(fit["model"]["gamma_gamma"][k], rel=1e-6)
        text = kith(db, "value", "clv", "--summary", f.name).stdout
        assert f"{want} repeat buyer" in text


# ---- every customer valued by the model --------------------------------------------------


def test_every_customer_is_valued_by_the_model(shop):
    e, db, admin = shop
    j = value(admin, "clv", limit=10000)
    assert j["proxies"] == 0
    assert all(c["basis"] == "model" and c["p_alive"] is not None for c in j["customers"])
    gg = j["model"]["gamma_gamma"]
    p, q, g = gg["p"], gg["q"], gg["gamma"]
    # one-order customers of one history (x = 0, same T) differ only by the expected spend,
    # p (gamma + z1) / (p + q - 1): their predictions stand in the ratio of gamma + z1
    ones = {}
    for c in j["customers"]:
        w = e.customers[c["external_id"]]
        if w["x"] == 0 and w["first_spend"] > 0:
            ones.setdefault(w["first"], []).append((w["first_spend"], c["value_predicted"]))
    pairs = [v for v in ones.values() if len(v) >= 2 and v[0][0] != v[1][0]]
    assert len(pairs) >= 5
    for (z1, v1), (z2, v2), *_ in pairs:
        assert v1 / v2 == pytest.approx((g + z1) / (g + z2), rel=2e-3)
    # a young one-order customer is valued from its own first purchase, not the others' mean
    young = [c for c in j["customers"] if e.as_of - e.customers[c["external_id"]]["first"] < 90
             and e.customers[c["external_id"]]["x"] == 0]
    assert len({round(c["value_predicted"], 2) for c in young}) > len(young) // 2


def test_without_a_model_the_proxy_is_own_history_and_never_positive_for_a_net_negative(shop):
    e, db, admin = shop
    j = value(admin, "clv", limit=10000, max_iter=1)  # the fit cannot converge in one step
    assert j["model"]["fitted"] is False and j["proxies"] == len(e.customers)
    years = sum(1.10 ** (-k / 12) / 12 for k in range(1, 37))
    for c in j["customers"]:
        w = e.customers[c["external_id"]]
        age = e.as_of - w["first"] + 1
        want = max(w["value_to_date"], 0) / max(age, 365) * 365.25 * years
        assert c["basis"] == "history"
        assert c["value_predicted"] == pytest.approx(want, abs=0.006), c
        if w["value_to_date"] < 0:
            assert c["value_predicted"] == 0


# ---- holdout: the young valued by the model against the flat mean ------------------------


def test_holdout_error_of_the_young_is_lower_than_the_flat_means():
    with tempfile.TemporaryDirectory() as d:
        x = retail_gen.generate(seed=13, customers=3000)
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        for path in retail_gen.write_csv(x, d):
            kith(db, "import", path)
        r = value_holdout.holdout(KITH, db, datetime.date(2024, 12, 31), 12)
    assert r["young"] > 200 and r["proxies"] == 0
    assert r["rmse_model"] < r["rmse_flat"], r
    # the young as a group: the model's mean is nearer what they spent than the flat mean
    assert abs(r["young_model_mean"] - r["young_actual_mean"]) < \
        abs(r["flat_mean"] - r["young_actual_mean"]), r
    assert math.isfinite(r["mae_model"]) and math.isfinite(r["mae_flat"])
