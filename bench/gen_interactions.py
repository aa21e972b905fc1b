#!/usr/bin/env python3
"""Writes a deterministic CRM data set as CSV files for bench/import.sh.

units.csv, users.csv, accounts.csv, contacts.csv, interaction_types.csv and interactions.csv in
OUT_DIR, shaped like another CRM's export: references by natural key (contact_email,
user_email, type_code, unit_name, account_external_id), ISO 8601 times with offsets, quoted
text with commas, quotes and newlines, non-ASCII names, negative money.

usage: bench/gen_interactions.py OUT_DIR [--interactions N] [--contacts N]
"""
import argparse
import csv
import os
import random

FIRST = ["Anna", "Björn", "Chloé", "Dmitri", "Eva", "François", "Grace", "Hiro", "Ingrid", "José",
         "Kateřina", "Liam", "Mei", "Nils", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Zoë"]
LAST = ["Smith", "Müller", "García", "Rossi", "Novák", "Kowalski", "Dubois", "Sato", "O'Brien",
        "Jensen", "Silva", "Nguyen", "Larsen", "Horvat", "Costa", "Berg"]
CHANNELS = ["email", "phone", "meeting", "web", "event", "chat"]
OUTCOMES = ["positive", "neutral", "negative", "no answer", "follow-up, next week"]
NOTES = ["", "", "", "called back", "asked for a quote, \"urgent\"", "multi-line\nnote, second line",
         "sent brochure", "=SUM(A1:A2) looks like a formula", "Grüße aus Köln"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--contacts", type=int, default=20_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rnd = random.Random(42)

    def writer(name, header):
        f = open(os.path.join(args.out, name), "w", newline="", encoding="utf-8")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        return f, w

    units = [("Manufacturer", "manufacturer")] + [(f"Dealer {i}", "dealer") for i in range(1, 10)]
    f, w = writer("units.csv", ["name", "kind", "parent_name"])
    for i, (name, kind) in enumerate(units):
        w.writerow([name, kind, "" if i == 0 else "Manufacturer"])
    f.close()

    nusers = 200
    f, w = writer("users.csv", ["email", "name", "role", "unit_name", "hourly_cost"])
    for i in range(nusers):
        w.writerow([f"rep{i}@example.com", f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                    "frontline" if i % 10 else "manager", units[i % len(units)][0],
                    f"{rnd.randint(2000, 9000) / 100:.2f}"])
    f.close()

    naccounts = max(1, args.contacts // 10)
    f, w = writer("accounts.csv", ["external_id", "name", "industry", "annual_revenue",
                                   "owner_email", "unit_name", "custom"])
    for i in range(naccounts):
        w.writerow([f"ACC-{i:06d}", f"Company {i}, Ltd.", rnd.choice(["retail", "energy", "health"]),
                    f"{rnd.randint(10**5, 10**9)}.{rnd.randint(0, 99):02d}",
                    f"rep{rnd.randrange(nusers)}@example.com", units[i % len(units)][0],
                    '{"tier": "%s"}' % rnd.choice("ABC")])
    f.close()

    f, w = writer("contacts.csv", ["external_id", "account_external_id", "first_name",
                                   "last_name", "email", "stage", "owner_email"])
    for i in range(args.contacts):
        w.writerow([f"C-{i:07d}", f"ACC-{i % naccounts:06d}", rnd.choice(FIRST),
                    rnd.choice(LAST), f"contact{i}@example.org",
                    rnd.choice(["acquisition", "closing", "retention"]),
                    f"rep{rnd.randrange(nusers)}@example.com"])
    f.close()

    ntypes = 100
    f, w = writer("interaction_types.csv", ["code", "name", "phase", "level", "channel", "touch",
                                            "tech", "rv", "cost", "is_trigger", "is_voc"])
    for i in range(ntypes):
        w.writerow([f"T{i:03d}", f"Interaction type {i}",
                    ["acquisition", "closing", "retention"][i % 3], i % 8 + 1,
                    CHANNELS[i % len(CHANNELS)], round(rnd.random(), 2), round(rnd.random(), 2),
                    rnd.randint(-5, 20), f"{rnd.randint(0, 50000) / 100:.2f}",
                    "true" if i % 10 == 0 else "false", "yes" if i % 4 == 0 else "no"])
    f.close()

    f, w = writer("interactions.csv", ["external_id", "contact_email", "user_email", "type_code",
                                       "occurred_at", "channel", "direction", "rv", "cost",
                                       "outcome", "notes"])
    t0 = 1_600_000_000
    for i in range(args.interactions):
        t = t0 + rnd.randrange(0, 4 * 365 * 86400)
        h, m = divmod(t % 86400, 3600)
        day = t // 86400
        # ISO 8601 with a Z; the date part from the day number.
        y, mo, d = civil_from_days(day)
        occurred = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{m // 60:02d}:{m % 60:02d}Z"
        w.writerow([f"I-{i:08d}", f"contact{rnd.randrange(args.contacts)}@example.org",
                    f"rep{rnd.randrange(nusers)}@example.com" if i % 7 else "",
                    f"T{rnd.randrange(ntypes):03d}", occurred, rnd.choice(CHANNELS),
                    rnd.choice(["inbound", "outbound"]), rnd.randint(-5, 20),
                    f"{rnd.randint(-500, 20000) / 100:.2f}", rnd.choice(OUTCOMES),
                    rnd.choice(NOTES)])
    f.close()


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return y + (m <= 2), m, d


if __name__ == "__main__":
    main()
