"""The shipped reverse-proxy configuration (docs/deploy/nginx.conf) sets the headers that
protect the dashboard (issue 15: no X-Frame-Options / frame-ancestors) and spreads sessions over
several Streamlit processes on loopback, sticky per browser, with the WebSocket upgrade
(issue 17). Parsed with crossplane, nginx's own configuration parser as a library, so a typo
that nginx would reject fails here. The systemd template starts one process per port."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import crossplane

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"
CONF = DEPLOY / "nginx.conf"


def top() -> list[dict]:
    parsed = crossplane.parse(
        str(CONF), single=True, strict=False, check_ctx=False
    )  # an http{} include
    assert parsed["status"] == "ok", parsed["errors"]
    return parsed["config"][0]["parsed"]


def servers() -> list[list[dict]]:
    return [d["block"] for d in top() if d["directive"] == "server"]


def upstreams() -> dict[str, list[dict]]:
    return {d["args"][0]: d["block"] for d in top() if d["directive"] == "upstream"}


def maps() -> dict[str, tuple[str, dict[str, str]]]:
    """``map SOURCE $VAR { key value; ... }`` as {VAR: (SOURCE, {key: value})}."""
    out = {}
    for d in top():
        if d["directive"] == "map":
            source, var = d["args"]
            out[var] = (source, {e["directive"]: e["args"][0] for e in d["block"]})
    return out


def tls_server() -> list[dict]:
    (tls,) = [b for b in servers() if any("ssl" in a for a in directives(b, "listen"))]
    return tls


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
        assert directives(loc["block"], "proxy_pass") == [["http://talentmap"]]


def test_several_loopback_processes_behind_one_address() -> None:
    pool = upstreams()["talentmap"]
    addrs = [a[0] for a in directives(pool, "server")]
    assert len(addrs) >= 2 and len(set(addrs)) == len(addrs)
    assert all(re.fullmatch(r"127\.0\.0\.1:\d+", a) for a in addrs), addrs  # never public
    # nothing else proxies anywhere: every location goes through the upstream
    passes = [a for loc in tls_server() if loc["directive"] == "location"
              for a in directives(loc["block"], "proxy_pass")]  # fmt: skip
    assert passes and all(p == ["http://talentmap"] for p in passes)


def test_websocket_upgrade_headers_reach_every_process() -> None:
    (loc,) = [d["block"] for d in tls_server() if d["directive"] == "location"]
    headers = {a[0].lower(): a[1] for a in directives(loc, "proxy_set_header")}
    assert directives(loc, "proxy_http_version") == [["1.1"]]  # HTTP/1.0 cannot upgrade
    assert headers["upgrade"] == "$http_upgrade"
    conn = headers["connection"]
    if conn.startswith("$"):  # a map: "upgrade" whenever the client asks for one
        source, table = maps()[conn]
        assert source == "$http_upgrade" and table["default"] == "upgrade"
    else:
        assert conn.lower() == "upgrade"
    timeout = directives(loc, "proxy_read_timeout")[0][0]
    assert int(timeout) >= 3600  # an idle dashboard tab is not cut after nginx's 60 s


def test_sessions_are_sticky() -> None:
    """A browser's WebSocket and its uploads must reach the process holding its session: the
    upstream hashes on something a browser keeps (a cookie nginx sets, or the client
    address), consistently."""
    pool = upstreams()["talentmap"]
    if directives(pool, "ip_hash"):
        return
    (hashed,) = directives(pool, "hash")
    assert hashed[1:] == ["consistent"]
    var = hashed[0]
    source, table = maps()[var]
    cookie = source.removeprefix("$cookie_")
    assert source.startswith("$cookie_") and table["default"] == source
    assert table[""] in ("$request_id", "$remote_addr")  # no cookie yet: still some key
    # the TLS server hands that cookie out on every response (at server level: an add_header
    # inside the location would drop the security headers there)
    cookies = [a for a in directives(tls_server(), "add_header") if a[0].lower() == "set-cookie"]
    assert len(cookies) == 1 and cookies[0][-1] == "always"
    value = cookies[0][1]
    assert value.startswith(f"{cookie}={var};") and "Path=/" in value and "Secure" in value


def test_systemd_template_runs_one_loopback_process_per_port() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "talentmap@.service", encoding="utf-8")
    cmd = unit["Service"]["ExecStart"].split()
    assert cmd[0].endswith("/talentmap") and cmd[1] == "serve"
    assert cmd[cmd.index("--port") + 1] == "%i"  # the instance name is the port
    assert cmd[cmd.index("--address") + 1] == "127.0.0.1"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_plain_http_only_redirects() -> None:
    (plain,) = [b for b in servers() if directives(b, "listen") == [["80"]]]
    assert directives(plain, "return") == [["301", "https://$host$request_uri"]]
    assert not [d for d in plain if d["directive"] == "location"]
