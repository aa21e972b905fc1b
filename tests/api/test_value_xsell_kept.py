"""GET /api/v1/value/xsell keeps the rules it mined between requests and mines again when the
data change (issue 13 item 7; docs/internals/value.md, "The kept rules").

A small shop imported with `kith import` (two units, eight products with two planted
affinities): the API's offers for one account equal `kith value xsell --account ID --json`,
twice in a row (the second from the kept rules); a write through the API (a prospect's first
order) and one by another process (`kith import` of new products, orders and lines) are seen at
the next request, and the new rule's figures are checked against counts made here; a manager's
offers are those of the accounts of their unit, mined over their unit's baskets.
"""
import json
import os
import random
import tempfile

import pytest

from conftest import Client, Server, add_user, kith

PRODUCTS = [(f"P{i}", f"Product {i}", f"C{i % 4}", 10 * (i + 1)) for i in range(8)]
NEW_PRODUCTS = [("X", "Product X", "CX", 500), ("Y", "Product Y", "CY", 700)]
PLANTED = 40  # new baskets {X, Y}; one more {X} for the probe account: X -> Y has 40/41


class Shop:
    pass


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        f.writelines(",".join(str(c) for c in r) + "\n" for r in rows)
    return path


def generate(rnd):
    """Accounts N0..N99 (unit North), S0..S99 (South), PROSPECT (North, no order); their
    orders and lines. Returns (accounts, orders, lines), lines as (order, sku)."""
    accounts = [(f"N{i}", f"North {i}", "North") for i in range(100)]
    accounts += [(f"S{i}", f"South {i}", "South") for i in range(100)]
    accounts.append(("PROSPECT", "Prospect", "North"))
    orders, lines = [], []
    for ext, _, _ in accounts[:-1]:
        for k in range(rnd.choice((1, 2, 3))):
            oext = f"{ext}-{k}"
            items = set(rnd.sample(range(8), rnd.choice((1, 2, 2, 3))))
            if 0 in items and rnd.random() < 0.5:
                items.add(1)
            if 2 in items and rnd.random() < 0.5:
                items.add(3)
            day = 1 + rnd.randrange(28)
            amount = sum(PRODUCTS[i][3] for i in items)
            orders.append((oext, ext, f"2026-0{1 + k}-{day:02d}", f"{amount}.00"))
            lines += [(oext, PRODUCTS[i][0]) for i in sorted(items)]
    return accounts, orders, lines


@pytest.fixture(scope="module")
def shop():
    with tempfile.TemporaryDirectory() as d:
        s = Shop()
        s.dir, s.db = d, os.path.join(d, "kith.db")
        s.accounts, s.orders, s.lines = generate(random.Random(13))
        kith(s.db, "init")
        for path in (
                write(os.path.join(d, "units.csv"), "name,kind",
                      [("North", "business_unit"), ("South", "business_unit")]),
                write(os.path.join(d, "products.csv"), "sku,name,category,price",
                      [(a, b, c, f"{p}.00") for a, b, c, p in PRODUCTS]),
                write(os.path.join(d, "accounts.csv"), "external_id,name,unit_name", s.accounts),
                write(os.path.join(d, "orders.csv"),
                      "external_id,account_external_id,ordered_at,amount", s.orders),
                write(os.path.join(d, "order_lines.csv"),
                      "order_external_id,product_sku,quantity,amount",
                      [(o, sku, 1, f"{dict((p[0], p[3]) for p in PRODUCTS)[sku]}.00")
                       for o, sku in s.lines])):
            kith(s.db, "import", path)
        add_user(s.db, "admin@example.com", "admin")
        add_user(s.db, "north@example.com", "manager", unit="North")
        srv = Server(s.db)
        try:
            s.admin = Client(srv.url, "admin@example.com")
            s.north = Client(srv.url, "north@example.com")
            s.ids = account_ids(s.admin)
            yield s
        finally:
            srv.stop()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def account_ids(client):
    page = ok(client.get("/api/v1/accounts", params={"limit": 500, "fields": "id,external_id"}))
    assert not page.get("next_cursor")
    return {a["external_id"]: a["id"] for a in page["items"]}


def xsell(client, **params):
    return client.get("/api/v1/value/xsell", params=params)


def cli(shop, *args):
    return json.loads(kith(shop.db, "value", "xsell", "--json", *args).stdout)


def baskets_of(orders, lines, accounts=None):
    """The number of orders with lines (of the given account external ids, or all)."""
    owner = {o[0]: o[1] for o in orders}
    return len({o for o, _ in lines if accounts is None or owner[o] in accounts})


def test_offers_of_one_account_equal_the_cli_and_stay_so(shop):
    for ext in ("N0", "N7", "S3", "S42"):
        aid = shop.ids[ext]
        first = ok(xsell(shop.admin, account=aid))
        assert first == cli(shop, "--account", str(aid))
        assert ok(xsell(shop.admin, account=aid)) == first  # from the kept rules
    listed = ok(xsell(shop.admin, limit=5, rules=4))
    assert listed == cli(shop, "--limit", "5", "--rules", "4")
    assert listed["baskets"] == baskets_of(shop.orders, shop.lines)
    assert listed["rules_total"] > 0
    # other mining parameters are mined and kept apart
    strict = ok(xsell(shop.admin, min_confidence=0.5))
    assert strict == cli(shop, "--min-confidence", "0.5")
    assert strict["rules_total"] < listed["rules_total"]
    assert ok(xsell(shop.admin, limit=5, rules=4)) == listed


def test_a_manager_gets_offers_of_their_unit_mined_over_their_unit(shop):
    north = {a[0] for a in shop.accounts if a[2] == "North"}
    j = ok(xsell(shop.north, limit=10000))
    assert j["baskets"] == baskets_of(shop.orders, shop.lines, north)
    ids = {shop.ids[e] for e in north}
    assert j["offers"] and {o["account_id"] for o in j["offers"]} <= ids
    one = ok(xsell(shop.north, account=shop.ids["N7"]))
    assert one["baskets"] == j["baskets"]
    assert one["offers"] == [o for o in j["offers"] if o["account_id"] == shop.ids["N7"]]
    r = xsell(shop.north, account=shop.ids["S3"])  # outside the unit: as if it did not exist
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # the admin's answer (mined over everyone) is kept apart from the manager's
    assert ok(xsell(shop.admin, account=shop.ids["N7"]))["baskets"] == baskets_of(
        shop.orders, shop.lines)


def test_offers_after_a_write_reflect_the_new_data(shop):
    prospect, probe = shop.ids["PROSPECT"], shop.ids["S42"]
    r = xsell(shop.admin, account=prospect)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_customer"
    before = ok(xsell(shop.admin, account=probe))
    assert before == cli(shop, "--account", str(probe))
    assert all(o["product"]["sku"] not in ("X", "Y") for o in before["offers"])

    # a write through the API: the prospect's first order (no lines: no basket)
    created = shop.admin.post("/api/v1/orders", json={
        "account_id": prospect, "ordered_at": "2026-05-01T00:00:00Z", "amount": "12.00",
        "currency": "USD"})
    assert created.status_code == 201, created.text
    now = ok(xsell(shop.admin, account=prospect))
    assert now == cli(shop, "--account", str(prospect))
    assert now["offers"] == [] and now["baskets"] == before["baskets"]

    # a write by another process: new products, PLANTED orders {X, Y} and the probe's {X}
    d = shop.dir
    orders = [(f"XY-{i}", f"N{i % 100}", "2026-05-02", "1200.00") for i in range(PLANTED)]
    orders.append(("PROBE-X", "S42", "2026-05-02", "500.00"))
    lines = [(o[0], sku, 1, price) for o in orders[:-1]
             for sku, price in (("X", "500.00"), ("Y", "700.00"))]
    lines.append(("PROBE-X", "X", 1, "500.00"))
    for table, header, rows in (
            ("products", "sku,name,category,price",
             [(a, b, c, f"{p}.00") for a, b, c, p in NEW_PRODUCTS]),
            ("orders", "external_id,account_external_id,ordered_at,amount", orders),
            ("order_lines", "order_external_id,product_sku,quantity,amount", lines)):
        kith(shop.db, "import", table, write(os.path.join(d, f"new_{table}.csv"), header, rows))

    after = ok(xsell(shop.admin, account=probe))
    assert after == cli(shop, "--account", str(probe))
    assert after != before
    n = before["baskets"] + PLANTED + 1
    assert after["baskets"] == n
    top = after["offers"][0]
    assert top["product"]["sku"] == "Y"
    rule = top["rule"]
    assert [p["sku"] for p in rule["if"]] == ["X"] and rule["then"]["sku"] == "Y"
    assert rule["baskets"] == PLANTED
    assert rule["support"] == pytest.approx(PLANTED / n, rel=1e-9)
    assert rule["confidence"] == pytest.approx(PLANTED / (PLANTED + 1), rel=1e-9)
    assert rule["lift"] == pytest.approx((PLANTED / (PLANTED + 1)) / (PLANTED / n), rel=1e-9)
    # and the list too
    assert ok(xsell(shop.admin, limit=5, rules=4)) == cli(shop, "--limit", "5", "--rules", "4")
