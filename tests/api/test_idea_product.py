"""An idea may name the product it is about (docs/voice.md "Ideas", migration 16): written and
changed through the API, checked as a reference (a product that does not exist is refused naming
product_id), and filtered on (`GET /api/v1/ideas?product_id=`), which the ideas board uses.
"""
import random

from conftest import Client, add_user


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def test_ideas_name_their_product_and_filter_by_it(server, admin):
    rng = random.Random(16)
    products = [created(admin.post("/api/v1/products", json={"sku": f"P-{i}", "name": f"Pump {i}"}))
                for i in range(3)]
    contact = created(admin.post("/api/v1/contacts", json={"last_name": "Idea"}))
    ideas = []
    for i in range(12):
        p = rng.choice(products + [None])
        body = {"contact_id": contact["id"], "title": f"idea {i}"}
        if p:
            body["product_id"] = p["id"]
        idea = created(admin.post("/api/v1/ideas", json=body))
        assert idea["product_id"] == (p["id"] if p else None)
        ideas.append(idea)
    # move one idea to another product, another to none
    ideas[0] = ok(admin.patch(f"/api/v1/ideas/{ideas[0]['id']}", json={"product_id": products[2]["id"]}))
    ideas[1] = ok(admin.patch(f"/api/v1/ideas/{ideas[1]['id']}", json={"product_id": None}))
    assert ideas[1]["product_id"] is None
    for p in products:
        want = sorted(i["id"] for i in ideas if i["product_id"] == p["id"])
        got = ok(admin.get("/api/v1/ideas", params={"product_id": p["id"], "limit": 500}))["items"]
        assert sorted(i["id"] for i in got) == want
        assert all(i["product_id"] == p["id"] for i in got)
    # a product that is not there
    missing = max(p["id"] for p in products) + 100
    r = admin.post("/api/v1/ideas", json={"contact_id": contact["id"], "title": "x", "product_id": missing})
    assert r.status_code in (404, 422), r.text
    assert r.json()["error"]["field"] == "product_id"
    # a partner may set the product of its contacts' ideas (not their status)
    unit = created(admin.post("/api/v1/units", json={"name": "Dealer", "kind": "partner"}))
    add_user(server.db, "pat@example.com", "partner", unit="Dealer")
    pat = Client(server.url, "pat@example.com")
    mine = created(pat.post("/api/v1/contacts", json={"last_name": "Mine", "unit_id": unit["id"]}))
    idea = created(pat.post("/api/v1/ideas", json={"contact_id": mine["id"], "title": "y",
                                                     "product_id": products[0]["id"]}))
    assert ok(pat.patch(f"/api/v1/ideas/{idea['id']}", json={"product_id": products[1]["id"]}))["product_id"] \
        == products[1]["id"]
    assert pat.patch(f"/api/v1/ideas/{idea['id']}", json={"status": "planned"}).status_code == 403
