#!/usr/bin/env python3
"""Writes a deterministic customer-value data set as CSV files for bench/value.sh.

accounts.csv, products.csv, orders.csv and order_lines.csv in OUT_DIR: ACCOUNTS accounts with
industry, revenue band and source; each buys with a per-account rate and lifetime (a BG/NBD-like
process over three years), 1 to 3 lines per order from 20 products in 5 categories with a few
planted affinities (so that association rules exist). References by natural key
(account_external_id, order_external_id, product_sku), times as ISO 8601 dates.

usage: bench/gen_value.py OUT_DIR [--accounts N] [--seed S] [--no-lines]

--no-lines leaves order_lines.csv with its header only (the orders are the same): for benches of
figures that read no line (clv, dist), whose data then import in a fraction of the time.
"""
import argparse
import csv
import datetime
import os
import random

INDUSTRIES = ["Automotive", "Chemicals", "Energy", "Food", "Logistics", "Metals", "Mining",
              "Packaging"]
BANDS = ["<$10M", "$10M-$50M", "$50M-$250M", "$250M-$1B", ">$1B"]
SOURCES = ["Website", "Partner", "Referral", "Trade show", "Webinar", "Paid search"]
CATEGORIES = ["Controllers", "Drives", "Sensors", "Hydraulics", "Services"]
START = datetime.date(2023, 7, 1)
DAYS = 3 * 365


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-lines", action="store_true")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    products = []
    with open(os.path.join(args.out, "products.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sku", "name", "category", "price", "unit_cost", "currency"])
        for i in range(20):
            cat = CATEGORIES[i % 5]
            price = rnd.randint(100, 5000)
            products.append(("P-%02d" % i, price))
            w.writerow(["P-%02d" % i, "Product %d" % i, cat, "%d.00" % price,
                        "%d.00" % (price * 6 // 10), "USD"])
    pairs = {0: 5, 5: 0, 3: 8, 8: 3, 11: 17}  # planted affinities: who buys A often buys B

    with open(os.path.join(args.out, "accounts.csv"), "w", newline="") as fa, \
            open(os.path.join(args.out, "orders.csv"), "w", newline="") as fo, \
            open(os.path.join(args.out, "order_lines.csv"), "w", newline="") as fl:
        wa, wo, wl = csv.writer(fa), csv.writer(fo), csv.writer(fl)
        wa.writerow(["external_id", "name", "industry", "revenue_band", "source", "currency"])
        wo.writerow(["external_id", "account_external_id", "ordered_at", "amount", "margin",
                     "currency"])
        wl.writerow(["order_external_id", "product_sku", "quantity", "amount", "margin"])
        order_no = 0
        for a in range(args.accounts):
            ext = "A%07d" % a
            wa.writerow([ext, "Account %d" % a, rnd.choice(INDUSTRIES), rnd.choice(BANDS),
                         rnd.choice(SOURCES), "USD"])
            if rnd.random() < 0.25:
                continue  # a prospect: no orders
            first = rnd.randrange(DAYS)
            rate = rnd.gammavariate(0.8, 1 / 40.0)  # orders per day while alive
            p_drop = rnd.betavariate(0.8, 3.0)
            day = first
            basket_scale = rnd.lognormvariate(0, 0.6)
            while day < DAYS:
                order_no += 1
                oext = "O%08d" % order_no
                n = rnd.choice((1, 1, 2, 3))
                items = rnd.sample(range(20), n)
                if items[0] in pairs and rnd.random() < 0.6 and pairs[items[0]] not in items:
                    items.append(pairs[items[0]])
                total = margin = 0
                for it in items:
                    qty = rnd.randint(1, 4)
                    amt = int(products[it][1] * qty * basket_scale * 100)
                    mg = int(amt * rnd.uniform(0.25, 0.45))
                    total += amt
                    margin += mg
                    if not args.no_lines:
                        wl.writerow([oext, products[it][0], qty, "%d.%02d" % divmod(amt, 100),
                                     "%d.%02d" % divmod(mg, 100)])
                date = START + datetime.timedelta(days=day)
                wo.writerow([oext, ext, date.isoformat(), "%d.%02d" % divmod(total, 100),
                             "%d.%02d" % divmod(margin, 100), "USD"])
                if rnd.random() < p_drop or rate <= 0:
                    break
                day += max(1, int(rnd.expovariate(rate))) if rate > 0 else DAYS


if __name__ == "__main__":
    main()
