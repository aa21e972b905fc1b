"""Fixtures for the API tests: a real `kith serve` on a loopback port, over a fresh database.

The server is started on port 0; the port it bound is read from its first stderr line, so no
test waits on a timer. Users are created with the CLI (`kith user add`), as an administrator would.
"""
import json
import math
import os
import re
import signal
import subprocess
import tempfile
import threading

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KITH = os.environ.get("KITH_BIN", os.path.join(ROOT, "build", "kith"))
PASSWORD = "correct horse battery staple"


def json_close(a, b, rel_tol=1e-9, path="$"):
    """a and b are the same JSON, keys in the same order, floats within rel_tol (the API prints 15
    significant digits, the CLI's --json up to 17 or %g): how an API answer is compared with the
    CLI's for the same question. computed_at (of the value figures) differs between two runs and is
only checked to be there."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{path}: keys {list(a)} != {b}"
        for k in a:
            if k == "computed_at":  # when the figures were computed, not what they are
                assert isinstance(a[k], str) and isinstance(b[k], str), f"{path}.{k}"
                continue
            json_close(a[k], b[k], rel_tol, f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            json_close(x, y, rel_tol, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9), \
            f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def kith(db, *args, input=None, check=True):
    """Runs the kith CLI on db and returns the CompletedProcess (text mode)."""
    proc = subprocess.run([KITH, *args, "--db", db], input=input, capture_output=True,
                          text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"kith {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


class Server:
    """A running `kith serve`; .url is its base URL, .log the stderr lines read so far."""

    def __init__(self, db, extra_args=()):
        self.db = db
        self.log = []
        self.proc = subprocess.Popen([KITH, "serve", "--db", db, "--listen", "127.0.0.1:0",
                                      *extra_args], stderr=subprocess.PIPE, text=True)
        first = self.proc.stderr.readline()
        m = re.search(r"listening on (https?)://([\d.]+):(\d+)", first)
        if not m:
            self.proc.kill()
            raise AssertionError(f"kith serve did not start: {first}{self.proc.stderr.read()}")
        self.url = f"{m.group(1)}://{m.group(2)}:{m.group(3)}"
        self.log.append(first)
        self._lines_cv = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self._lines_cv:
                self.log.append(line)
                self._lines_cv.notify_all()

    def access_log(self):
        """The JSON access-log lines written so far."""
        with self._lines_cv:
            return [json.loads(l) for l in self.log if l.startswith("{")]

    def wait_for_log(self, predicate, timeout=10):
        """Blocks until a log line satisfies predicate (event-driven, bounded by timeout)."""
        with self._lines_cv:
            ok = self._lines_cv.wait_for(lambda: any(predicate(l) for l in self.log), timeout)
        return ok

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return self.proc.returncode


@pytest.fixture
def db_path():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "kith.db")
        kith(path, "init")
        yield path


def add_user(db, email, role, unit=None, team=None, password=PASSWORD):
    args = ["user", "add", email, "--name", email.split("@")[0], "--role", role,
            "--password-stdin"]
    if unit:
        args += ["--unit", unit]
    if team:
        args += ["--team", team]
    kith(db, *args, input=password + "\n")


@pytest.fixture
def server(db_path):
    add_user(db_path, "admin@example.com", "admin")
    srv = Server(db_path)
    yield srv
    srv.stop()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackSession(requests.Session):
    """A requests.Session that sends Secure cookies back over plain http to loopback addresses,
    as browsers do (they count http://127.0.0.1 and http://localhost as secure contexts). kith
    always marks its session cookie Secure (docs/internals/auth.md), and Python's cookie jar keeps
    Secure cookies to https; so once a response's cookies are in the jar, those of a loopback
    host lose the flag. The Set-Cookie header itself is untouched."""

    def send(self, request, **kwargs):
        r = super().send(request, **kwargs)
        for cookie in self.cookies:
            if cookie.domain in LOOPBACK:
                cookie.secure = False
        return r


def http_session():
    """A new LoopbackSession."""
    return LoopbackSession()


class Client:
    """A signed-in session: a requests.Session with the cookie and the CSRF header set."""

    def __init__(self, base, email, password=PASSWORD):
        self.base = base
        self.http = http_session()
        r = self.http.post(f"{base}/api/v1/session", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.me = r.json()
        self.http.headers["X-CSRF-Token"] = self.me["csrf_token"]

    def get(self, path, **kw):
        return self.http.get(self.base + path, **kw)

    def post(self, path, **kw):
        return self.http.post(self.base + path, **kw)

    def patch(self, path, **kw):
        return self.http.patch(self.base + path, **kw)

    def delete(self, path, **kw):
        return self.http.delete(self.base + path, **kw)


@pytest.fixture
def admin(server):
    return Client(server.url, "admin@example.com")
