"""One `kith serve` for a whole test module, over a fresh database with an admin user: for the
modules that build a world once and run many cases against it (test_resources, test_access)."""
import contextlib
import os
import tempfile

from conftest import Server, add_user, kith


@contextlib.contextmanager
def module_server(admin_email="admin@example.com"):
    """Yields a running Server whose database has the admin admin_email (conftest.PASSWORD)."""
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "init")
        add_user(db, admin_email, "admin")
        srv = Server(db)
        try:
            yield srv
        finally:
            srv.stop()
