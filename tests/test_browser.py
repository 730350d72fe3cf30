"""Real-browser checks: the app started as the README starts it, driven in Debian's Chromium.

These never skip: `make test` installs /usr/bin/chromium, and a missing browser is a failure.
"""
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = sorted(p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("*.py"))
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    # `make run` is the README's command; setup is already done by `make test`.
    proc = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            time.sleep(0.5)
    else:
        raise RuntimeError("the app did not start within 90 s")
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make test`, which installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def settle(page, timeout=60_000):
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const s = document.querySelector('[data-testid="stStatusWidget"]');
            return !s || !/Running|Connecting/i.test(s.innerText);
        }""", timeout=timeout)
    page.wait_for_timeout(800)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 || !/Running/i.test(document.querySelector('[data-testid="stStatusWidget"]').innerText)""",
        timeout=timeout)


def assert_healthy(page, where):
    assert page.locator('[data-testid="stException"]').count() == 0, f"exception shown on {where}"
    body = page.inner_text("body")
    assert "Traceback" not in body, f"traceback shown on {where}"


def test_every_page_renders_without_errors(server, page):
    for name in ["", *PAGES]:
        page.goto(f"{server}/{name}")
        settle(page)
        assert_healthy(page, name or "Overview")
        assert page.locator('[data-testid="stSidebar"]').count() == 1


def test_charts_render_on_the_overview_and_outcomes(server, page):
    for name in ("", "Outcomes"):
        page.goto(f"{server}/{name}")
        settle(page)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator(".js-plotly-plot").count() >= 1


def test_changing_a_setting_updates_the_page(server, page):
    page.goto(server)
    settle(page)
    before = page.inner_text('[data-testid="stMain"]')
    assert "two-sided" in before
    page.get_by_text("One-sided: treatment lower").click()
    settle(page)
    after = page.inner_text('[data-testid="stMain"]')
    assert_healthy(page, "Overview after changing sidedness")
    assert "one-sided" in after and after != before
    # the setting survives a move to another page through the navigation
    page.locator('[data-testid="stSidebar"] a', has_text="Outcomes").first.click()
    settle(page)
    assert_healthy(page, "Outcomes")
    checked = page.locator('[data-testid="stSidebar"] input[type="radio"]:checked')
    assert checked.count() == 1
    label = checked.locator("xpath=ancestor::label").inner_text()
    assert "treatment lower" in label
