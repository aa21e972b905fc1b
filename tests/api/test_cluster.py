"""Two `kith serve` processes on one database behind Debian's haproxy, with the configuration of
docs/deploy/haproxy.cfg (its addresses replaced by free loopback ports): sessions are valid on
both, a write through one server reaches the other's RV snapshot within a second without a
reload, and an RV exception caused through one reaches a live stream held on the other
(docs/internals/rv.md, "Writes from other processes"; docs/deploy/scale.md)."""
import datetime
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import Client, Server, add_user, kith
from test_credentials import Stream, make_an_exception

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "..", "docs", "deploy", "haproxy.cfg")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
BOUND_S = 1.0  # a write through one server reaches the other's snapshot within this


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(deadline, predicate, step=0.02):
    """Polls predicate until it holds (returns the seconds it took) or the deadline passes."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)  # polling a condition with a deadline, not waiting for an event
    return None


class Haproxy:
    """haproxy in the foreground on the documented configuration, in front of urls."""

    def __init__(self, directory, urls):
        with open(CONFIG) as f:
            cfg = f.read()
        self.port = free_port()
        cfg = cfg.replace("bind 127.0.0.1:8080", f"bind 127.0.0.1:{self.port}")
        for i, url in enumerate(urls, 1):
            host_port = url.split("://", 1)[1]
            cfg, n = re.subn(rf"server kith{i} 127\.0\.0\.1:808{i}", f"server kith{i} {host_port}",
                             cfg)
            assert n == 1, f"docs/deploy/haproxy.cfg has no 'server kith{i}' line"
        path = os.path.join(directory, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        up = wait_until(deadline, self._both_up)
        if up is None:
            self.stop()
            raise AssertionError(f"haproxy did not come up: {self.proc.stderr.read()}")

    def _both_up(self):
        if self.proc.poll() is not None:
            return True  # exited: reported by the caller's check below
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster():
    if not os.path.exists(HAPROXY):
        pytest.fail("haproxy is not installed: run scripts/install-deps")
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "200", "--seed", "5")
        add_user(db, "admin@example.com", "admin")
        # 127.0.0.2 stands for a load balancer of its own address (haproxy here connects from
        # 127.0.0.1, as the tests' clients do, so that its header is not believed)
        a = Server(db, ["--trusted-proxy", "127.0.0.2"])
        b = Server(db, ["--trusted-proxy", "127.0.0.2"])
        lb = None
        try:
            lb = Haproxy(d, [a.url, b.url])
            assert lb.proc.poll() is None, lb.proc.stderr.read()
            yield {"a": a, "b": b, "lb": lb, "db": db,
                   "admin_a": Client(a.url, "admin@example.com"),
                   "admin_b": Client(b.url, "admin@example.com")}
        finally:
            if lb:
                lb.stop()
            a.stop()
            b.stop()


def reloads(server):
    return sum("RV snapshot reloaded" in line for line in server.log)


def contact_rv(client, cid):
    r = client.get(f"/api/v1/rv/contacts/{cid}")
    assert r.status_code == 200, r.text
    return r.json()["rv"]


def test_a_write_through_one_server_reaches_the_other_within_a_second(cluster):
    a, b = cluster["admin_a"], cluster["admin_b"]
    cid = a.get("/api/v1/contacts?limit=1").json()["items"][0]["id"]
    before_b, reloads_b = contact_rv(b, cid), reloads(cluster["b"])
    assert contact_rv(a, cid) == before_b
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    r = a.post("/api/v1/interactions",
               json={"contact_id": cid, "type_id": 1, "rv": 37, "occurred_at": now})
    assert r.status_code == 201, r.text
    written = time.monotonic()
    assert contact_rv(a, cid) == before_b + 37  # the writer's own snapshot: at once
    took = wait_until(written + BOUND_S, lambda: contact_rv(b, cid) == before_b + 37)
    assert took is not None, f"server B still has {contact_rv(b, cid)}, want {before_b + 37}"
    # caught up with, not reloaded
    assert reloads(cluster["b"]) == reloads_b


def test_an_exception_caused_through_one_server_reaches_a_stream_on_the_other(cluster):
    stream = Stream({"srv": cluster["b"]}, client=cluster["admin_b"])
    try:
        make_an_exception({"admin": cluster["admin_a"]})
        line = stream.read_until("event: exception", within=5)
        assert line == "event: exception"
        data = stream.read_until("data: ", within=5)
        assert '"contact_id"' in data
    finally:
        stream.r.close()


def test_behind_haproxy_one_sign_in_serves_both_and_the_answers_agree(cluster):
    lb = cluster["lb"]
    client = Client(lb.url, "admin@example.com")
    served_before = [len(cluster[s].access_log()) for s in ("a", "b")]
    cid = client.get("/api/v1/contacts?limit=1").json()["items"][0]["id"]
    answers = []
    for _ in range(8):  # round robin: every other request goes to the other server
        r = client.get(f"/api/v1/rv/contacts/{cid}")
        assert r.status_code == 200, r.text
        answers.append(r.json()["rv"])
    served = [len(cluster[s].access_log()) - n for s, n in zip(("a", "b"), served_before)]
    assert all(n >= 4 for n in served), f"requests per server: {served}"
    assert len(set(answers)) == 1, answers

    # a write through haproxy, then every answer through it agrees within the bound
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    r = client.post("/api/v1/interactions",
                    json={"contact_id": cid, "type_id": 1, "rv": 11, "occurred_at": now})
    assert r.status_code == 201, r.text
    want = answers[0] + 11
    took = wait_until(time.monotonic() + BOUND_S,
                      lambda: all(client.get(f"/api/v1/rv/contacts/{cid}").json()["rv"] == want
                                  for _ in range(2)))
    assert took is not None, "the two servers behind haproxy disagree after a second"

    # signing out through one server ends the session on both
    assert client.delete("/api/v1/session").status_code in (200, 204)
    for _ in range(4):
        assert client.get("/api/v1/session").status_code == 401


def failed_sign_in(url, source, forwarded):
    """A sign-in with a wrong password to url from the local address source, with an
    X-Forwarded-For header; returns the detail (email) it was made with."""
    host, port = url.split("://", 1)[1].split(":")
    email = f"nobody-{source}-{forwarded}@example.com".replace(":", "_")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/session",
                     body=json.dumps({"email": email, "password": "wrong password"}),
                     headers={"Content-Type": "application/json",
                              "X-Forwarded-For": forwarded})
        assert conn.getresponse().status == 401
    finally:
        conn.close()
    return email


def audited_address(admin, email):
    r = admin.get("/api/v1/audit", params={"limit": 200})
    assert r.status_code == 200, r.text
    found = [e["client_addr"] for e in r.json()["items"]
             if e["action"] == "sign_in_failed" and e["detail"] == email]
    assert len(found) == 1, found
    return found[0]


def test_the_client_address_comes_from_a_trusted_proxy_only(cluster):
    a = cluster["a"]
    admin = Client(a.url, "admin@example.com")  # a sign-out above ended the others
    # from the trusted proxy: the address it forwards, the nearest entry first
    email = failed_sign_in(a.url, "127.0.0.2", "198.51.100.7, 203.0.113.9")
    assert audited_address(admin, email) == "203.0.113.9"
    # from anyone else: their own address, whatever they claim
    email = failed_sign_in(a.url, "127.0.0.1", "203.0.113.10")
    assert audited_address(admin, email) == "127.0.0.1"
    # a forwarded entry that is no address: the proxy's own
    email = failed_sign_in(a.url, "127.0.0.2", "unknown")
    assert audited_address(admin, email) == "127.0.0.2"
