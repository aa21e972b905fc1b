#!/usr/bin/env python3
"""Writes another CRM's sales-opportunities export for bench/deal_import.sh, in the shape of
tests/api/crm_export.py: users.csv (email, name), accounts.csv (account), products.csv (product,
series, sales_price) and deals.csv (opportunity_id, sales_agent, product, account, deal_stage,
engage_date, close_date, close_value), references by name as the export gives them.

usage: gen_deal_export.py DIR [--deals N] [--owners N] [--accounts N] [--seed S]
"""
import argparse
import datetime
import os
import random

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--deals", type=int, default=1000000)
p.add_argument("--owners", type=int, default=10000)
p.add_argument("--accounts", type=int, default=50000)
p.add_argument("--seed", type=int, default=7)
a = p.parse_args()
rng = random.Random(a.seed)
os.makedirs(a.dir, exist_ok=True)

owners = [f"Agent {i:05d}" for i in range(a.owners)]
accounts = [f"Account {i:06d} Ltd" for i in range(a.accounts)]
products = [(f"Product {i:02d}", f"S{i % 5}", 50 + 97 * i) for i in range(40)]
with open(os.path.join(a.dir, "users.csv"), "w") as f:
    f.write("email,name,role\n")
    for i, o in enumerate(owners):
        f.write(f"agent{i}@example.com,{o},frontline\n")
with open(os.path.join(a.dir, "accounts.csv"), "w") as f:
    f.write("name\n")
    f.writelines(f"{n}\n" for n in accounts)
with open(os.path.join(a.dir, "products.csv"), "w") as f:
    f.write("product,series,sales_price\n")
    f.writelines(f"{n},{s},{p}\n" for n, s, p in products)

start = datetime.date(2016, 1, 1).toordinal()
days = [datetime.date.fromordinal(start + d).isoformat() for d in range(800)]
stages = ["Prospecting", "Engaging", "Won", "Lost"]
with open(os.path.join(a.dir, "deals.csv"), "w") as f:
    f.write("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,"
            "close_value\n")
    out = []
    for n in range(a.deals):
        stage = rng.choices(stages, (1, 2, 5, 3))[0]
        e = rng.randrange(600)
        product, _, price = products[rng.randrange(len(products))]
        close, value = "", ""
        if stage == "Won":
            close, value = days[e + rng.randrange(1, 150)], str(price + rng.randrange(-20, 20))
        elif stage == "Lost":
            close, value = days[e + rng.randrange(1, 150)], "0"
        out.append(f"D{n:08d},{owners[rng.randrange(a.owners)]},{product},"
                   f"{accounts[rng.randrange(a.accounts)]},{stage},"
                   f"{days[e] if stage != 'Prospecting' else ''},{close},{value}\n")
        if len(out) == 100000:
            f.writelines(out)
            out = []
    f.writelines(out)
