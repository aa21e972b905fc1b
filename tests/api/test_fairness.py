"""Fair under pressure (docs/api.md, "Limits"): one address's half-open connections, one user's
live streams, a slow client and oversized requests leave everyone else answered.

The server listens on 127.0.0.1; clients pick their source address (127.0.0.2, 127.0.0.3 ...)
by binding before they connect, so that each counts as another address."""
import resource
import select
import socket
import time

import pytest

from conftest import Server, add_user, kith



def port(server):
    return int(server.url.rsplit(":", 1)[1])


def connect(server, source="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port(server)))
    return s


def read_head(s, timeout=10):
    """Reads until the end of the response headers (or the connection's end); the bytes read."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def status_of(head):
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None


def timed_healthz(server, source):
    """Connects from source, asks GET /healthz, reads the whole answer: (status, seconds); status
    None when the server closed or reset the connection, or did not answer within 5 s."""
    t0 = time.monotonic()
    data = b""
    s = None
    try:
        s = connect(server, source)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: kith\r\nConnection: close\r\n\r\n")
        s.settimeout(5)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    elapsed = time.monotonic() - t0
    if s:
        s.close()
    return status_of(data), elapsed


@pytest.fixture
def token_db(db_path):
    add_user(db_path, "admin@example.com", "admin")
    token = kith(db_path, "user", "token", "admin@example.com", "--name", "t").stdout.strip()
    return db_path, token


@pytest.fixture
def many_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    if want < 1400:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below the 1,400 files this test holds")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_one_address_and_one_user_cannot_starve_the_others(token_db, many_files):
    db, token = token_db
    srv = Server(db)  # the defaults: 128 connections per address, 8 streams per user
    held = []
    try:
        # 1,000 half-open connections from 127.0.0.1: a partial request line each
        for _ in range(1000):
            s = connect(srv, "127.0.0.1")
            try:
                s.sendall(b"GET /heal")
            except OSError:
                pass  # already closed by the server: over the per-address limit
            held.append(s)
        # 300 live streams asked by one user (from 127.0.0.3): the first 8 open, the rest 429
        statuses = []
        for _ in range(300):
            s = connect(srv, "127.0.0.3")
            try:
                s.sendall(b"GET /api/v1/rv/stream HTTP/1.1\r\nHost: kith\r\n"
                          b"Authorization: Bearer " + token.encode() + b"\r\n\r\n")
                code = status_of(read_head(s, timeout=5))
            except OSError:
                code = None  # closed, reset or unanswered
            statuses.append(code)
            if code == 200:
                held.append(s)
            else:
                s.close()
        # meanwhile another address is answered at once
        for _ in range(5):
            status, seconds = timed_healthz(srv, "127.0.0.2")
            assert status == 200
            assert seconds < 0.100, f"GET /healthz took {seconds * 1000:.1f} ms"
        assert statuses.count(200) == 8
        assert statuses.count(429) == 292
    finally:
        for s in held:
            s.close()
        srv.stop()


def test_per_address_limit_closes_the_excess(token_db, monkeypatch):
    monkeypatch.setenv("KITH_CONNECTIONS_PER_ADDRESS", "4")
    srv = Server(token_db[0])
    held = [connect(srv, "127.0.0.4") for _ in range(4)]
    try:
        extra = connect(srv, "127.0.0.4")
        extra.settimeout(10)
        try:
            assert extra.recv(1) == b""  # closed by the server without a byte
        except ConnectionResetError:
            pass
        extra.close()
        assert timed_healthz(srv, "127.0.0.5")[0] == 200
    finally:
        for s in held:
            s.close()
        srv.stop()


def test_slow_headers_are_cut_off_at_the_deadline(token_db, monkeypatch):
    monkeypatch.setenv("KITH_HEADER_TIMEOUT_SECONDS", "1")
    srv = Server(token_db[0])
    try:
        s = connect(srv)
        t0 = time.monotonic()
        request = b"GET /healthz HTTP/1.1\r\nHost: kith\r\nX-Slow: " + b"a" * 1000
        closed_after = None
        for i in range(len(request)):  # one byte every 50 ms: never idle, never done
            try:
                s.sendall(request[i:i + 1])
            except OSError:
                closed_after = time.monotonic() - t0
                break
            readable, _, _ = select.select([s], [], [], 0.05)
            if readable:
                try:
                    gone = s.recv(1) == b""
                except ConnectionResetError:
                    gone = True
                if gone:
                    closed_after = time.monotonic() - t0
                    break
        s.close()
        assert closed_after is not None, "the slow client was never cut off"
        assert 0.9 <= closed_after < 3.0
        # a connection that sends its headers in time is answered, and keeps being answered
        # after the deadline between its requests' headers has passed once
        assert timed_healthz(srv, "127.0.0.2")[0] == 200
    finally:
        srv.stop()


def raw_status(srv, request):
    s = connect(srv, "127.0.0.6")
    s.sendall(request)
    head = read_head(s)
    s.close()
    return status_of(head), head


def test_oversized_requests_are_answered(token_db):
    srv = Server(token_db[0])
    try:
        many = "&".join(f"p{i}=1" for i in range(1000))
        code, head = raw_status(srv, f"GET /api/v1/contacts?{many} HTTP/1.1\r\nHost: k\r\n\r\n"
                                .encode())
        assert code == 414
        long_target = "/api/v1/contacts?q=" + "a" * 9000
        assert raw_status(srv, f"GET {long_target} HTTP/1.1\r\nHost: k\r\n\r\n".encode())[0] \
            == 414
        huge_target = "/" + "a" * 70000
        assert raw_status(srv, f"GET {huge_target} HTTP/1.1\r\nHost: k\r\n\r\n".encode())[0] \
            == 414
        huge_header = b"GET /healthz HTTP/1.1\r\nHost: k\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n"
        assert raw_status(srv, huge_header)[0] == 431
        many_headers = (b"GET /healthz HTTP/1.1\r\nHost: k\r\n"
                        + b"".join(b"X-H%d: v\r\n" % i for i in range(3000)) + b"\r\n")
        assert raw_status(srv, many_headers)[0] == 431
        # 100 parameters are still read (and this one, unknown, named in a 400)
        fine = "&".join(f"p{i}=1" for i in range(100))
        code, head = raw_status(srv, f"GET /api/v1/contacts?{fine} HTTP/1.1\r\nHost: k\r\n"
                                f"Authorization: Bearer {token_db[1]}\r\n\r\n".encode())
        assert code == 400
    finally:
        srv.stop()
