"""The shipped reverse-proxy configuration (docs/deploy/nginx.conf) sets the headers that
protect the dashboard (issue 15: no X-Frame-Options / frame-ancestors). Parsed with crossplane,
nginx's own configuration parser as a library, so a typo that nginx would reject fails here."""

from __future__ import annotations

from pathlib import Path

import crossplane

CONF = Path(__file__).resolve().parents[1] / "docs" / "deploy" / "nginx.conf"


def servers() -> list[list[dict]]:
    parsed = crossplane.parse(
        str(CONF), single=True, strict=False, check_ctx=False
    )  # an http{} include
    assert parsed["status"] == "ok", parsed["errors"]
    return [d["block"] for d in parsed["config"][0]["parsed"] if d["directive"] == "server"]


def directives(block: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def test_tls_server_sets_every_protective_header_always() -> None:
    (tls,) = [b for b in servers() if any("ssl" in a for a in directives(b, "listen"))]
    headers = {a[0].lower(): a[1:] for a in directives(tls, "add_header")}
    assert headers["x-frame-options"] == ["DENY", "always"]
    assert headers["content-security-policy"] == ["frame-ancestors 'none'", "always"]
    assert headers["strict-transport-security"][-1] == "always"
    assert headers["x-content-type-options"] == ["nosniff", "always"]
    # add_header inside a location would drop the server's headers there (nginx inherits
    # add_header only when the inner block has none)
    for loc in [d for d in tls if d["directive"] == "location"]:
        assert not directives(loc["block"], "add_header")
        assert directives(loc["block"], "proxy_pass") == [["http://127.0.0.1:8501"]]
        assert ["Upgrade", "$http_upgrade"] in directives(loc["block"], "proxy_set_header")


def test_plain_http_only_redirects() -> None:
    (plain,) = [b for b in servers() if directives(b, "listen") == [["80"]]]
    assert directives(plain, "return") == [["301", "https://$host$request_uri"]]
    assert not [d for d in plain if d["directive"] == "location"]
