"""The UI is served at / and at the client routes with strict headers; assets are cached; the API is untouched."""
from __future__ import annotations

import re

from tests.web.api.conftest import World

CLIENT_ROUTES = ("/", "/login", "/apps", "/apps/tasks/task", "/apps/tasks/task/new", "/apps/tasks/task/7",
                 "/apps/tasks/task/board", "/apps/tasks/dashboards/home", "/inbox/approvals", "/inbox/notifications")


def test_index_at_root_and_client_routes(world: World) -> None:
    for url in CLIENT_ROUTES:
        response = world.client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
        assert '<div id="app">' in response.text
        assert response.headers["cache-control"] == "no-cache"


def test_strict_headers(world: World) -> None:
    headers = world.client.get("/").headers
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert "unsafe-eval" not in headers["content-security-policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"


def test_the_page_has_no_inline_script(world: World) -> None:
    html = world.client.get("/").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/assets/' in attrs and not body.strip() for attrs, body in scripts)


def test_assets_have_long_cache_and_their_type(world: World) -> None:
    html = world.client.get("/").text
    for name in re.findall(r'"/assets/([^"]+)"', html):
        response = world.client.get(f"/assets/{name}")
        assert response.status_code == 200
        assert "immutable" in response.headers["cache-control"]
        assert response.headers["x-content-type-options"] == "nosniff"
        kind = "javascript" if name.endswith(".js") else "css"
        assert kind in response.headers["content-type"]


def test_unknown_asset_and_traversal_are_404(world: World) -> None:
    for url in ("/assets/nope.js", "/assets/..%2f..%2fpyproject.toml", "/assets/../index.html"):
        assert world.client.get(url).status_code == 404, url


def test_api_docs_and_health_are_as_before(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    missing = world.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert world.client.get("/docs").status_code == 200
    assert world.client.get("/elsewhere").status_code == 404  # not a client route


def test_entity_view_has_the_layout_without_unreadable_fields(world: World) -> None:
    # bob may not read `secret` (see the API fixtures)
    answer = world.client.get("/api/v1/entities/task", headers=world.headers("bob")).json()
    names = {f["name"] for f in answer["fields"]}
    assert "secret" not in names
    layout = answer["layout"]
    assert layout is None or "secret" not in str(layout)


def test_text_assets_are_gzipped_for_browsers_that_accept_it(world: World) -> None:
    name = re.findall(r'"/assets/([^"]+[.]js)"', world.client.get("/").text)[0]
    plain = world.client.get(f"/assets/{name}", headers={"Accept-Encoding": "identity"})
    zipped = world.client.get(f"/assets/{name}", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # the client decodes it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
