"""A generated line-level retail export with returns, for the customer value tests and
scripts/value-holdout (docs/value.md, "Holdout check").

Customers follow the BG/NBD and Gamma-Gamma stories with known parameters: each buys at a rate of
its own (gamma distributed) and may drop out after each purchase (beta distributed); each order's
spend is gamma distributed around a customer mean that is itself gamma distributed. On top come
what a real export has: returns as negative invoices some days after a sale (half of them name the
sale they reverse), returns of purchases made before the export began (no sale to name: some
customers are net negative), and free repeat orders (samples) for a few customers, whose repeat
spend is then 0. Every sale has one to four lines of products; a return has one negative line.

generate() returns plain Python data; write_csv() writes the four files `kith import` reads
(accounts, products, orders, order_lines) with no kind column: a negative amount imports as a
return.
"""
import datetime
import os
import random

EPOCH = datetime.date(1970, 1, 1)
START = datetime.date(2024, 1, 1)


def day_of(d):
    return (d - EPOCH).days


class Export:
    def __init__(self):
        self.accounts = []   # (external_id, name)
        self.products = []   # (sku, name, category)
        self.orders = []     # dict: ext, account, day, cents, reverses (ext or None)
        self.lines = []      # dict: order, sku, quantity, cents


def generate(seed=13, customers=1500, days=730, free_repeat=8, orphan_returns=6):
    rnd = random.Random(seed)
    x = Export()
    categories = ["Kitchen", "Garden", "Toys", "Lighting", "Textiles", "Stationery", "Bath",
                  "Gifts"]
    for k in range(48):
        x.products.append((f"SKU{k:03d}", f"Product {k}", categories[k % len(categories)]))
    start = day_of(START)
    n = 0

    def add_order(account, day, cents, reverses=None):
        nonlocal n
        n += 1
        o = {"ext": f"INV{n:06d}", "account": account, "day": day, "cents": cents,
             "reverses": reverses}
        x.orders.append(o)
        return o

    for c in range(customers):
        ext = f"C{c:05d}"
        x.accounts.append((ext, f"Customer {c}"))
        rate = rnd.gammavariate(0.7, 1 / 40)        # purchases a day while alive
        drop = rnd.betavariate(1.0, 5.0)            # P(dropping out after a repeat purchase)
        nu = rnd.gammavariate(2.5, 1 / 150.0)       # the customer's spend scale
        free = c < free_repeat                      # repeat orders are free samples
        day = start + rnd.randrange(days)
        first = True
        while day < start + days:
            cents = 0 if free and not first else max(100, int(rnd.gammavariate(3.0, 1 / nu) * 100))
            sale = add_order(ext, day, cents)
            items = rnd.sample(range(len(x.products)), rnd.randint(1, 4))
            left = cents
            for j, p in enumerate(items):
                part = left if j == len(items) - 1 else left // (len(items) - j)
                left -= part
                x.lines.append({"order": sale["ext"], "sku": x.products[p][0], "quantity": 1,
                                "cents": part})
            if cents > 0 and rnd.random() < 0.10:    # a return some days later
                back = max(1, int(cents * rnd.choice([1.0, 0.5, 0.25])))
                rday = min(day + rnd.randint(1, 30), start + days - 1)
                ret = add_order(ext, rday, -back, sale["ext"] if rnd.random() < 0.5 else None)
                x.lines.append({"order": ret["ext"], "sku": x.products[items[0]][0],
                                "quantity": -1, "cents": -back})
            if not first and rnd.random() < drop:  # BG/NBD: no dropout at the first purchase
                break
            first = False
            day += max(1, int(rnd.expovariate(rate)))
        if c >= customers - orphan_returns:              # returns of what was bought before
            bought = [o for o in x.orders if o["account"] == ext and o["cents"] > 0]
            if bought:
                total = sum(o["cents"] for o in bought)
                add_order(ext, bought[0]["day"] + 1, -(total + 5000))
    x.orders.sort(key=lambda o: (o["day"], o["ext"]))
    return x


def iso(day):
    return (EPOCH + datetime.timedelta(days=day)).isoformat() + "T12:00:00Z"


def money(cents):
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def write_csv(x, directory):
    """The four files, in import order; returns their paths."""
    paths = [os.path.join(directory, f) for f in
             ("accounts.csv", "products.csv", "orders.csv", "order_lines.csv")]
    with open(paths[0], "w") as f:
        f.write("external_id,name\n")
        f.writelines(f"{e},{nm}\n" for e, nm in x.accounts)
    with open(paths[1], "w") as f:
        f.write("sku,name,category\n")
        f.writelines(f"{s},{nm},{cat}\n" for s, nm, cat in x.products)
    with open(paths[2], "w") as f:
        f.write("external_id,account_external_id,ordered_at,amount,reverses_external_id\n")
        f.writelines(f"{o['ext']},{o['account']},{iso(o['day'])},{money(o['cents'])},"
                     f"{o['reverses'] or ''}\n" for o in x.orders)
    with open(paths[3], "w") as f:
        f.write("order_external_id,product_sku,quantity,amount\n")
        f.writelines(f"{ln['order']},{ln['sku']},{ln['quantity']},{money(ln['cents'])}\n"
                     for ln in x.lines)
    return paths
