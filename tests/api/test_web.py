"""The web application as `kith serve` serves it (src/api/static.c): embedded files, index.html for
the client's routes, caching (hashed vendor modules immutable, the rest revalidated by ETag),
gzip, and pages that keep to the Content-Security-Policy. The browser tests (tests/browser) drive
the application itself.
"""
import re
from urllib.parse import urljoin

import requests

IMPORT = re.compile(r"""(?:\bimport\s*\(|\bfrom|\bimport)\s*['"]([^'"]+)['"]""")


def get(server, path, **kw):
    return requests.get(server.url + path, **kw)


def test_root_serves_index_html_under_the_csp(server):
    r = get(server, "/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["ETag"].startswith('"')
    html = r.text
    assert '<script type="module" src="/app/main.js"></script>' in html
    # Nothing inline: every script has a src, no <style> element, no style attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and "style=" not in html


def test_client_routes_get_index_html_and_unknown_files_get_404(server):
    index = get(server, "/")
    for path in ["/contacts", "/contacts/42", "/admin/users/7", "/settings/tokens"]:
        r = get(server, path)
        assert r.status_code == 200, path
        assert r.headers["ETag"] == index.headers["ETag"], path
    for path in ["/assets/nope.js", "/app/nope.js", "/favicon.ico", "/contacts/report.csv"]:
        r = get(server, path)
        assert r.status_code == 404, path
    r = get(server, "/api/v1/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"  # the API keeps its JSON answers


def test_vendor_modules_have_hashed_urls_and_are_immutable(server):
    html = get(server, "/").text
    urls = re.findall(r'href="(/assets/vendor/[^"]+)"', html)
    assert {re.sub(r"\.[0-9a-f]{12}\.js$", "", u) for u in urls} == {
        "/assets/vendor/preact", "/assets/vendor/hooks", "/assets/vendor/htm"}
    for url in urls:
        r = get(server, url)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    hooks = get(server, next(u for u in urls if "/hooks." in u)).text
    assert 'from"preact"' not in hooks and 'from "preact"' not in hooks  # no bare specifier
    assert re.search(r'from"/assets/vendor/preact\.[0-9a-f]{12}\.js"', hooks)
    # The unhashed name is not served: the app's imports were rewritten to the hashed ones.
    assert get(server, "/assets/vendor/preact.js").status_code == 404


def test_etag_revalidation_answers_304(server):
    for path in ["/", "/app/main.js", "/assets/app.css"]:
        first = get(server, path)
        again = get(server, path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["ETag"] == first.headers["ETag"]
        changed = get(server, path, headers={"If-None-Match": '"something else"'})
        assert changed.status_code == 200


def test_gzip_when_accepted_and_identity_otherwise(server):
    path = "/assets/app.css"
    plain = get(server, path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    zipped = get(server, path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.content == plain.content  # requests decoded it
    assert int(zipped.headers["Content-Length"]) < len(plain.content)
    refused = get(server, path, headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in refused.headers


def test_head_answers_headers_only(server):
    r = requests.head(server.url + "/app/main.js")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.content == b""


def test_every_module_the_app_imports_is_served(server):
    """Follows static and dynamic imports from /app/main.js: a typo in a path fails here."""
    seen, todo = set(), ["/app/main.js"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        r = get(server, path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("text/javascript"), path
        if "/assets/vendor/" in path:
            continue
        for spec in IMPORT.findall(r.text):
            assert spec.startswith(("/", "./", "../")), f"{path} imports the bare name {spec}"
            todo.append(urljoin(server.url + path, spec)[len(server.url):])
    assert "/app/screens/contact.js" in seen and "/app/charts/rv-band.js" in seen
    assert any(p.startswith("/assets/vendor/echarts.") for p in seen)
