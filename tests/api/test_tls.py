"""`kith serve --tls-cert --tls-key`: HTTPS with a throw-away self-signed certificate made by the
openssl CLI; the session cookie is then marked Secure."""
import os
import subprocess

import pytest
import requests

from conftest import PASSWORD, Server, add_user


@pytest.fixture
def certificate(tmp_path):
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_https_sign_in_sets_a_secure_cookie(db_path, certificate):
    cert, key = certificate
    add_user(db_path, "admin@example.com", "admin")
    srv = Server(db_path, ["--tls-cert", cert, "--tls-key", key])
    try:
        assert srv.url.startswith("https://")
        http = requests.Session()
        # The certificate is its own authority, for 127.0.0.1. It is passed on each call:
        # REQUESTS_CA_BUNDLE in the environment would override a Session's verify.
        r = http.post(srv.url + "/api/v1/session", verify=cert,
                      json={"email": "admin@example.com", "password": PASSWORD})
        assert r.status_code == 200, r.text
        attrs = [a.strip().lower() for a in r.headers["Set-Cookie"].split(";")]
        assert attrs[0].startswith("__host-kith=")
        assert "secure" in attrs and "httponly" in attrs and "samesite=strict" in attrs
        assert "path=/" in attrs
        # the browser-side jar sends a Secure cookie back only over https: it does here
        r = http.get(srv.url + "/api/v1/session", verify=cert)
        assert r.status_code == 200
        assert r.json()["user"]["email"] == "admin@example.com"
        assert r.headers["X-Frame-Options"] == "DENY"
        # plain HTTP on the TLS port gets no answer
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(srv.url.replace("https://", "http://") + "/healthz", timeout=10)
    finally:
        assert srv.stop() == 0


def test_missing_key_file_is_a_clear_error(db_path, certificate):
    cert, _ = certificate
    proc = subprocess.run([os.environ.get("KITH_BIN", "build/kith"), "serve", "--db", db_path,
                           "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key",
                           "/nonexistent/key.pem"], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "/nonexistent/key.pem" in proc.stderr
