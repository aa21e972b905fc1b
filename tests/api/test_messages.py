"""Outbound messages (docs/voice.md "Messages"): POST /api/v1/messages and kith voice send check
the contact's consent for the purpose and channel at send time, deliver through the pluggable
sender (here an HTTP webhook served by the test on 127.0.0.1, or the outbox) and record every
message sent as an interaction (out_sms, out_email) that enters the contact's RV pattern.
A refused message reaches nobody and leaves no interaction.
"""
import glob
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Client, Server, add_user, kith


class Receiver:
    """A webhook receiver: every POST body it got, and the status it answers."""

    def __init__(self):
        self.got, self.status = [], 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers["Content-Length"])
                outer.got.append({"path": self.path, "type": self.headers["Content-Type"],
                                  "json": json.loads(self.rfile.read(n))})
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks/kith" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hook():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def world(db_path, hook):
    add_user(db_path, "admin@example.com", "admin")
    srv = Server(db_path, ["--sender", "webhook:" + hook.url])
    admin = Client(srv.url, "admin@example.com")
    types = {}
    for code, channel in (("out_sms", "sms"), ("out_email", "email")):
        r = admin.post("/api/v1/interaction-types", json={
            "code": code, "name": code, "phase": "acquisition", "level": 1, "channel": channel,
            "touch": 0.05, "tech": 0.95, "rv": 0, "cost": "0.05"})
        assert r.status_code == 201, r.text
        types[code] = r.json()["id"]
    r = admin.post("/api/v1/contacts", json={"first_name": "Ann", "last_name": "Lee",
                                             "email": "ann@example.org", "phone": "+4912345"})
    assert r.status_code == 201, r.text
    yield srv, admin, r.json()["id"], types
    srv.stop()


def interactions(admin, cid):
    return admin.get("/api/v1/interactions", params={"contact_id": cid}).json()["items"]


def consent(admin, cid, purpose, channel, state):
    r = admin.post(f"/api/v1/contacts/{cid}/consents",
                   json={"purpose": purpose, "channel": channel, "state": state})
    assert r.status_code == 201, r.text


def send(admin, cid, channel="sms", purpose="marketing", body="Spring offer: 10% off"):
    return admin.post("/api/v1/messages", json={"contact_id": cid, "channel": channel,
                                                "purpose": purpose, "body": body})


def test_granted_is_delivered_and_recorded_withdrawn_is_refused(world, hook):
    srv, admin, cid, types = world
    # nothing recorded: marketing needs a grant
    r = send(admin, cid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_consent", r.text
    assert "marketing on sms" in r.json()["error"]["message"]
    assert hook.got == [] and interactions(admin, cid) == []

    consent(admin, cid, "marketing", "sms", "granted")
    r = send(admin, cid)
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["to"] == "+4912345" and sent["consent"] == "granted"
    assert [g["json"] for g in hook.got] == [{
        "kind": "message", "channel": "sms", "purpose": "marketing", "contact_id": cid,
        "to": "+4912345", "subject": "", "body": "Spring offer: 10% off"}]
    assert hook.got[0]["path"] == "/hooks/kith"
    assert hook.got[0]["type"] == "application/json"
    (it,) = interactions(admin, cid)
    assert it["id"] == sent["interaction_id"] and it["type_id"] == types["out_sms"]
    assert it["direction"] == "outbound" and it["channel"] == "sms" and it["source"] == "api"
    # the interaction is in the contact's RV pattern
    rv = admin.get(f"/api/v1/rv/contacts/{cid}").json()
    assert rv["interactions"] == 1, rv
    # email was never granted: refused, even though SMS is
    r = send(admin, cid, channel="email")
    assert r.status_code == 409 and len(hook.got) == 1

    # withdrawn on every channel: SMS refused again, nothing delivered, nothing recorded
    consent(admin, cid, "marketing", "any", "withdrawn")
    r = send(admin, cid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_consent"
    assert "withdrawn" in r.json()["error"]["message"]
    assert len(hook.got) == 1 and len(interactions(admin, cid)) == 1
    # a grant for surveys does not cover marketing
    consent(admin, cid, "surveys", "sms", "granted")
    assert send(admin, cid).status_code == 409
    r = send(admin, cid, purpose="surveys", body="Two questions about your visit?")
    assert r.status_code == 201 and hook.got[-1]["json"]["purpose"] == "surveys"
    audit = admin.get("/api/v1/audit", params={"table": "contacts", "record_id": cid}).json()
    acts = [a["action"] for a in audit["items"]]
    assert acts.count("message_send") == 2 and acts.count("message_refused") == 4


def test_the_customer_withdrawing_sms_in_the_portal_stops_sms(world, hook):
    """The customer's own withdrawal counts at the next send."""
    from test_portal import accept, sign_in, token_of
    srv, admin, cid, _ = world
    consent(admin, cid, "marketing", "any", "granted")
    assert send(admin, cid).status_code == 201
    hook.got.clear()
    # the invitation goes through the same sender: the webhook
    assert admin.post(f"/api/v1/contacts/{cid}/invitations").status_code == 201
    assert [g["json"]["kind"] for g in hook.got] == ["invitation"]
    r, _ = accept(srv.url, token_of(hook.got[0]["json"]))
    assert r.status_code == 200, r.text
    hook.got.clear()
    p = sign_in(srv.url, "ann@example.org")
    r = p.http.post(srv.url + "/portal/api/consents", json={"purpose": "marketing",
                                                            "channel": "sms",
                                                            "state": "withdrawn"})
    assert r.status_code == 201, r.text
    assert send(admin, cid).status_code == 409
    assert send(admin, cid, channel="email").status_code == 201  # email still granted
    assert [g["json"]["channel"] for g in hook.got] == ["email"]


def test_a_failed_delivery_records_nothing(world, hook):
    srv, admin, cid, _ = world
    consent(admin, cid, "marketing", "email", "granted")
    hook.status = 500
    r = send(admin, cid, channel="email")
    assert r.status_code == 502 and r.json()["error"]["code"] == "sender_failed", r.text
    assert "answered 500" in r.json()["error"]["message"]
    assert len(hook.got) == 1 and interactions(admin, cid) == []
    hook.status = 204
    assert send(admin, cid, channel="email").status_code == 201
    assert len(interactions(admin, cid)) == 1


def test_validation_and_scope(world, hook):
    srv, admin, cid, _ = world
    consent(admin, cid, "marketing", "any", "granted")
    for body, field in (({"channel": "fax"}, "channel"), ({"purpose": "analytics"}, "purpose"),
                        ({"body": ""}, "body"), ({"body": "x" * 1601}, "body"),
                        ({"subject": "Hi"}, "subject")):
        msg = {"contact_id": cid, "channel": "sms", "purpose": "marketing", "body": "hi", **body}
        r = admin.post("/api/v1/messages", json=msg)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    assert admin.post("/api/v1/messages", json={"contact_id": 999999, "channel": "sms",
                                                "purpose": "marketing",
                                                "body": "hi"}).status_code == 404
    r = admin.post("/api/v1/contacts", json={"last_name": "NoPhone", "email": "np@example.org"})
    other = r.json()["id"]
    consent(admin, other, "marketing", "any", "granted")
    r = send(admin, other)
    assert r.status_code == 422 and r.json()["error"]["field"] == "contact_id"
    add_user(srv.db, "ex@example.com", "executive")
    ex = Client(srv.url, "ex@example.com")
    assert send(ex, cid).status_code == 403  # executives do not write
    assert hook.got == []


def test_kith_voice_send_checks_consent_and_uses_the_outbox(world, hook, tmp_path):
    srv, admin, cid, types = world
    args = ["voice", "send", str(cid), "--channel", "sms", "--purpose", "marketing", "--body",
            "hello from the CLI"]
    p = kith(srv.db, *args, check=False)
    assert p.returncode == 1 and "consent does not allow marketing on sms" in p.stderr
    assert glob.glob(srv.db + ".outbox/*-message-*.txt") == []
    consent(admin, cid, "marketing", "sms", "granted")
    p = kith(srv.db, *args)
    assert "interaction" in p.stdout
    (path,) = glob.glob(srv.db + ".outbox/*-message-*.txt")
    text = open(path).read()
    assert "To: +4912345\n" in text and "X-Kith-Channel: sms\n" in text
    assert "X-Kith-Purpose: marketing\n" in text and text.endswith("hello from the CLI\n")
    (it,) = interactions(admin, cid)
    assert it["type_id"] == types["out_sms"] and it["direction"] == "outbound"
    # the webhook sender from the command line too
    p = kith(srv.db, *args, "--sender", "webhook:" + hook.url)
    assert [g["json"]["body"] for g in hook.got] == ["hello from the CLI"]
    p = kith(srv.db, *args, "--sender", "webhook:https://example.org/x", check=False)
    assert p.returncode == 2 and "plain http" in p.stderr


def test_a_restricted_contact_gets_no_message_until_the_restriction_is_lifted(world, hook):
    srv, admin, cid, types = world
    consent(admin, cid, "marketing", "sms", "granted")
    r = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "restriction"})
    assert r.status_code == 201, r.text
    d = r.json()["id"]
    r = send(admin, cid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "restricted", r.text
    assert hook.got == [] and interactions(admin, cid) == []
    assert admin.post(f"/api/v1/dsrs/{d}/complete", json={}).status_code == 200
    assert send(admin, cid).status_code == 409  # completed: in force until lifted
    assert admin.post(f"/api/v1/dsrs/{d}/lift", json={}).status_code == 200
    r = send(admin, cid)
    assert r.status_code == 201, r.text
    assert len(hook.got) == 1 and len(interactions(admin, cid)) == 1
