#!/usr/bin/python3
"""List latency of the API on 100,000 contacts and 300,000 interactions.

Usage: bench/api_list.py [KITH_BIN] [WORKDIR]   (defaults: build/kith, a temporary directory)

Fills a database with SQL (kept out of the timing), starts `kith serve`, signs in an admin and a
frontline user, and prints the minimum, median and maximum time of 30 requests for each list below, a
deep page reached through the cursor, and a walk over every contact. The baseline is the first
table in docs/api.md ("Measured"); compare the medians (ms) against it.
"""
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KITH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "kith")
PASSWORD = "correct horse battery staple"
N_CONTACTS, N_INTERACTIONS = 100_000, 300_000


def fill(db):
    subprocess.run([KITH, "init", "--db", db], check=True, capture_output=True)
    for email, role in (("admin@example.com", "admin"), ("fl@example.com", "frontline")):
        subprocess.run([KITH, "user", "add", email, "--name", role, "--role", role,
                        "--password-stdin", "--db", db], input=PASSWORD + "\n", text=True,
                       check=True, capture_output=True)
    con = sqlite3.connect(db)
    now = 1_700_000_000_000
    con.execute("INSERT INTO units(id, created_at, name, kind) VALUES"
                " (1, ?, 'North', 'business_unit'), (2, ?, 'South', 'business_unit')", (now, now))
    con.execute("INSERT INTO teams(id, created_at, name, kind, unit_id)"
                " VALUES (1, ?, 'Key accounts', 'virtual_account', 1)", (now,))
    con.execute("UPDATE users SET unit_id = 1, team_id = 1 WHERE email = 'fl@example.com'")
    fl = con.execute("SELECT id FROM users WHERE email = 'fl@example.com'").fetchone()[0]
    con.execute("INSERT INTO interaction_types(id, created_at, code, name, phase, level, channel,"
                " touch, tech, rv, cost) VALUES (1, ?, 'call', 'Call', 'acquisition', 1, 'phone',"
                " 0.5, 0.5, 3, 100)", (now,))
    rnd = random.Random(1)
    first = ["Ann", "Bob", "Carla", "Dmitri", "Eve", "Farid", "Gita", "Hans", "Ines", "Jon"]
    last = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Garcia", "Müller", "Rossi",
            "Nakamura", "Okafor"]
    con.executemany(
        "INSERT INTO contacts(id, created_at, first_name, last_name, email, unit_id, team_id,"
        " owner_id) VALUES (?,?,?,?,?,?,?,?)",
        ((i, now + i, rnd.choice(first), rnd.choice(last) + str(rnd.randrange(1000)),
          f"p{i}@example{i % 97}.com", 1 if i % 2 else 2, 1 if i % 50 == 0 else None,
          fl if i % 1000 == 0 else None) for i in range(1, N_CONTACTS + 1)))
    con.executemany(
        "INSERT INTO interactions(id, created_at, contact_id, type_id, occurred_at, rv, cost,"
        " source) VALUES (?,?,?,?,?,?,?,?)",
        ((j, now, 1 + (j * 7919) % N_CONTACTS, 1, now - j * 60_000, 3, 100, "manual")
         for j in range(1, N_INTERACTIONS + 1)))
    con.commit()
    con.close()


def main():
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="kith-bench-")
    db = os.path.join(work, "bench.db")
    if not os.path.exists(db):
        fill(db)
    srv = subprocess.Popen([KITH, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                           stderr=subprocess.PIPE, text=True)
    m = re.search(r"http://([\d.]+):(\d+)", srv.stderr.readline())
    threading.Thread(target=lambda: [None for _ in srv.stderr], daemon=True).start()
    base = f"http://{m.group(1)}:{m.group(2)}"

    def client(email):
        s = requests.Session()
        s.post(base + "/api/v1/session", json={"email": email, "password": PASSWORD}
               ).raise_for_status()
        for cookie in s.cookies:  # kith marks it Secure; browsers send it to 127.0.0.1 anyway
            cookie.secure = False
        return s

    def timed(s, path, params, n=30):
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            r = s.get(base + path, params=params)
            ts.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
        return min(ts), statistics.median(ts), max(ts)

    def cursor_after(s, path, params, pages):
        cur = None
        for _ in range(pages):
            cur = s.get(base + path, params=dict(params, **({"cursor": cur} if cur else {}))
                        ).json()["next_cursor"]
        return cur

    try:
        adm, fl = client("admin@example.com"), client("fl@example.com")
        cases = [
            ("contacts, first page (50)", adm, "/api/v1/contacts", {}),
            ("contacts, limit=500", adm, "/api/v1/contacts", {"limit": 500}),
            ("contacts, sort=-last_name", adm, "/api/v1/contacts", {"sort": "-last_name"}),
            ("contacts, sort=email", adm, "/api/v1/contacts", {"sort": "email"}),
            ("contacts, q=smi (10% match)", adm, "/api/v1/contacts", {"q": "smi"}),
            ("contacts, q=p4242 (rare)", adm, "/api/v1/contacts", {"q": "p4242"}),
            ("contacts, unit_id=2", adm, "/api/v1/contacts", {"unit_id": 2}),
            ("contacts, frontline scope", fl, "/api/v1/contacts", {}),
            ("contacts, frontline scope, q=ann", fl, "/api/v1/contacts", {"q": "ann"}),
            ("interactions, sort=-occurred_at", adm, "/api/v1/interactions",
             {"sort": "-occurred_at"}),
            ("interactions, frontline scope", fl, "/api/v1/interactions", {}),
            ("interactions, frontline scope, sort=-occurred_at", fl, "/api/v1/interactions",
             {"sort": "-occurred_at"}),
        ]
        print("| list | min ms | median ms | max ms |\n|---|---|---|---|")
        for name, s, path, params in cases:
            print("| %s | %.2f | %.2f | %.2f |" % ((name,) + timed(s, path, params)), flush=True)
        for name, params, pages in (("contacts, page 1001 by id", {}, 1000),
                                    ("contacts, page 201 by last_name", {"sort": "last_name"},
                                     200)):
            cur = cursor_after(adm, "/api/v1/contacts", params, pages)
            print("| %s | %.2f | %.2f | %.2f |" % ((name,) + timed(adm, "/api/v1/contacts",
                                                              dict(params, cursor=cur))))
        t, n, cur = time.perf_counter(), 0, None
        while True:
            page = adm.get(base + "/api/v1/contacts",
                           params={"limit": 500, **({"cursor": cur} if cur else {})}).json()
            n += len(page["items"])
            cur = page["next_cursor"]
            if not cur:
                break
        print(f"\nwalked all {n} contacts in pages of 500 in {time.perf_counter() - t:.2f} s")
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
