"""End to end: `talentmap serve` on a small demo store, every page in headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [
    "Overview",
    "Roles & skills",
    "International pipeline",
    "Cultivation & retention",
    "Plan & forecast",
    "Compensation",
    "Candidates",
    "Matching",
    "Model lab",
    "Documents",
    "Reports",
    "Administration",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _talentmap(*args: str, env: dict[str, str]) -> None:
    exe = Path(sys.executable).with_name("talentmap")
    subprocess.run([str(exe), *args], env=env, check=True, capture_output=True, timeout=600)


ADMIN_PASSWORD = "browser-test-pw"


@pytest.fixture
def served(tmp_path: Path):
    """A demo store (300 candidates) served by `talentmap serve` on a free port."""
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is not installed: `make sysdeps` (apt-get install chromium)")
    env = {**os.environ, "TALENTMAP_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("TALENTMAP_USER", None)
    _talentmap("init", env=env)
    _talentmap("demo", "--candidates", "300", "--seed", "3", env=env)
    # demo passwords are random and printed once: give admin one this test knows
    from data.settings import Settings
    from data.store.engine import make_engine, session_scope
    from data.store.users import reset_password

    eng = make_engine(Settings(data_dir=tmp_path / "data").url)
    with session_scope(eng) as s:
        reset_password(s, "admin", ADMIN_PASSWORD, actor="test")
    eng.dispose()
    port = _free_port()
    exe = Path(sys.executable).with_name("talentmap")
    # its own process group: `talentmap serve` runs Streamlit as a child, which a plain
    # terminate() of the parent would leave running after the test
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("talentmap serve did not come up within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_every_page_in_chromium_offline(served: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    shots = tmp_path / "shots"
    shots.mkdir()
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith((served, "data:", "blob:"))
                    else None
                ),
            )
            page.goto(served)
            page.locator("input[type=password]").wait_for(timeout=60_000)
            page.locator("input[type=text]").first.fill("admin")
            page.locator("input[type=password]").fill(ADMIN_PASSWORD)
            page.keyboard.press("Enter")
            try:
                page.locator('[data-testid="stSidebarNavLink"]').first.wait_for(timeout=60_000)
            finally:
                page.screenshot(path=str(tmp_path / "after-login.png"))
            # in Chinese (the default) the uploader's own English is covered by Chinese words
            page.locator('[data-testid="stSidebarNavLink"]').nth(PAGES.index("Matching")).click()
            page.locator("h1", has_text="简历匹配").wait_for(timeout=60_000)
            zone = ".st-key-match_upload [data-testid=stFileUploaderDropzone]"
            page.locator(zone).wait_for(timeout=60_000)
            shown = page.evaluate(
                """(zone) => {
                    const p = document.querySelector(zone + ' button p');
                    const s = document.querySelector(zone + ' [data-testid=stFileUploaderDropzoneInstructions] span');
                    const after = (e) => getComputedStyle(e, '::after').content;
                    return [getComputedStyle(p).fontSize, after(p), getComputedStyle(s).fontSize, after(s)];
                }""",
                zone,
            )
            assert shown[0] == "0px" and shown[1] == '"上传"', shown  # "Upload" hidden
            assert shown[2] == "0px" and shown[3].startswith('"每个文件不超过 '), shown
            assert "PDF、DOCX、TXT、MD" in shown[3], shown
            page.get_by_text("English", exact=True).click(timeout=60_000)
            page.locator("h1", has_text="Matching").wait_for(timeout=60_000)
            links = page.locator('[data-testid="stSidebarNavLink"]')
            assert links.count() == len(PAGES)
            for i, title in enumerate(PAGES):
                links.nth(i).click()
                page.locator("h1", has_text=title).wait_for(timeout=60_000)
                page.wait_for_timeout(300)
                page.wait_for_function(
                    "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
                )
                page.screenshot(path=str(shots / f"{i}-{title.split()[0].lower()}.png"))
                assert page.locator('[data-testid="stException"]').count() == 0, title
                errors = page.locator('[data-testid="stAlertContentError"]')
                assert errors.count() == 0, (title, errors.all_inner_texts())
                if title == "International pipeline":
                    # the world map draws from bundled shapes: filled country paths, no CDN
                    fills = page.locator("g.scatterlayer path.js-fill")
                    fills.first.scroll_into_view_if_needed(timeout=30_000)
                    page.wait_for_function(
                        "document.querySelectorAll('g.scatterlayer path.js-fill').length > 20",
                        timeout=30_000,
                    )
        finally:
            browser.close()
    assert not outside, outside[:5]
    assert len(list(shots.iterdir())) == len(PAGES)


def test_a_reload_keeps_the_sign_in_until_sign_out(served: str):
    """Issue 18: a reload signed the user out. The kept session comes back in its cookie;
    after sign-out neither a reload nor the old cookie signs anyone in."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(served + "/?lang=en")
            page.locator("input[type=password]").wait_for(timeout=60_000)
            page.locator("input[type=text]").first.fill("admin")
            page.locator("input[type=password]").fill(ADMIN_PASSWORD)
            page.keyboard.press("Enter")
            nav = page.locator('[data-testid="stSidebarNavLink"]').first
            nav.wait_for(timeout=60_000)
            page.wait_for_function("document.cookie.includes('tm_session=tms_')", timeout=30_000)
            (cookie,) = [c for c in context.cookies() if c["name"] == "tm_session"]
            assert cookie["sameSite"] == "Strict"
            page.reload()
            nav.wait_for(timeout=60_000)  # still signed in, in English
            page.get_by_text("Signed in as admin", exact=False).wait_for(timeout=30_000)
            assert page.locator("input[type=password]").count() == 0
            page.get_by_role("button", name="Sign out").click()
            page.locator("input[type=password]").wait_for(timeout=60_000)
            page.reload()
            page.locator("input[type=password]").wait_for(timeout=60_000)
            # the old cookie, put back by hand, is revoked in the store
            context.add_cookies([{**cookie}])
            page.reload()
            page.locator("input[type=password]").wait_for(timeout=60_000)
            assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0
        finally:
            browser.close()
