"""A sales-opportunities export of another CRM, as it comes (issue 12, item 6).

Four CSV files in the shape of a common public CRM sample: accounts.csv (account, sector,
year_established, revenue in millions, employees, office_location, subsidiary_of by name),
sales_teams.csv (sales_agent, manager, regional_office), products.csv (product, series,
sales_price) and sales_pipeline.csv (opportunity_id, sales_agent, product, account, deal_stage
Prospecting/Engaging/Won/Lost, engage_date, close_date, close_value). Its flaws are those of the
real thing: the pipeline spells the product "GTX Pro" as "GTXPro", one account's sector is
"technolgy" beside "technology", and open deals often have no account yet. Some subsidiaries
come before their parent company in the file.

write_export(dir, seed, opportunities) writes the files and returns what was written, so that a
test computes its expectations from the rows themselves.

Also a command: python3 tests/api/crm_export.py DIR [OPPORTUNITIES] [SEED].
"""

import csv
import datetime
import os
import random
import sys

SECTORS = ["technology", "medical", "retail", "software", "marketing", "entertainment",
           "finance", "telecommunications", "services", "employment"]
OFFICES = ["Central", "East", "West"]
PRODUCTS = [("GTX Basic", "GTX", 550), ("GTX Pro", "GTX", 4821), ("MG Special", "MG", 55),
            ("MG Advanced", "MG", 3393), ("GTX Plus Pro", "GTX", 5482),
            ("GTX Plus Basic", "GTX", 1096), ("GTK 500", "GTK", 26768)]
FIRST = ["Anna", "Boris", "Cara", "Dmitri", "Elena", "Felix", "Greta", "Hugo", "Iris", "Jonas",
         "Kira", "Lars", "Mira", "Nils", "Olga", "Piet", "Quinn", "Rosa", "Sven", "Tara",
         "Ugo", "Vera", "Wim", "Xena", "Yusuf", "Zoe"]
LAST = ["Abbott", "Brandt", "Castillo", "Dvorak", "Eklund", "Fischer", "Garnier", "Holm",
        "Ivers", "Janssen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Olsen", "Petrov"]
WORDS = ["Acme", "Bluestone", "Cobalt", "Dynamo", "Evergreen", "Fable", "Granite", "Harbor",
         "Ion", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orbit", "Pinnacle",
         "Quarry", "Redwood", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Xylo", "Yonder",
         "Zenith"]
SUFFIX = ["Corp", "Holdings", "Labs", "Systems", "Group", "Industries", "Partners", "Works"]


def _names(rng, n, used):
    out = []
    while len(out) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            out.append(name)
    return out


def write_export(directory, seed=12, opportunities=2000):
    rng = random.Random(seed)
    used = set()
    managers = _names(rng, 6, used)
    agents = _names(rng, 30, used)
    teams = [{"sales_agent": a, "manager": managers[i % 6], "regional_office": OFFICES[(i % 6) // 2]}
             for i, a in enumerate(agents)]

    names = set()
    while len(names) < 80:
        names.add(f"{rng.choice(WORDS)} {rng.choice(SUFFIX)}")
    names = sorted(names)
    rng.shuffle(names)
    parents = names[:6]
    accounts = []
    for i, name in enumerate(names):
        sector = SECTORS[i % len(SECTORS)]
        accounts.append({
            "account": name, "sector": sector, "year_established": str(rng.randint(1979, 2017)),
            "revenue": f"{rng.uniform(5, 11000):.2f}", "employees": str(rng.randint(10, 30000)),
            "office_location": rng.choice(["United States", "Kenya", "Norway", "Japan", "Brazil"]),
            "subsidiary_of": "",
        })
    # Subsidiaries: some before their parent in the file, some after.
    for i in (10, 20, 30, 40, 50, 60, 70):
        accounts[i]["subsidiary_of"] = parents[i % 6]
    accounts[2]["subsidiary_of"] = accounts[75]["account"]
    # One misspelt sector among many "technology" rows.
    tech = [a for a in accounts if a["sector"] == "technology"]
    tech[-1]["sector"] = "technolgy"

    products = [{"product": p, "series": s, "sales_price": str(price)} for p, s, price in PRODUCTS]

    # Each agent has their own skill: win rates differ per agent and per manager.
    skill = {a: rng.uniform(0.35, 0.8) for a in agents}
    start = datetime.date(2016, 10, 20)
    pipeline = []
    for n in range(opportunities):
        agent = rng.choice(agents)
        product, _, price = rng.choice(PRODUCTS)
        stage = rng.choices(["Prospecting", "Engaging", "Won", "Lost"], [1, 2, 5, 3])[0]
        if stage in ("Won", "Lost"):
            stage = "Won" if rng.random() < skill[agent] else "Lost"
        engage = start + datetime.timedelta(days=rng.randint(0, 420))
        row = {"opportunity_id": f"{rng.getrandbits(32):08X}{n:04d}", "sales_agent": agent,
               "product": "GTXPro" if product == "GTX Pro" else product,
               "account": rng.choice(accounts)["account"], "deal_stage": stage,
               "engage_date": engage.isoformat(), "close_date": "", "close_value": ""}
        if stage == "Prospecting":
            row["engage_date"] = ""
            if rng.random() < 0.7:
                row["account"] = ""
        elif stage == "Engaging" and rng.random() < 0.1:
            row["account"] = ""
        elif stage in ("Won", "Lost"):
            row["close_date"] = (engage + datetime.timedelta(days=rng.randint(1, 130))).isoformat()
            row["close_value"] = str(round(price * rng.uniform(0.8, 1.1))) if stage == "Won" else "0"
        pipeline.append(row)

    os.makedirs(directory, exist_ok=True)
    files = {"accounts.csv": accounts, "sales_teams.csv": teams, "products.csv": products,
             "sales_pipeline.csv": pipeline}
    for name, rows in files.items():
        with open(os.path.join(directory, name), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return {"accounts": accounts, "teams": teams, "products": products, "pipeline": pipeline}


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "crm-export"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    write_export(out, seed, n)
