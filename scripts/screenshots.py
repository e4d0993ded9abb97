"""Screenshots of every dashboard page in English and Chinese, from a throwaway demo store.

    PYTHONPATH=$PWD .venv/bin/python scripts/screenshots.py            # all pages, both languages
    PYTHONPATH=$PWD .venv/bin/python scripts/screenshots.py --pages matching,reports --langs zh

What it does: ``talentmap init`` and ``talentmap demo`` (fixed seed and as-of date, so the same
world every run) in a temporary data folder, gives the demo ``admin`` a known password
(``data.store.users.reset_password``), starts ``talentmap serve`` on a free localhost port,
signs in with headless Chromium (Playwright, the same set-up as the ``browser`` tests) and,
for each page and language, waits until Streamlit is idle and saves a full-page PNG to
``docs/screenshots/<page>_<lang>.png``. On Matching it runs a match first (a shortlist with its
explanations), on Candidates it opens a candidate, on Reports it builds the HTML report so the
preview is shown. The store and the server are removed at the end. Needs ``chromium`` on PATH
(``make sysdeps``). See docs/screenshots/README.md for what each image shows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the file stem of each page (dashboard/app_pages/<stem>.py), in sidebar order
PAGES = [
    "overview",
    "roles_skills",
    "international",
    "cultivation",
    "plan_forecast",
    "compensation",
    "candidates",
    "matching",
    "model_lab",
    "documents",
    "reports",
    "admin",
]
LANG_LABEL = {"en": "English", "zh": "中文"}
PASSWORD = "screenshots-pw"
SEEDS = ROOT.parent / "shared" / "seeds"  # the seed strategy documents, beside the checkout
WIDTH = 1400
MAX_HEIGHT = 9000  # a page taller than this is cut (keeps the PNGs small)

IDLE_JS = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  return !app || app.getAttribute('data-test-script-state') !== 'running';
}"""

# the height of everything drawn: Streamlit scrolls inside its own container, which a plain
# full-page screenshot does not see
HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]')
    || document.querySelector('section.main');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const side = document.querySelector('[data-testid="stSidebarContent"]');
  return Math.max(
    main ? main.scrollHeight : 0,
    block ? block.getBoundingClientRect().height + 120 : 0,
    side ? side.scrollHeight : 0,
    document.documentElement.scrollHeight,
  );
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _talentmap(*args: str, env: dict[str, str], check: bool = True) -> int:
    exe = Path(sys.executable).with_name("talentmap")
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, timeout=900)
    if check and done.returncode:
        raise SystemExit(f"talentmap {args[0]} failed:\n{done.stderr.decode()[-2000:]}")
    return done.returncode


@contextmanager
def served(
    data_dir: Path, *, candidates: int, seed: int, as_of: str, docs: Path | None = None
) -> Iterator[str]:
    """A demo store in ``data_dir`` served by ``talentmap serve``; yields its address."""
    env = {
        **os.environ,
        "TALENTMAP_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    for var in ("DATABASE_URL", "TALENTMAP_USER", "TALENTMAP_TOKEN"):
        env.pop(var, None)
    print(f"demo store: {candidates} candidates, seed {seed}, as of {as_of}", flush=True)
    _talentmap("init", env=env)
    _talentmap(
        "demo", "--candidates", str(candidates), "--seed", str(seed), "--as-of", as_of, env=env
    )
    from data.settings import Settings
    from data.store.engine import make_engine, session_scope
    from data.store.users import issue_token, reset_password

    eng = make_engine(Settings(data_dir=data_dir).url)
    with session_scope(eng) as s:
        reset_password(s, "admin", PASSWORD, actor="screenshots")
        token = issue_token(s, "admin")
    eng.dispose()
    if docs is not None:  # strategy documents, so Documents and Roles & skills show extractions
        files = sorted(str(p) for p in docs.iterdir() if p.is_file())
        as_admin = {**env, "TALENTMAP_USER": "admin", "TALENTMAP_TOKEN": token}
        rc = _talentmap("docs", "import", *files, env=as_admin, check=False)
        print(f"documents: {len(files)} from {docs}" + (" (some failed)" if rc else ""))
    port = _free_port()
    exe = Path(sys.executable).with_name("talentmap")
    log = (data_dir / "serve.log").open("wb")
    # its own process group: `talentmap serve` runs Streamlit as a child
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"talentmap serve did not come up; see {data_dir / 'serve.log'}")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def wait_idle(page, timeout_ms: int = 180_000) -> None:  # type: ignore[no-untyped-def]
    """Until Streamlit has finished the script run and drawn its charts."""
    page.wait_for_timeout(400)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    page.wait_for_timeout(700)  # plotly/vega draw after the run ends
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def shoot(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """A PNG of the whole page: grow the viewport to the drawn height, then capture."""
    height = min(int(page.evaluate(HEIGHT_JS)), MAX_HEIGHT)
    page.set_viewport_size({"width": WIDTH, "height": max(height, 900)})
    page.wait_for_timeout(800)
    wait_idle(page)
    height = min(int(page.evaluate(HEIGHT_JS)), MAX_HEIGHT)  # charts may re-flow once
    page.set_viewport_size({"width": WIDTH, "height": max(height, 900)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    page.wait_for_timeout(300)


def pick(page, label: str, n: int) -> None:  # type: ignore[no-untyped-def]
    """Choose the first ``n`` options of the multiselect labelled ``label``."""
    box = page.locator('[data-testid="stMain"] [data-testid="stMultiSelect"]', has_text=label)
    box = box.first
    tags = box.locator("[data-tag]")  # the chips of the chosen options
    option = page.locator(
        '[role="option"][aria-selected="false"]:not([data-key="__select_all__"])'
    ).first
    for _ in range(n * 3):
        if tags.count() >= n:
            break
        # one option per opening: choosing reruns the script, which redraws the list
        box.locator("input").click()
        option.click(timeout=30_000)
        page.keyboard.press("Escape")
        wait_idle(page)


def set_language(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_text(LANG_LABEL[lang], exact=True).click(timeout=60_000)
    wait_idle(page)


def click_key(page, key: str) -> None:  # type: ignore[no-untyped-def]
    """Click the button whose Streamlit ``key`` starts with ``key``."""
    page.locator(f'[class*="st-key-{key}"] button').first.click(timeout=60_000)


def run_match(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Match 8 stored resumes against 2 roles and advance the top candidate of the first."""
    from dashboard.i18n import tr

    pick(page, tr(lang, "match.stored"), 8)
    pick(page, tr(lang, "match.roles"), 2)
    click_key(page, "match_run")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=600_000)
    wait_idle(page, timeout_ms=600_000)
    click_key(page, "fb_advance_")
    wait_idle(page)


def decided_candidate(data_dir: Path) -> str | None:
    """The pseudonym of the candidate last advanced on Matching (else the first rank of the
    latest match run), so the Candidates page shows scores and a decision."""
    from sqlalchemy import select

    from data.settings import Settings
    from data.store.engine import make_engine, session_scope
    from data.store.models import Candidate, Feedback, MatchScore, Resume

    eng = make_engine(Settings(data_dir=data_dir).url)
    try:
        with session_scope(eng) as s:
            resume = s.scalar(select(Feedback.resume_id).order_by(Feedback.id.desc()).limit(1))
            if resume is None:
                resume = s.scalar(
                    select(MatchScore.resume_id)
                    .order_by(MatchScore.run_id.desc(), MatchScore.id)
                    .limit(1)
                )
            if resume is None:
                return None
            return s.scalar(
                select(Candidate.pseudonym)
                .join(Resume, Resume.candidate_id == Candidate.id)
                .where(Resume.id == resume)
            )
    finally:
        eng.dispose()


def open_candidate(page, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Search for the candidate advanced on Matching (so the page shows scores and a decision)."""
    who = decided_candidate(data_dir)
    if who is None:
        return  # no match run: the page opens the first candidate found
    box = page.locator('[class*="st-key-cand_text"] input')
    box.fill(who)
    box.press("Enter")
    wait_idle(page)


def build_report(page) -> None:  # type: ignore[no-untyped-def]
    """Build the HTML report (its preview is shown on the page) and run the bias audit."""
    page.locator('[data-testid="stRadio"] label', has_text="HTML").first.click()
    wait_idle(page)
    click_key(page, "reports_build")
    page.locator('[data-testid="stDownloadButton"]').first.wait_for(timeout=600_000)
    wait_idle(page, timeout_ms=600_000)
    click_key(page, "reports_audit")
    wait_idle(page, timeout_ms=600_000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--candidates", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--as-of", default="2026-06-30")
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated page file stems")
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument(
        "--docs",
        type=Path,
        default=SEEDS if SEEDS.is_dir() else None,
        help="a folder of strategy documents to import (default: ../shared/seeds when present)",
    )
    args = ap.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    unknown = sorted(set(pages) - set(PAGES))
    if unknown:
        ap.error(f"unknown page(s) {unknown}; known: {', '.join(PAGES)}")
    langs = [lang for lang in args.langs.split(",") if lang]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed: `make sysdeps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="talentmap-shots-") as tmp:
        data_dir = Path(tmp) / "data"
        with (
            served(
                data_dir,
                candidates=args.candidates,
                seed=args.seed,
                as_of=args.as_of,
                docs=args.docs,
            ) as base,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
                page.goto(base)
                page.locator("input[type=password]").wait_for(timeout=120_000)
                page.locator("input[type=text]").first.fill("admin")
                page.locator("input[type=password]").fill(PASSWORD)
                page.keyboard.press("Enter")
                page.locator('[data-testid="stSidebarNavLink"]').first.wait_for(timeout=120_000)
                wait_idle(page)
                for lang in langs:
                    set_language(page, lang)
                    links = page.locator('[data-testid="stSidebarNavLink"]')
                    # Matching first: its run is what Candidates and Reports then show
                    order = sorted(pages, key=lambda n: (n != "matching", PAGES.index(n)))
                    for name in order:
                        links.nth(PAGES.index(name)).click()
                        page.locator("h1").first.wait_for(timeout=120_000)
                        wait_idle(page)
                        try:
                            if name == "matching":
                                run_match(page, lang)
                            elif name == "candidates":
                                open_candidate(page, data_dir)
                            elif name == "reports":
                                build_report(page)
                        except Exception as err:  # the shot still shows what went wrong
                            problems.append(f"{name}_{lang}: {type(err).__name__}: {err}")
                        out = args.out / f"{name}_{lang}.png"
                        shoot(page, out)
                        bad = page.locator(
                            '[data-testid="stException"], [data-testid="stAlertContentError"]'
                        )
                        if bad.count():
                            problems.append(f"{name}_{lang}: {bad.all_inner_texts()}")
                        print(f"{out}  {out.stat().st_size // 1024} KiB", flush=True)
                        if name == "admin" and page.get_by_role("tab").count() > 1:
                            # the audit-log viewer is the second tab
                            page.get_by_role("tab").nth(1).click()
                            wait_idle(page)
                            out = args.out / f"admin_audit_{lang}.png"
                            shoot(page, out)
                            print(f"{out}  {out.stat().st_size // 1024} KiB", flush=True)
            finally:
                browser.close()
    total = sum(f.stat().st_size for f in args.out.glob("*.png"))
    print(f"total {total / 1e6:.1f} MB in {args.out}")
    for line in problems:
        print("PROBLEM", line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
