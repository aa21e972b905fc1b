"""Atom feeds that keep customers in touch (issue 15, item 8; docs/voice.md "Feeds"): every feed
is parsed with xml.etree and checked against the elements RFC 4287 requires; text with < & " '
round-trips; a feed lists only what its reader may see (a partner its own contacts' ideas and
ratings; a contact the community, and the posts to its own segments); a contact's secret URL
works without signing in and is 404 once revoked (or its portal access is); a staff API token
works; entries are capped at 50, newest first; an ETag gives 304; `kith voice feeds` prints the
same documents as the API.
"""
import hashlib
import json
import os
import re
import sqlite3
import tempfile
from datetime import datetime, timezone
import xml.etree.ElementTree as ET

import pytest

from conftest import Client, Server, add_user, http_session, kith

A = "{http://www.w3.org/2005/Atom}"
TRICKY = "Tom & Jerry's <b>\"best\"</b> ]]> idea"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def created(r):
    assert r.status_code == 201, r.text
    return r.json()


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "200", "--seed", "7")
        con = sqlite3.connect(db)
        punit = con.execute("SELECT id, name FROM units WHERE kind = 'distributor'"
                            " ORDER BY id LIMIT 1").fetchone()
        cp = con.execute("SELECT id FROM contacts WHERE unit_id = ? ORDER BY id LIMIT 1",
                         (punit[0],)).fetchone()[0]
        co = con.execute("SELECT c.id FROM contacts c JOIN units u ON u.id = c.unit_id"
                         " WHERE u.kind = 'business_unit' ORDER BY c.id LIMIT 1").fetchone()[0]
        # a contact of a dealer, a unit that keeps its detail private (docs/internals/access.md)
        cd = con.execute("SELECT c.id FROM contacts c JOIN units u ON u.id = c.unit_id"
                         " WHERE u.kind = 'dealer' AND NOT u.shares_detail ORDER BY c.id LIMIT 1"
                         ).fetchone()[0]
        other_unit = con.execute("SELECT unit_id FROM contacts WHERE id = ?", (co,)).fetchone()[0]
        products = [r[0] for r in con.execute("SELECT id FROM products ORDER BY id LIMIT 3")]
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "manager@example.com", "manager")
        add_user(db, "partner@example.com", "partner", unit=punit[1])
        srv = Server(db)
        try:
            w = {"db": db, "srv": srv, "punit": punit[0], "other_unit": other_unit, "cp": cp,
                 "co": co, "cd": cd, "products": products}
            for role in ("admin", "manager", "partner"):
                w[role] = Client(srv.url, f"{role}@example.com")
            build(w)
            yield w
        finally:
            srv.stop()


def build(w):
    a = w["admin"]
    p1, p2, _ = w["products"]
    w["rating_in"] = created(a.post("/api/v1/ratings", json={
        "contact_id": w["cp"], "product_id": p1, "stars": 4, "review": TRICKY}))["id"]
    w["rating_out"] = created(a.post("/api/v1/ratings", json={
        "contact_id": w["co"], "product_id": p1, "stars": 2, "review": "not for partners"}))["id"]
    w["idea_in"] = created(a.post("/api/v1/ideas", json={
        "contact_id": w["cp"], "title": TRICKY, "body": "body & <more>"}))["id"]
    w["idea_out"] = created(a.post("/api/v1/ideas", json={
        "contact_id": w["co"], "title": "An idea of another unit"}))["id"]
    w["idea_staff"] = created(a.post("/api/v1/ideas", json={"title": "Staff's own idea"}))["id"]
    w["idea_private"] = created(a.post("/api/v1/ideas", json={
        "contact_id": w["cd"], "title": "An idea of a dealer's customer"}))["id"]
    for status in ("planned", "done"):
        r = a.patch(f"/api/v1/ideas/{w['idea_in']}", json={"status": status})
        assert r.status_code == 200, r.text
    w["post_community"] = created(a.post("/api/v1/feed-posts", json={
        "title": "Open house <Friday> & 'drinks'", "body": "All \"welcome\"",
        "audience": "community"}))["id"]
    w["post_product"] = created(w["manager"].post("/api/v1/feed-posts", json={
        "title": "New firmware", "audience": "product", "product_id": p1}))["id"]
    w["post_seg_in"] = created(a.post("/api/v1/feed-posts", json={
        "title": "For the distributor's customers", "audience": "segment",
        "segment": f"unit_id={w['punit']}"}))["id"]
    w["post_seg_out"] = created(a.post("/api/v1/feed-posts", json={
        "title": "For another unit's customers", "audience": "segment",
        "segment": f"unit_id={w['other_unit']}"}))["id"]
    w["post_future"] = created(a.post("/api/v1/feed-posts", json={
        "title": "Not yet", "audience": "community", "published_at": "2099-01-01T00:00:00Z"}))["id"]


def atom(r):
    """The parsed feed, after checking the answer and RFC 4287's required elements."""
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    assert r.headers.get("ETag")
    root = ET.fromstring(r.content)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, name
        assert root.find(A + name).text
    assert RFC3339.match(root.find(A + "updated").text)
    feed_author = root.find(A + "author")
    entries = root.findall(A + "entry")
    assert len(entries) <= 50
    for e in entries:
        for name in ("id", "title", "updated"):
            assert len(e.findall(A + name)) == 1, name
            assert e.find(A + name).text
        assert RFC3339.match(e.find(A + "updated").text)
        assert feed_author is not None or e.find(A + "author") is not None
        if feed_author is not None:
            assert feed_author.find(A + "name").text
        alternate = [l for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
        assert alternate or e.find(A + "content") is not None
    # newest first
    times = [e.find(A + "updated").text for e in entries]
    assert times == sorted(times, key=parse_time, reverse=True)
    return root


def parse_time(t):
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def ids(root):
    return {e.find(A + "id").text for e in root.findall(A + "entry")}


def entry(root, eid):
    return next(e for e in root.findall(A + "entry") if e.find(A + "id").text == eid)


# ---- staff -----------------------------------------------------------------------------------------

def test_staff_feeds_are_atom_and_escape_round_trips(world):
    a = world["admin"]
    p1 = world["products"][0]
    com = atom(a.get("/api/v1/feeds/community"))
    want = {f"urn:kith:idea:{world['idea_in']}", f"urn:kith:idea:{world['idea_out']}",
            f"urn:kith:idea:{world['idea_staff']}", f"urn:kith:post:{world['post_community']}"}
    assert want <= ids(com)
    assert f"urn:kith:post:{world['post_future']}" not in ids(com)  # not published yet
    # the text of the title and the body come back exactly, whatever XML means by them
    idea = entry(com, f"urn:kith:idea:{world['idea_in']}")
    assert idea.find(A + "title").text == "New idea: " + TRICKY
    assert idea.find(A + "content").text.startswith("body & <more>")
    post = entry(com, f"urn:kith:post:{world['post_community']}")
    assert post.find(A + "title").text == "Open house <Friday> & 'drinks'"
    assert post.find(A + "content").text == "All \"welcome\""
    assert post.find(A + "author/" + A + "name").text == "admin"
    # every status change of an idea is an entry of its own
    changes = [e for e in com.findall(A + "entry")
               if e.find(A + "id").text.startswith(f"urn:kith:idea:{world['idea_in']}:status:")]
    assert [c.find(A + "content").text for c in changes] == [
        "Status: done (was planned)", "Status: planned (was new)"]
    prod = atom(a.get(f"/api/v1/feeds/products/{p1}"))
    assert {f"urn:kith:rating:{world['rating_in']}", f"urn:kith:rating:{world['rating_out']}",
            f"urn:kith:post:{world['post_product']}"} == ids(prod)
    rating = entry(prod, f"urn:kith:rating:{world['rating_in']}")
    assert rating.find(A + "content").text.startswith(TRICKY)
    assert "4 of 5 stars" in rating.find(A + "title").text
    # the reviewer is not named
    assert rating.find(A + "author/" + A + "name").text in ("a customer", "a verified buyer")
    seg = atom(a.get("/api/v1/feeds/segments"))
    assert ids(seg) == {f"urn:kith:post:{world['post_seg_in']}",
                        f"urn:kith:post:{world['post_seg_out']}"}
    assert a.get("/api/v1/feeds/products/999999").status_code == 404
    listing = a.get("/api/v1/feeds").json()["feeds"]
    paths = {f["path"] for f in listing}
    assert {"/api/v1/feeds/community", "/api/v1/feeds/segments",
            f"/api/v1/feeds/products/{p1}"} <= paths


def test_a_partner_reads_only_its_contacts(world):
    p1 = world["products"][0]
    com = atom(world["partner"].get("/api/v1/feeds/community"))
    assert f"urn:kith:idea:{world['idea_in']}" in ids(com)
    assert f"urn:kith:idea:{world['idea_out']}" not in ids(com)
    assert f"urn:kith:idea:{world['idea_staff']}" not in ids(com)
    prod = atom(world["partner"].get(f"/api/v1/feeds/products/{p1}"))
    assert f"urn:kith:rating:{world['rating_in']}" in ids(prod)
    assert f"urn:kith:rating:{world['rating_out']}" not in ids(prod)
    # the posts to segments that reach one of its contacts, not another unit's
    seg = atom(world["partner"].get("/api/v1/feeds/segments"))
    assert ids(seg) == {f"urn:kith:post:{world['post_seg_in']}"}


def test_etag_gives_304(world):
    a = world["admin"]
    r = a.get("/api/v1/feeds/community")
    again = a.get("/api/v1/feeds/community", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    other = a.get("/api/v1/feeds/community", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    # Last-Modified is the newest entry's time; If-Modified-Since it (or later) is 304, before 200
    newest = parse_time(atom(r).find(A + "updated").text)
    lm = r.headers["Last-Modified"]
    assert lm == newest.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert a.get("/api/v1/feeds/community",
                 headers={"If-Modified-Since": lm}).status_code == 304
    earlier = (newest.timestamp() - 1)
    stamp = datetime.fromtimestamp(earlier, timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert a.get("/api/v1/feeds/community",
                 headers={"If-Modified-Since": stamp}).status_code == 200


def test_a_staff_api_token_works(world):
    tok = created(world["admin"].post("/api/v1/tokens", json={"name": "feed reader"}))
    secret = tok.get("token") or tok.get("secret")
    http = http_session()
    r = http.get(world["srv"].url + "/api/v1/feeds/community",
                 headers={"Authorization": f"Bearer {secret}"})
    atom(r)
    assert http.get(world["srv"].url + "/api/v1/feeds/community").status_code == 401


def test_the_cli_prints_the_same(world):
    out = kith(world["db"], "voice", "feeds", "community").stdout
    assert out.encode() == world["admin"].get("/api/v1/feeds/community").content
    p1 = world["products"][0]
    out = kith(world["db"], "voice", "feeds", "product", str(p1)).stdout
    assert out.encode() == world["admin"].get(f"/api/v1/feeds/products/{p1}").content
    listing = json.loads(kith(world["db"], "voice", "feeds", "--json").stdout)
    assert listing == world["admin"].get("/api/v1/feeds").json()


# ---- a contact's secret URL ---------------------------------------------------------------------------

def test_secret_url_for_a_contact_and_revocation(world):
    a = world["admin"]
    cp, p1 = world["cp"], world["products"][0]
    # no portal access yet: no feed URL
    assert a.post(f"/api/v1/contacts/{cp}/feed-token").status_code == 409
    assert a.post(f"/api/v1/contacts/{cp}/invitations").status_code == 201
    tok = created(a.post(f"/api/v1/contacts/{cp}/feed-token"))
    token = tok["token"]
    con = sqlite3.connect(world["db"])
    stored = [r[0] for r in con.execute("SELECT token_hash FROM feed_tokens WHERE contact_id = ?",
                                        (cp,))]
    con.close()
    assert token not in stored  # only a hash is kept
    assert hashlib.blake2b(token.encode(), digest_size=32).hexdigest() in stored
    http = http_session()  # a feed reader: no cookie, no header
    base = world["srv"].url + tok["url"]
    listing = http.get(base).json()["feeds"]
    assert {f["path"] for f in listing} >= {tok["url"] + "/community", tok["url"] + "/segments"}
    com = atom(http.get(base + "/community"))
    # the community: the ideas of every contact (authors not named) but those of units that keep
    # their detail private (the reader's own excepted), and the posts to the community
    assert {f"urn:kith:idea:{world['idea_in']}", f"urn:kith:idea:{world['idea_out']}",
            f"urn:kith:post:{world['post_community']}"} <= ids(com)
    assert f"urn:kith:idea:{world['idea_private']}" not in ids(com)
    assert f"urn:kith:idea:{world['idea_staff']}" not in ids(com)
    assert f"urn:kith:idea:{world['idea_private']}" in ids(atom(a.get("/api/v1/feeds/community")))
    for e in com.findall(A + "entry"):
        assert e.find(A + "author/" + A + "name").text in ("a customer", "staff", "admin")
    atom(http.get(base + f"/products/{p1}"))
    # its segments: the post to its unit's contacts, not the other unit's
    seg = atom(http.get(base + "/segments"))
    assert ids(seg) == {f"urn:kith:post:{world['post_seg_in']}"}
    r = http.get(base + "/segments")
    assert http.get(base + "/segments",
                    headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    # revoked: gone
    assert a.delete(f"/api/v1/contacts/{cp}/feed-token").status_code == 204
    for path in ("", "/community", "/segments", f"/products/{p1}"):
        assert http.get(base + path).status_code == 404, path
    assert a.delete(f"/api/v1/contacts/{cp}/feed-token").status_code == 404
    # a new URL works; the one before stays dead
    new = created(a.post(f"/api/v1/contacts/{cp}/feed-token"))
    assert new["token"] != token
    atom(http.get(world["srv"].url + new["url"] + "/community"))
    again = created(a.post(f"/api/v1/contacts/{cp}/feed-token"))
    assert http.get(world["srv"].url + new["url"] + "/community").status_code == 404
    # revoking the contact's portal access ends its feeds too
    assert a.delete(f"/api/v1/contacts/{cp}/portal-access").status_code == 204
    assert http.get(world["srv"].url + again["url"] + "/community").status_code == 404
    assert http.get(world["srv"].url + "/feeds/kf_nonsense/community").status_code == 404
    audit = a.get("/api/v1/audit?table=feed_tokens").json()["items"]
    assert [x["action"] for x in audit[:2]] == ["create", "create"]
    assert "revoke" in [x["action"] for x in audit]


def test_a_partner_gives_urls_only_to_its_contacts(world):
    r = world["partner"].post(f"/api/v1/contacts/{world['co']}/feed-token")
    assert r.status_code == 404, r.text


# ---- posts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"audience": "community"}, "title"),
    ({"title": "x", "audience": "world"}, "audience"),
    ({"title": "x", "audience": "product"}, "product_id"),
    ({"title": "x", "audience": "community", "product_id": 1}, "product_id"),
    ({"title": "x", "audience": "product", "product_id": 999999}, "product_id"),
    ({"title": "x", "audience": "segment"}, "segment"),
    ({"title": "x", "audience": "segment", "segment": "shoe_size=9"}, "segment"),
    ({"title": "x" * 201, "audience": "community"}, "title"),
    ({"title": "x", "audience": "community", "published_at": "soon"}, "published_at"),
    ({"title": "x", "audience": "community", "colour": "red"}, "colour"),
])
def test_bad_posts_are_422(world, body, field):
    r = world["admin"].post("/api/v1/feed-posts", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field, r.text


def test_only_admins_and_managers_post(world):
    r = world["partner"].post("/api/v1/feed-posts", json={"title": "x", "audience": "community"})
    assert r.status_code == 403


def test_at_most_50_entries_newest_first(world):
    a = world["admin"]
    p3 = world["products"][2]
    made = []
    for i in range(60):
        at = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp() + i * 3600
        made.append(created(a.post("/api/v1/feed-posts", json={
            "title": f"Note {i}", "audience": "product", "product_id": p3,
            "published_at": iso(datetime.fromtimestamp(at, timezone.utc))}))["id"])
    feed = atom(a.get(f"/api/v1/feeds/products/{p3}"))
    got = [e.find(A + "id").text for e in feed.findall(A + "entry")]
    assert got == [f"urn:kith:post:{i}" for i in reversed(made)][:50]
    assert feed.find(A + "updated").text == feed.find(A + "entry/" + A + "updated").text


def test_a_contact_makes_and_revokes_its_own_url_in_the_portal(world):
    """Signed in to the portal, the contact makes its own secret URL and revokes it."""
    import glob
    a = world["admin"]
    cid = world["co"]
    con = sqlite3.connect(world["db"])
    email = con.execute("SELECT email FROM contacts WHERE id = ?", (cid,)).fetchone()[0]
    con.close()
    assert email
    assert a.post(f"/api/v1/contacts/{cid}/invitations").status_code == 201
    msgs = sorted(glob.glob(world["db"] + ".outbox/*.txt"))
    body = open(msgs[-1]).read()
    token = re.search(r"/portal/accept#token=([A-Za-z0-9_-]+)", body).group(1)
    http = http_session()
    r = http.post(world["srv"].url + "/portal/api/invitations/accept",
                  json={"token": token, "password": "a long portal passphrase"})
    assert r.status_code == 200, r.text
    # without the portal's CSRF token a change is refused
    assert http.post(world["srv"].url + "/portal/api/feed-token").status_code == 403
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    mine = created(http.post(world["srv"].url + "/portal/api/feed-token"))
    assert mine["contact_id"] == cid
    reader = http_session()
    seg = atom(reader.get(world["srv"].url + mine["url"] + "/segments"))
    assert ids(seg) == {f"urn:kith:post:{world['post_seg_out']}"}  # its own unit's segment
    assert http.delete(world["srv"].url + "/portal/api/feed-token").status_code == 204
    assert reader.get(world["srv"].url + mine["url"] + "/segments").status_code == 404
    assert http.delete(world["srv"].url + "/portal/api/feed-token").status_code == 404
    # staff routes stay closed to the portal session
    assert http.get(world["srv"].url + "/api/v1/feeds/community").status_code == 401
