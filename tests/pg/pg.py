"""A throwaway PostgreSQL for the tests (issue 17): Debian's `postgresql` binaries started in a
temporary directory on a free loopback port, as an unprivileged user when the tests run as root,
and stopped (pg_ctl stop -m fast) and removed after.

    from pg import PgServer, pg_skip_reason
    with PgServer() as pg:
        url = pg.create_database("t1")          # postgresql://kith@127.0.0.1:PORT/t1
        rows = pg.query("t1", "SELECT 1")       # [['1']] through psql -At

As a pytest fixture: `pg_server` (one server per test module) below; tests fail with a clear
message when /usr/lib/postgresql/*/bin/initdb is missing (install-deps installs it). Durability is the production
setting: fsync=on, synchronous_commit=on (docs/storage.md).
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

SUPERUSER = "kith"  # the role initdb makes; trust authentication on loopback and the socket only


def pg_bindir():
    """The newest /usr/lib/postgresql/N/bin holding initdb, or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        return None
    found.sort(key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1])


def pg_skip_reason():
    """Why PostgreSQL tests cannot run here, or None when they can."""
    if pg_bindir() is None:
        return ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                "scripts/install-deps installs Debian's postgresql")
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary directory; start() / stop() or a `with` block."""

    def __init__(self):
        self.bindir = pg_bindir()
        if self.bindir is None:
            raise RuntimeError(pg_skip_reason())
        self.dir = None
        self.port = None
        self.user = None  # the unprivileged account the server runs as when we are root

    def _as_owner(self, argv):
        if os.geteuid() == 0:
            return ["runuser", "-u", self.user, "--", *argv]
        return argv

    def _run(self, argv, **kw):
        return subprocess.run(self._as_owner(argv), check=True, capture_output=True, text=True,
                              timeout=120, **kw)

    def start(self):
        # as root, in /tmp: the server's user must reach the directory ($TMPDIR may be under
        # /root), and a short path keeps the Unix socket's name within its 107 bytes
        self.dir = tempfile.mkdtemp(prefix="kith-pg-",
                                    dir="/tmp" if os.geteuid() == 0 else None)
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: the cluster belongs to nobody, in a directory
            # only it (and root) can enter.
            self.user = "nobody"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)
        data = os.path.join(self.dir, "data")
        self._run([os.path.join(self.bindir, "initdb"), "-D", data, "-U", SUPERUSER,
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                  cwd=self.dir)
        self.port = free_port()
        opts = (f"-c port={self.port} -c listen_addresses=127.0.0.1"
                f" -c unix_socket_directories={self.dir} -c fsync=on"
                " -c synchronous_commit=on -c max_connections=40")
        try:
            self._run([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-l",
                       os.path.join(self.dir, "log"), "-o", opts, "-w", "-t", "60", "start"],
                      cwd=self.dir)
        except subprocess.CalledProcessError as e:
            log = self.log()
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {e.stderr}\n{log}") from e
        return self

    def log(self):
        try:
            with open(os.path.join(self.dir, "log"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.dir is None:
            return
        data = os.path.join(self.dir, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(self._as_owner([os.path.join(self.bindir, "pg_ctl"), "-D", data,
                                           "-m", "fast", "-w", "stop"]),
                           capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, dbname="postgres"):
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def psql(self, dbname, sql, check=True):
        """Runs sql through psql (unaligned, tuples only, stop on the first error)."""
        return subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-At",
                               "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", SUPERUSER, "-d", dbname, "-F", "\t", "-c", sql],
                              capture_output=True, text=True, timeout=120, check=check)

    def query(self, dbname, sql):
        """The rows of sql as lists of strings (NULL as '')."""
        out = self.psql(dbname, sql).stdout
        return [line.split("\t") for line in out.splitlines()]

    def create_database(self, name):
        """A new empty database; its connection URL."""
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="module")
def pg_server():
    reason = pg_skip_reason()
    if reason:  # scripts/install-deps installs it: missing is a failure, never a skip
        pytest.fail(reason)
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()
