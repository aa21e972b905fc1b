#!/usr/bin/env python3
"""bench/gen_deals.py - fills a fresh kith database (made by `kith init`) with the data of
`make bench-deals`: OWNERS owners (default 10,000) under a management tree (a manager for every
20 owners, a director for every 10 managers, one head), DEALS deals (default 1,000,000) over
10,000 accounts, in the six default stages (about half open), with amounts, sources, a
probability of their own for one in five, creation and close dates over two years. Written with
sqlite3 in one transaction (the store's trigger writes each deal's first stage change). Seeded:
the same arguments give the same database.

usage: bench/gen_deals.py DB [--deals N] [--owners N]
"""
import argparse
import random
import sqlite3
import time

p = argparse.ArgumentParser()
p.add_argument("db")
p.add_argument("--deals", type=int, default=1_000_000)
p.add_argument("--owners", type=int, default=10_000)
a = p.parse_args()
rng = random.Random(20261207)
t0 = time.time()
db = sqlite3.connect(a.db)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
db.execute("BEGIN")
db.execute("INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'Bench', 'business_unit')")
teams = 50
db.executemany("INSERT INTO teams (id, created_at, name, kind, unit_id) VALUES (?, 0, ?, 'closing', 1)",
               [(t + 1, f"Team {t + 1}") for t in range(teams)])
managers = max(1, a.owners // 20)
directors = max(1, managers // 10)
users, uid = [], 1
head = uid
users.append((uid, f"head@bench.example", "Head", "executive", None, None))
uid += 1
dir_ids, mgr_ids = [], []
for _ in range(directors):
    users.append((uid, f"d{uid}@bench.example", f"Director {uid}", "manager", None, head))
    dir_ids.append(uid)
    uid += 1
for m in range(managers):
    users.append((uid, f"m{uid}@bench.example", f"Manager {uid}", "manager", None,
                  dir_ids[m % len(dir_ids)]))
    mgr_ids.append(uid)
    uid += 1
owner_ids = []
for o in range(a.owners):
    users.append((uid, f"r{uid}@bench.example", f"Rep {uid:06d}", "frontline", o % teams + 1,
                  mgr_ids[o % len(mgr_ids)]))
    owner_ids.append(uid)
    uid += 1
db.executemany("INSERT INTO users (id, created_at, email, name, role, unit_id, team_id, manager_id)"
               " VALUES (?, 0, ?, ?, ?, 1, ?, ?)", users)
db.executemany("INSERT INTO accounts (id, created_at, name, unit_id) VALUES (?, 0, ?, 1)",
               [(i + 1, f"Account {i + 1}") for i in range(10_000)])
stages = dict(db.execute("SELECT name, id FROM deal_stages WHERE unit_id IS NULL"))
names = ["Prospecting", "Engaging", "Proposal", "Closing", "Won", "Lost"]
weights = [18, 14, 10, 8, 25, 25]
sources = ["web", "referral", "event", "partner", "outbound", None]
start = 1735689600000  # 2025-01-01
day = 86400000


def rows():
    for i in range(a.deals):
        owner = owner_ids[rng.randrange(len(owner_ids))]
        stage = rng.choices(names, weights)[0]
        created = start + rng.randrange(0, 700) * day + rng.randrange(day)
        closed = created + rng.randrange(1, 120) * day if stage in ("Won", "Lost") else None
        expected = created + rng.randrange(10, 200) * day
        prob = round(rng.random(), 2) if rng.random() < 0.2 else None
        yield (i + 1, created, rng.randrange(10_000) + 1, owner, stages[stage],
               rng.randrange(10_000, 10_000_000), "USD", prob, expected, closed,
               sources[rng.randrange(len(sources))], 1, (owner - owner_ids[0]) % teams + 1)


db.executemany("INSERT INTO deals (id, created_at, account_id, owner_id, stage_id, amount, currency,"
               " probability, expected_close_at, closed_at, source, unit_id, team_id)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
db.commit()
db.execute("ANALYZE")
db.close()
print(f"gen_deals: {a.deals} deals, {a.owners} owners, {len(users)} users in {time.time() - t0:.1f} s")
