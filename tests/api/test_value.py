"""GET /api/v1/value/...: the customer value engine over HTTP (docs/api.md, "Customer value").

One server for the module over `kith demo --contacts 2000` (400 accounts, about 170 customers,
counted from the database): every
route answers the shape of `kith value <sub> --json` (compared with the CLI itself), parameters
are checked and named, lists are bounded by limit, and a partner or frontline user's figures are
computed over exactly the accounts they may read, with the models fitted on every customer; a
scope without customers and a fit that does not converge answer 422 without any model parameter.
"""
import datetime
import json
import math
import os
import re
import sqlite3
import tempfile

import pytest

from conftest import Client, Server, add_user, json_close, kith

KEYS = {
    "fit": ["as_of", "value_kind", "model", "computed_at", "data_version", "stale"],
    "clv": ["as_of", "value_kind", "horizon_months", "discount", "proxy_days", "model",
            "customers_total", "proxies", "customers", "computed_at", "data_version", "stale"],
    "dist": ["as_of", "value_kind", "measure", "overall", "share_of_wallet", "by", "computed_at",
             "data_version", "stale"],
    "drivers": ["as_of", "value_kind", "measure", "acquisition", "cohorts", "attrition", "holding", "cost",
                "migration"],
    "rfm": ["as_of", "value_kind", "new_days", "segments", "customers_total", "customers",
            "computed_at", "data_version", "stale"],
    "reap": ["as_of", "value_kind", "holding_reference", "levers", "rules", "low_value_rules", "customers_total",
             "customers"],
    "xsell": ["as_of", "baskets", "itemsets", "min_support", "min_confidence", "min_lift",
              "max_len", "rules_total", "rules", "customers_with_offers", "offers"],
    "referrals": ["as_of", "value_kind", "measure", "second_degree_weight", "referral_events", "referrers",
                  "accounts"],
}
CUSTOMER_KEYS = ["account_id", "name", "external_id", "industry", "revenue_band", "source", "unit", "first_order",
                 "last_order", "orders", "returns", "value_returned", "x", "t_x", "T", "value_to_date", "value_current",
                 "value_predicted", "value_lifetime", "p_alive", "expected_orders",
                 "cost_to_serve", "cost_to_serve_current", "profit", "profit_current",
                 "revenue_current", "wallet", "wallet_year", "share_of_wallet", "proxy",
                 "basis", "proxy_reason"]
ROUTES = list(KEYS)
PARTNER_UNIT = "Keystone Industrial Distribution"


class World:
    def __init__(self, srv, db):
        self.srv, self.db = srv, db
        self.admin = Client(srv.url, "admin@example.com")
        self.analyst = Client(srv.url, "analyst@example.com")
        self.partner = Client(srv.url, "partner@example.com")
        self.frontline = Client(srv.url, "frontline@example.com")
        self.lonely = Client(srv.url, "lonely@example.com")
        # What the demo holds, read from the database: the accounts with a sale and the day of
        # the latest order (the value engine's as_of).
        with sqlite3.connect(db) as con:
            self.customers, self.latest = con.execute(
                "SELECT COUNT(DISTINCT account_id), date(MAX(ordered_at) / 1000, 'unixepoch')"
                " FROM orders WHERE kind = 'sale'").fetchone()


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "2000")
        add_user(db, "admin@example.com", "admin")
        add_user(db, "analyst@example.com", "analyst")
        add_user(db, "partner@example.com", "partner", unit=PARTNER_UNIT)
        add_user(db, "frontline@example.com", "frontline", team="Automation VAT Growth Accounts")
        add_user(db, "lonely@example.com", "frontline")  # no unit, no team, owns nothing
        srv = Server(db)
        try:
            yield World(srv, db)
        finally:
            srv.stop()


def get(client, sub, **params):
    return client.get(f"/api/v1/value/{sub}", params=params)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def error(r, status, code, field=None):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert e["code"] == code, e
    assert e["field"] == field, e
    return e


def readable_accounts(client):
    """Ids of every account client may read, through the accounts list."""
    ids, cursor = set(), None
    while True:
        params = {"limit": 500, "fields": "id"}
        if cursor:
            params["cursor"] = cursor
        page = ok(client.get("/api/v1/accounts", params=params))
        ids |= {a["id"] for a in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def close(a, b):
    """The CLI prints %g and 10 digits here."""
    json_close(a, b, rel_tol=1e-8)


# ---- shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", ROUTES)
def test_each_route_answers_its_documented_keys(world, sub):
    j = ok(get(world.admin, sub))
    assert list(j) == KEYS[sub]
    assert j["as_of"] == world.latest  # the demo's latest order


def test_clv_customers_are_full_records(world):
    j = ok(get(world.admin, "clv", limit=5))
    assert j["customers_total"] == world.customers and len(j["customers"]) == 5
    assert all(list(c) == CUSTOMER_KEYS for c in j["customers"])
    lifetimes = [c["value_lifetime"] for c in j["customers"]]
    assert lifetimes == sorted(lifetimes, reverse=True)
    assert j["model"]["fitted"] is True and j["model"]["bgnbd"]["r"] > 0


# Each route against `kith value <sub> --json` on the same database: one shape, same figures.
CLI_CASES = [
    ("fit", [], {}),
    ("clv", ["--limit", "7", "--sort", "to_date"], {"limit": 7, "sort": "to_date"}),
    ("dist", ["--measure", "profit", "--lorenz", "11"], {"measure": "profit", "lorenz": 11}),
    ("dist", ["--by", "industry"], {"by": "industry"}),
    ("drivers", ["--period", "year", "--by", "unit"], {"period": "year", "by": "unit"}),
    ("drivers", ["cost", "migration", "--window", "180"],
     {"sections": "cost,migration", "window": 180}),
    ("rfm", ["--limit", "9", "--segment", "champions"], {"limit": 9, "segment": "champions"}),
    ("reap", ["--limit", "6", "--alive-min", "0.6"], {"limit": 6, "alive_min": 0.6}),
    ("reap", ["--low-value", "--limit", "4"], {"low_value": "true", "limit": 4}),
    ("xsell", ["--limit", "5", "--rules", "8", "--min-confidence", "0.3"],
     {"limit": 5, "rules": 8, "min_confidence": 0.3}),
    ("referrals", ["--limit", "10", "--second-degree", "0.25", "--measure", "to_date"],
     {"limit": 10, "second_degree": 0.25, "measure": "to_date"}),
    ("rfm", ["--account", "46"], {"account": 46}),
    ("clv", ["--account", "46", "--horizon", "12", "--discount", "0.2"],
     {"account": 46, "horizon": 12, "discount": 0.2}),
]


@pytest.mark.parametrize("sub,cli_args,params", CLI_CASES)
def test_same_answer_as_the_cli(world, sub, cli_args, params):
    cli = json.loads(kith(world.db, "value", sub, "--json", *cli_args).stdout)
    close(cli, ok(get(world.admin, sub, **params)))


# ---- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("sub,params,field", [
    ("clv", {"limit": 0}, "limit"),
    ("clv", {"limit": 10001}, "limit"),
    ("clv", {"limit": "ten"}, "limit"),
    ("clv", {"sort": "size"}, "sort"),
    ("clv", {"account": "-3"}, "account"),
    ("clv", {"discount": "nan"}, "discount"),
    ("clv", {"summary": "x.csv"}, "summary"),  # a CLI option that has no meaning here
    ("fit", {"as_of": "yesterday"}, "as_of"),
    ("fit", {"horizon": 0}, "horizon"),
    ("fit", {"limit": 5}, "limit"),  # fit has no list
    ("dist", {"by": "colour"}, "by"),
    ("dist", {"measure": "gold"}, "measure"),
    ("dist", {"lorenz": 1}, "lorenz"),
    ("drivers", {"sections": "cost,weather"}, "sections"),
    ("drivers", {"period": "week"}, "period"),
    ("drivers", {"window": 0}, "window"),
    ("rfm", {"segment": "vip"}, "segment"),
    ("rfm", {"new_days": "-1"}, "new_days"),
    ("reap", {"lever": "grow"}, "lever"),
    ("reap", {"low_value": "maybe"}, "low_value"),
    ("reap", {"cost_share": 101}, "cost_share"),
    ("xsell", {"min_support": 0}, "min_support"),
    ("xsell", {"max_len": 9}, "max_len"),
    ("xsell", {"offers": 101}, "offers"),
    ("referrals", {"second_degree": 2}, "second_degree"),
    ("referrals", {"margin": 1.5}, "margin"),
])
def test_bad_parameter_is_400_naming_it(world, sub, params, field):
    error(get(world.admin, sub, **params), 400, "invalid", field)


def test_parameter_given_twice_is_400(world):
    r = world.admin.get("/api/v1/value/clv?limit=5&limit=6")
    error(r, 400, "invalid", "limit")


def test_lists_are_bounded_by_limit(world):
    default = ok(get(world.admin, "clv"))
    assert world.customers > 100
    assert default["customers_total"] == world.customers and len(default["customers"]) == 100
    assert len(ok(get(world.admin, "clv", limit=10000))["customers"]) == world.customers
    assert len(ok(get(world.admin, "reap", limit=2))["customers"]) == 2
    assert len(ok(get(world.admin, "rfm", limit=3))["customers"]) == 3
    x = ok(get(world.admin, "xsell", limit=2, rules=1))
    assert len(x["rules"]) == 1 and x["rules_total"] > 1
    assert len({o["account_id"] for o in x["offers"]}) == 2 < x["customers_with_offers"]
    refs = ok(get(world.admin, "referrals", limit=1))
    assert len(refs["accounts"]) == 1 < refs["referrers"]


# ---- scope --------------------------------------------------------------------------------


def all_customers(client):
    j = ok(get(client, "rfm", limit=10000))
    assert len(j["customers"]) == j["customers_total"]
    return {c["account_id"]: c for c in j["customers"]}


@pytest.mark.parametrize("who", ["partner", "frontline"])
def test_scoped_user_gets_figures_over_exactly_their_accounts(world, who):
    user = getattr(world, who)
    everyone = all_customers(world.admin)
    readable = readable_accounts(user)
    mine = all_customers(user)
    assert 0 < len(mine) < len(everyone)
    # the customers are exactly the admin's customers that this user may read ...
    assert set(mine) == set(everyone) & readable
    for account_id in list(mine)[:5]:
        assert user.get(f"/api/v1/accounts/{account_id}").status_code == 200
    # ... and the totals are theirs
    dist = ok(get(user, "dist", measure="to_date"))
    assert dist["overall"]["customers"] == len(mine)
    want = sum(everyone[i]["value_to_date"] for i in mine)
    assert math.isclose(dist["overall"]["total"], want, rel_tol=1e-9, abs_tol=0.05)


def test_partner_customers_are_valued_with_the_company_model(world):
    # 38 customers do not determine BG/NBD (its dropout parameters run off): the models are
    # fitted on every customer, so an account has the same predicted value whoever asks
    mine = all_customers(world.partner)
    j = ok(get(world.partner, "clv", limit=10000))
    assert j["customers_total"] == len(mine)
    assert {c["account_id"] for c in j["customers"]} == set(mine)
    assert j["model"] == ok(get(world.admin, "fit"))["model"]
    assert ok(get(world.partner, "fit"))["model"] == j["model"]
    admin = {c["account_id"]: c for c in ok(get(world.admin, "clv", limit=10000))["customers"]}
    valued = [c for c in j["customers"] if c["basis"] == "model"]
    assert len(valued) > 10
    for c in valued:
        for k in ("value_to_date", "value_predicted", "p_alive", "expected_orders"):
            assert math.isclose(c[k], admin[c["account_id"]][k], rel_tol=1e-12), (k, c)
    assert {g["group"] for g in ok(get(world.partner, "dist"))["by"]["unit"]} == {PARTNER_UNIT}


def test_account_outside_scope_is_not_found(world):
    mine = set(all_customers(world.partner))
    other = next(i for i in sorted(all_customers(world.admin)) if i not in mine)
    error(get(world.partner, "rfm", account=other), 404, "not_found", "account")
    assert ok(get(world.admin, "rfm", account=other))["account_id"] == other
    inside = min(mine)
    assert ok(get(world.partner, "rfm", account=inside))["account_id"] == inside


def test_unknown_account_and_prospect_are_told_apart(world):
    """An id that names no account is not_found; an account without orders is not_customer."""
    prospect = min(readable_accounts(world.admin) - set(all_customers(world.admin)))
    e = error(get(world.admin, "clv", account=999999), 404, "not_found", "account")
    assert e["message"] == "no such account: 999999"
    e = error(get(world.admin, "clv", account=prospect), 404, "not_customer", "account")
    assert e["message"].startswith(f"account {prospect} is not a customer")
    # the CLI says the same, exit status 1
    cli = kith(world.db, "value", "rfm", "--account", "999999", check=False)
    assert cli.returncode == 1 and "no such account: 999999" in cli.stderr
    cli = kith(world.db, "value", "rfm", "--account", str(prospect), check=False)
    assert cli.returncode == 1 and f"account {prospect} is not a customer" in cli.stderr


def test_rows_name_their_accounts(world):
    """Every row carries the account's name and external id, as the accounts resource has them."""
    accounts = {a["id"]: a for a in ok(world.admin.get(
        "/api/v1/accounts", params={"limit": 500, "fields": "id,name,external_id"}))["items"]}
    for sub, key in (("clv", "customers"), ("rfm", "customers"), ("reap", "customers"),
                     ("referrals", "accounts"), ("xsell", "offers")):
        rows = ok(get(world.admin, sub, limit=20))[key]
        assert rows, sub
        for row in rows:
            a = accounts[row["account_id"]]
            assert row["name"] == a["name"] and row["external_id"] == a.get("external_id"), row
    one = ok(get(world.admin, "clv", account=rows[0]["account_id"]))
    assert list(one)[:3] == ["account_id", "name", "external_id"]
    assert one["value_kind"] == "margin"  # the demo's orders carry margins
    assert ok(get(world.admin, "rfm"))["value_kind"] == "margin"


def test_cli_tables_name_their_accounts(world):
    """The text tables have name and external id columns beside the id, and say margin."""
    rows = json.loads(kith(world.db, "value", "rfm", "--json", "--limit", "3").stdout)["customers"]
    text = kith(world.db, "value", "rfm", "--limit", "3").stdout
    assert "values are margin\n" in text
    assert "   account name                     external id " in text
    for r in rows:
        line = next(ln for ln in text.splitlines() if ln.split()[:1] == [str(r["account_id"])])
        assert r["name"][:23] in line and (r["external_id"] or "-") in line, line


def test_analyst_sees_everyone(world):
    assert ok(get(world.analyst, "dist"))["overall"] == ok(get(world.admin, "dist"))["overall"]


def test_referrals_of_a_partner_stay_in_the_partner(world):
    readable = readable_accounts(world.partner)
    j = ok(get(world.partner, "referrals", limit=10000))
    assert {a["account_id"] for a in j["accounts"]} <= readable


# ---- nothing to compute -------------------------------------------------------------------


@pytest.mark.parametrize("sub", ROUTES)
def test_scope_without_customers_is_422(world, sub):
    e = error(get(world.lonely, sub), 422, "no_customers")
    assert "no customers" in e["message"]


def test_as_of_before_any_order_is_422(world):
    error(get(world.admin, "dist", as_of="2020-01-01"), 422, "no_customers")


def test_fit_that_does_not_converge_is_422_without_parameters(world):
    r = get(world.admin, "fit", max_iter=1)
    e = error(r, 422, "not_converged")
    assert "did not converge" in e["message"]
    for name in ("alpha", "gamma", "r=", "bgnbd", "loglik", "log-likelihood"):
        assert name not in r.text


@pytest.mark.parametrize("sub", ["clv", "reap"])
def test_fit_that_does_not_converge_degrades_with_a_warning(world, sub):
    j = ok(get(world.admin, sub, max_iter=1))
    assert [w["code"] for w in j["warnings"]] == ["model_not_fitted"]
    assert "did not converge" in j["warnings"][0]["message"]
    if sub == "clv":
        assert j["model"]["fitted"] is False and j["model"]["bgnbd"]["r"] is None
        assert all(c["basis"] == "history" and c["p_alive"] is None for c in j["customers"])


def test_unauthenticated_is_401(world):
    import requests
    assert requests.get(world.srv.url + "/api/v1/value/dist").status_code == 401


# ---- no repeat purchases: the models cannot be fitted ---------------------------------------
# Every customer has exactly one order, so BG/NBD and Gamma-Gamma have nothing to fit: what needs
# no model answers as usual, what wants predictions falls back to the proxy from each customer's
# own history (basis "history") with a warning, through both doors alike.

ONE_ORDER_CASES = [
    ("clv", [], {}),
    ("clv", ["--sort", "to_date"], {"sort": "to_date"}),
    ("clv", ["--sort", "current"], {"sort": "current"}),
    ("clv", ["--account", "3"], {"account": 3}),
    ("dist", [], {}),
    ("dist", ["--measure", "to_date"], {"measure": "to_date"}),
    ("dist", ["--measure", "current"], {"measure": "current"}),
    ("drivers", [], {}),
    ("drivers", ["--measure", "to_date", "cost", "migration"],
     {"measure": "to_date", "sections": "cost,migration"}),
    ("rfm", [], {}),
    ("reap", [], {}),
    ("xsell", [], {}),
    ("referrals", [], {}),
]
WANTS_MODEL = {"clv", "reap", "referrals"}


def one_order_each(db):
    """12 accounts, one order each, on different days of 2025."""
    with tempfile.TemporaryDirectory() as d:
        accounts, orders = os.path.join(d, "accounts.csv"), os.path.join(d, "orders.csv")
        with open(accounts, "w") as f:
            f.write("name,industry,revenue_band\n")
            f.writelines(f"Acct {i},Music,small\n" for i in range(1, 13))
        with open(orders, "w") as f:
            f.write("account_name,ordered_at,amount,margin\n")
            f.writelines(f"Acct {i},2025-{i:02d}-15T10:00:00Z,{i * 100}.00,{i * 30}.00\n"
                         for i in range(1, 13))
        kith(db, "import", accounts)
        kith(db, "import", orders)


@pytest.fixture(scope="module")
def single():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        one_order_each(db)
        add_user(db, "admin@example.com", "admin")
        srv = Server(db)
        try:
            yield srv, db, Client(srv.url, "admin@example.com")
        finally:
            srv.stop()


def wants_model(sub, params):
    measure = params.get("measure", params.get("sort", "lifetime"))
    return sub in WANTS_MODEL and "sort" not in params or \
        sub in ("dist", "drivers") and measure in ("lifetime", "predicted") or \
        sub == "drivers" and "sections" not in params


@pytest.mark.parametrize("sub,cli_args,params", ONE_ORDER_CASES)
def test_without_repeat_purchases_both_doors_answer_alike(single, sub, cli_args, params):
    srv, db, admin = single
    cli = kith(db, "value", sub, "--json", *cli_args)  # exit status 0, or kith() raises
    j = ok(get(admin, sub, **params))
    close(json.loads(cli.stdout), j)
    # 11 months of orders: the two 365-day windows of attrition and migration start before the
    # first order, which drivers says (docs/value.md, "Fit diagnostics")
    windows = ["window_before_first_order"] if sub == "drivers" and (
        "sections" not in params or "migration" in params["sections"]) else []
    if sub == "clv" and "sort" in params:  # sorted by a measure without a model: still warned,
        assert j["warnings"][0]["code"] == "model_not_fitted"  # the list has predictions
    elif wants_model(sub, params):
        assert [w["code"] for w in j["warnings"]] == ["model_not_fitted"] + windows, j
        assert "repeat purchases" in j["warnings"][0]["message"]
    elif windows:
        assert [w["code"] for w in j["warnings"]] == windows, j
    else:
        assert "warnings" not in j
    assert "nan" not in json.dumps(j).lower()
    text = kith(db, "value", sub, *cli_args).stdout  # the tables: "-" for what is unknown
    assert not re.search(r"\bnan\b|\(null\)", text, re.I), text


def test_without_repeat_purchases_clv_is_the_own_history_proxy(single):
    _, db, admin = single
    j = ok(get(admin, "clv", limit=100))
    assert j["model"]["fitted"] is False and j["model"]["repeat_buyers"] == 0
    assert "repeat purchases" in j["model"]["reason"]
    assert j["customers_total"] == 12 and j["proxies"] == 12
    # docs/value.md, "Proxy values": net value to date per year over at least proxy_days (365),
    # over the 36 discounted months of the horizon
    years = sum((1.10 ** (-k / 12)) / 12 for k in range(1, 37))
    as_of = datetime.date(2025, 12, 15)
    for c in j["customers"]:
        age = (as_of - datetime.date.fromisoformat(c["first_order"])).days + 1
        want = c["value_to_date"] / max(age, 365) * 365.25 * years
        assert c["basis"] == "history" and c["value_predicted"] == pytest.approx(want, abs=0.006)
        assert c["value_lifetime"] == pytest.approx(c["value_to_date"] + want, abs=0.011)
        assert c["p_alive"] is None and c["expected_orders"] is None
    assert [c["value_to_date"] for c in j["customers"]][:2] == [360.0, 330.0]
    text = kith(db, "value", "clv")
    assert text.stdout.startswith("warning: no customer has ordered on two different days")
    assert "nan" not in text.stdout


def test_without_repeat_purchases_fit_is_422_with_the_reason(single):
    _, db, admin = single
    e = error(get(admin, "fit"), 422, "not_converged")
    assert "repeat purchases" in e["message"]
    cli = kith(db, "value", "fit", check=False)
    assert cli.returncode == 1 and "repeat purchases" in cli.stderr
