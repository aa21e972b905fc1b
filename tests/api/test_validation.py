"""One table of bad values through both doors that write rows: POST to the API and `kith import`
of a CSV with the same row. Both call model/validate.h, so every value one door refuses the
other refuses too, for the same field and with the same reason: the API answers 422 with
"<field>: <reason>", the import exits 1 with "<file>:<line>:<column>: <field>: <reason>" on
standard error and writes nothing. A good row of each table goes in through both.

One server serves the module; the imports run against its database while it is up, as an
administrator would load a file into a live system.
"""
import csv
import os
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import KITH, Client
from module_server import module_server


@pytest.fixture(scope="module")
def srv():
    with module_server() as s:
        yield s


@pytest.fixture(scope="module")
def admin(srv):
    return Client(srv.url, "admin@example.com")


@pytest.fixture(scope="module")
def refs(admin):
    """Rows the good rows refer to, created through the API."""
    def created(path, body):
        r = admin.post(path, json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]
    unit = created("/api/v1/units", {"name": "Validation unit", "kind": "business_unit"})
    account = created("/api/v1/accounts", {"name": "Validation account", "unit_id": unit})
    contact = created("/api/v1/contacts", {"last_name": "Referred", "unit_id": unit})
    itype = created("/api/v1/interaction-types", {
        "code": "validation_call", "name": "Call", "phase": "acquisition", "level": 1,
        "channel": "phone", "touch": 0.5, "tech": 0.5, "rv": 1, "cost": "1.00"})
    return {"unit": unit, "account": account, "contact": contact, "type": itype}


_seq = [0]


def good_row(table, refs):
    """A row of table that both doors accept; unique keys differ at each call."""
    _seq[0] += 1
    n = _seq[0]
    rows = {
        "users": {"email": f"user{n}@example.com", "name": "Ann", "role": "analyst"},
        "accounts": {"name": f"Acme {n}", "currency": "EUR", "annual_revenue": "1000000.00",
                     "unit_id": refs["unit"]},
        "contacts": {"last_name": "Smith", "first_name": "Ann", "email": f"ann{n}@example.com",
                     "buying_role": "influencer",
                     "unit_id": refs["unit"]},
        "interaction_types": {"code": f"call{n}", "name": "Call", "phase": "acquisition",
                              "level": 2, "channel": "phone", "touch": 0.8, "tech": 0.25,
                              "rv": 3, "cost": "12.50"},
        "interactions": {"contact_id": refs["contact"], "type_id": refs["type"],
                         "occurred_at": "2024-05-01T12:00:00Z", "direction": "inbound",
                         "rv": 2, "cost": "1.50"},
        "products": {"sku": f"SKU-{n}", "name": "Widget", "price": "99.90", "currency": "USD"},
        "orders": {"account_id": refs["account"], "ordered_at": "2024-05-01",
                   "amount": "250.00", "margin": "-10.00", "currency": "JPY"},
    }
    return rows[table]


PATHS = {"users": "/api/v1/users", "accounts": "/api/v1/accounts",
         "contacts": "/api/v1/contacts", "interaction_types": "/api/v1/interaction-types",
         "interactions": "/api/v1/interactions", "products": "/api/v1/products",
         "orders": "/api/v1/orders"}

# (table, field, bad value): None is JSON null and an empty CSV cell.
BAD = [
    ("contacts", "email", "Ann Smith"),             # a name in the email column
    ("contacts", "email", "ann.example.com"),
    ("users", "email", "ann@localhost"),
    ("accounts", "currency", "eur"),                # ISO 4217 is written in capitals
    ("orders", "currency", "EUX"),                  # no such code
    ("products", "currency", "EURO"),
    ("interaction_types", "touch", 1.5),
    ("interaction_types", "tech", -0.1),
    ("interaction_types", "level", 9),              # the catalogue has levels 1..8
    ("interaction_types", "phase", "won"),
    ("interactions", "direction", "sideways"),
    ("contacts", "buying_role", "boss"),
    ("contacts", "buying_role", "Influencer"),      # enumerations are lower case
    ("users", "role", "root"),
    ("contacts", "last_name", None),                # required
    ("contacts", "last_name", ""),
    ("products", "sku", None),
    ("interactions", "occurred_at", "2024-02-30"),  # no such day
    ("interactions", "occurred_at", "yesterday"),
    ("orders", "ordered_at", None),
    ("orders", "amount", "12,50"),                  # money
    ("accounts", "annual_revenue", "1.999"),
    ("interaction_types", "cost", "12.5 EUR"),
    ("products", "price", "-1.00"),                 # a price is never negative
    ("interactions", "type_id", 0),                 # ids are positive
    ("contacts", "last_name", "x" * 101),           # longer than the column
    # RV units and costs: what the RV engine holds (model/table.h), symmetric for voids
    ("interactions", "rv", 32768),
    ("interactions", "rv", -32768),
    ("interactions", "cost", "21474836.48"),
    ("interactions", "cost", "-21474836.48"),
    ("interaction_types", "rv", 32768),
    ("interaction_types", "rv", -32768),
    ("interaction_types", "cost", "21474836.48"),
    ("interaction_types", "cost", "-21474836.48"),
]


def csv_text(value):
    if value is None:
        return ""
    return str(value)


def import_csv(srv, table, row, tmp):
    """Runs kith import of a one-row CSV of table; returns (process, file name, header)."""
    name = f"{table}.csv"
    header = list(row)
    with open(os.path.join(tmp, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerow([csv_text(row[k]) for k in header])
    proc = subprocess.run([KITH, "import", "--db", srv.db, table, name], cwd=tmp,
                          capture_output=True, text=True, timeout=120)
    return proc, name, header


def count(srv, table):
    con = sqlite3.connect(f"file:{srv.db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("table,field,value", BAD,
                         ids=[f"{t}.{f}={v!r}"[:60] for t, f, v in BAD])
def test_both_doors_refuse_with_the_same_reason(srv, admin, refs, table, field, value):
    row = good_row(table, refs)
    row[field] = value
    before = count(srv, table)

    r = admin.post(PATHS[table], json=row)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field, error
    prefix = f"{field}: "
    assert error["message"].startswith(prefix), error
    why = error["message"][len(prefix):]

    with tempfile.TemporaryDirectory() as tmp:
        proc, name, header = import_csv(srv, table, row, tmp)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    want = f"{name}:2:{header.index(field) + 1}: {field}: {why}"
    assert want in lines, f"wanted {want!r} in:\n{proc.stderr}"
    assert f"{name}: 1 error; nothing was imported" in proc.stderr, proc.stderr
    assert count(srv, table) == before


@pytest.mark.parametrize("table", sorted(PATHS))
def test_both_doors_accept_a_good_row(srv, admin, refs, table):
    before = count(srv, table)
    r = admin.post(PATHS[table], json=good_row(table, refs))
    assert r.status_code == 201, r.text
    with tempfile.TemporaryDirectory() as tmp:
        proc, _, _ = import_csv(srv, table, good_row(table, refs), tmp)
    assert proc.returncode == 0, proc.stderr
    assert count(srv, table) == before + 2


def test_the_bounds_are_inclusive(srv, admin, refs):
    """touch and tech take 0 and 1 themselves, level 1 and 8, a price 0.00, in both doors."""
    for touch, tech, level in ((0, 1, 1), (1, 0, 8)):
        row = good_row("interaction_types", refs)
        row.update(touch=touch, tech=tech, level=level)
        assert admin.post(PATHS["interaction_types"], json=row).status_code == 201
        row = good_row("interaction_types", refs)
        row.update(touch=touch, tech=tech, level=level)
        with tempfile.TemporaryDirectory() as tmp:
            proc, _, _ = import_csv(srv, "interaction_types", row, tmp)
        assert proc.returncode == 0, proc.stderr
    row = good_row("products", refs)
    row["price"] = "0.00"
    assert admin.post(PATHS["products"], json=row).status_code == 201


@pytest.mark.parametrize("table,rv,cost", [
    ("interactions", 32767, "21474836.47"), ("interactions", -32767, "-21474836.47"),
    ("interaction_types", 32767, "21474836.47"), ("interaction_types", -32767, "-21474836.47")])
def test_rv_and_cost_take_their_bounds_in_both_doors(srv, admin, refs, table, rv, cost):
    """The ends of the ranges of model/table.h go in through both doors and come back as given
    (the RV engine holds them without clamping)."""
    row = good_row(table, refs)
    row.update(rv=rv, cost=cost)
    r = admin.post(PATHS[table], json=row)
    assert r.status_code == 201, r.text
    assert (r.json()["rv"], r.json()["cost"]) == (rv, cost)
    row = good_row(table, refs)
    row.update(rv=rv, cost=cost)
    with tempfile.TemporaryDirectory() as tmp:
        proc, _, _ = import_csv(srv, table, row, tmp)
    assert proc.returncode == 0, proc.stderr


def test_patch_is_checked_as_create(admin, refs):
    r = admin.post(PATHS["interaction_types"], json=good_row("interaction_types", refs))
    assert r.status_code == 201, r.text
    url = f"{PATHS['interaction_types']}/{r.json()['id']}"
    r = admin.patch(url, json={"touch": 1.5})
    assert r.status_code == 422 and r.json()["error"]["field"] == "touch", r.text
    assert r.json()["error"]["message"] == "touch: bad number '1.5': expected a number from 0 to 1"
    r = admin.patch(url, json={"name": None})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == "name: missing required value (text)"


# ----- voids ------------------------------------------------------------------------------------
# The rules of a void live in model/voids.h: the void route (POST /interactions/{id}/void) and
# `kith import interactions` both ask it, so a void one door refuses the other refuses for the
# same field (voids_id) and reason. The API names no voided row but the one in the path and gives
# the void that row's contact, so a self-void and a void of another contact's interaction can only
# be tried through the import: the API's void is of the same contact by construction.

def interaction(admin, refs, **kw):
    row = good_row("interactions", refs)
    row.update(kw)
    r = admin.post(PATHS["interactions"], json=row)
    assert r.status_code == 201, r.text
    return r.json()


def void(admin, iid):
    return admin.post(f"{PATHS['interactions']}/{iid}/void", json={})


def api_refuses(r, status, why):
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["field"] == "voids_id", error
    assert error["message"] == f"voids_id: {why}", error


VOID_HEADER = ["id", "contact_id", "type_id", "occurred_at", "voids_id"]


def import_voids(srv, refs, rows):
    """Imports interactions given as (id, voids_id[, contact_id][, occurred_at]) tuples."""
    with tempfile.TemporaryDirectory() as tmp:
        name = "interactions.csv"
        with open(os.path.join(tmp, name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(VOID_HEADER)
            for row in rows:
                iid, voids = row[0], row[1]
                contact = row[2] if len(row) > 2 else refs["contact"]
                at = row[3] if len(row) > 3 else "2024-05-01T12:00:00Z"
                w.writerow([csv_text(iid), contact, refs["type"], at, csv_text(voids)])
        return subprocess.run([KITH, "import", "--db", srv.db, "interactions", name], cwd=tmp,
                              capture_output=True, text=True, timeout=120)


def import_refuses(srv, refs, rows, errors):
    """The import of rows fails with exactly these (line, voids_id reason) errors, writing nothing."""
    before = count(srv, "interactions")
    proc = import_voids(srv, refs, rows)
    assert proc.returncode == 1, proc.stderr
    col = VOID_HEADER.index("voids_id") + 1
    for line, why in errors:
        want = f"interactions.csv:{line}:{col}: voids_id: {why}"
        assert want in proc.stderr.splitlines(), f"wanted {want!r} in:\n{proc.stderr}"
    n = len(errors)
    assert f"interactions.csv: {n} error{'s' if n > 1 else ''}; nothing was imported" \
        in proc.stderr, proc.stderr
    assert count(srv, "interactions") == before


_free_id = [10**9]


def free_id():
    """An interaction id no row has: the import's explicit ids."""
    _free_id[0] += 10
    return _free_id[0]


def test_void_of_a_void(srv, admin, refs):
    i = interaction(admin, refs)["id"]
    v = void(admin, i).json()["id"]
    why = f"interaction {v} voids another one and cannot itself be voided"
    api_refuses(void(admin, v), 409, why)
    import_refuses(srv, refs, [(None, v)], [(2, why)])


def test_void_of_a_voided_interaction(srv, admin, refs):
    i = interaction(admin, refs)["id"]
    v = void(admin, i).json()["id"]
    why = f"interaction {i} is already voided by {v}"
    api_refuses(void(admin, i), 409, why)
    import_refuses(srv, refs, [(None, i)], [(2, why)])
    # twice in one file: the first void goes in, the second is refused as by the API
    j = interaction(admin, refs)["id"]
    a, b = free_id(), free_id()
    import_refuses(srv, refs, [(a, j), (b, j)], [(3, f"interaction {j} is already voided by {a}")])
    # twice in one file, of a row later in the file
    c, d, e = free_id(), free_id(), free_id()
    import_refuses(srv, refs, [(c, e), (d, e), (e, None)],
                   [(3, f"interaction {e} is already voided by {c}")])


def test_void_of_an_interaction_that_is_not_there(srv, admin, refs):
    missing = 10**12
    why = f"no interaction with id {missing}"
    api_refuses(void(admin, missing), 404, why)
    import_refuses(srv, refs, [(None, missing)], [(2, why)])


def test_two_voiding_each_other(srv, admin, refs):
    # the API's order: a voids i, and a void (a) cannot be voided
    i = interaction(admin, refs)["id"]
    a = void(admin, i).json()["id"]
    api_refuses(void(admin, a), 409, f"interaction {a} voids another one and cannot itself be voided")
    # in a file: x voids y (later), y voids x; y finds x a void, so y is refused and x's is gone
    x, y = free_id(), free_id()
    import_refuses(srv, refs, [(x, y), (y, x)],
                   [(3, f"interaction {x} voids another one and cannot itself be voided"),
                    (2, f"no interaction with id {y}")])


def test_self_void(srv, admin, refs):
    # The API has no way to name the void itself: the voided row is the one in the path, which
    # exists before its void, and the body takes only notes and an outcome.
    i = interaction(admin, refs)["id"]
    r = admin.post(f"{PATHS['interactions']}/{i}/void", json={"voids_id": i})
    assert r.status_code == 422 and r.json()["error"]["field"] == "voids_id", r.text
    x = free_id()
    import_refuses(srv, refs, [(x, x)], [(2, f"interaction {x} cannot void itself")])


def test_void_of_another_contacts_interaction(srv, admin, refs):
    other = admin.post("/api/v1/contacts", json={"last_name": "Other", "unit_id": refs["unit"]})
    assert other.status_code == 201, other.text
    other = other.json()["id"]
    i = interaction(admin, refs)["id"]
    # the API's void is of the voided interaction's contact, and the body cannot change that
    r = void(admin, i)
    assert r.status_code == 201 and r.json()["contact_id"] == refs["contact"], r.text
    j = interaction(admin, refs)["id"]
    r = admin.post(f"{PATHS['interactions']}/{j}/void", json={"contact_id": other})
    assert r.status_code == 422 and r.json()["error"]["field"] == "contact_id", r.text
    why = (f"interaction {j} is of contact {refs['contact']}, not {other}: a void is of the"
           " contact of the interaction it voids")
    import_refuses(srv, refs, [(None, j, other)], [(2, why)])


def test_good_voids_through_both_doors(srv, admin, refs):
    before = count(srv, "interactions")
    # a void dated before the interaction it voids: the API's void is dated now, so voiding a
    # planned interaction makes one; neither door refuses it
    i = interaction(admin, refs, occurred_at="2100-01-01T00:00:00Z")["id"]
    r = void(admin, i)
    assert r.status_code == 201 and r.json()["voids_id"] == i, r.text
    j = interaction(admin, refs, occurred_at="2100-01-01T00:00:00Z")["id"]
    x, y, z, w = free_id(), free_id(), free_id(), free_id()
    proc = import_voids(srv, refs, [
        (None, j, refs["contact"], "2024-01-01"),  # an interaction already in, dated before
        (x, None),                                 # a new one ...
        (y, x),                                    # ... voided by a row after it, as in the API
        (z, w),                                    # a void of a row later in the file
        (w, None),
    ])
    assert proc.returncode == 0, proc.stderr
    assert count(srv, "interactions") == before + 3 + 5
    # the voids are voided and voiding now, for both doors
    why = f"interaction {x} is already voided by {y}"
    api_refuses(void(admin, x), 409, why)
    import_refuses(srv, refs, [(None, x)], [(2, why)])
