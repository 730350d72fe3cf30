"""Real-browser checks: the app started as the README starts it, driven in Debian's Chromium.

These never skip: `make test` installs /usr/bin/chromium, and a missing browser is a failure.
"""
import os
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
    # waits end as soon as their condition holds: the long default only matters on a busy
    # machine (two runs of the whole suite timed out at 30-60 s with a load average of 11)
    ctx.set_default_timeout(120_000)
    pg = ctx.new_page()
    yield pg
    ctx.close()


#: Streamlit's own signal that a page has finished: the app root's ``data-test-script-state``
#: ("running" while a script runs, then "notRunning") and ``data-test-connection-state``.
#: Streamlit 1.67's status widget never says "Running" (it shows an icon and "Stop"), so
#: waiting on its text returned mid-run.
SETTLED_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && !!document.querySelector('[data-testid="stSidebar"]')
        && !!document.querySelector('[data-testid="stMain"] h1');
}"""
# A click does not change the script state until the server says its run has begun, so settle
# first waits (briefly) for a run to begin: the state is not "notRunning", or the counter of
# runs begun (kept by an observer on the app root) has moved since the last settle.
_COUNT_RUNS_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || window.__stRuns !== undefined) return;
    window.__stRuns = 0;
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__stRuns++; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_BEGUN_JS = """(seen) => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !app || app.dataset.testScriptState !== 'notRunning' || (window.__stRuns || 0) > seen;
}"""


def settle(page, timeout=180_000, begin_ms=3_000):
    """Wait until the run the last action started (if any) has finished: every page draws the
    settings sidebar and a title. An upload asks for a run only once its file is on the
    server, so after ``set_input_files`` wait for the file's chip or content first."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    seen = page.evaluate("() => window.__stRunsSeen || 0")
    try:
        page.wait_for_function(_BEGUN_JS, arg=seen, timeout=begin_ms)
    except PlaywrightTimeout:
        pass  # no run began: nothing to wait for beyond the page being idle
    page.wait_for_function(SETTLED_JS, timeout=timeout)
    page.evaluate(_COUNT_RUNS_JS)
    page.evaluate("() => { window.__stRunsSeen = window.__stRuns || 0; }")


def open_page(page, label, timeout=180_000):
    """Open a page through the sidebar (a new address would start a new session, without its
    upload) and wait for that page's own run to finish. A navigation always starts a run, so
    wait as long for it to begin as for it to end, and for the address to name the page: with the
    short default wait, a run that began late left the last page's text to be read as this one's."""
    import re

    path = "" if label == "Overview" else re.escape(label.replace(" ", "_"))
    page.locator('[data-testid="stSidebar"] a', has_text=label).first.click()
    page.wait_for_url(re.compile(rf"/{path}/?(\?.*)?$"), timeout=timeout)
    settle(page, timeout=timeout, begin_ms=timeout)


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
    open_page(page, "Outcomes")
    assert_healthy(page, "Outcomes")
    checked = page.locator('[data-testid="stSidebar"] input[type="radio"]:checked')
    assert checked.count() == 1
    label = checked.locator("xpath=ancestor::label").inner_text()
    assert "treatment lower" in label


def _broken_files(folder: Path) -> list[Path]:
    """Ten kinds of broken upload, written to a pytest temp folder (never the repo)."""
    import pandas as pd

    good = pd.DataFrame({"arm": ["treatment", "control"] * 5, "knife": [0, 1, 2, 0, 1, 3, 0, 0, 1, 2]})
    files = {
        "empty.csv": b"",
        "binary.csv": bytes(range(256)) * 8,
        "truncated.parquet": None,
        "fake.xlsx": b"arm,knife\ntreatment,1\ncontrol,2\n",
        "utf16.csv": "arm;knife\ntreatment;1\ncontrol;2\n".encode("utf-16"),
        "ragged.csv": b"arm,knife\ntreatment,1,9,9\ncontrol\n",
        "wide.csv": (",".join(f"c{i}" for i in range(5000)) + "\n"
                     + ",".join("1" for _ in range(5000)) + "\n").encode(),
        "text_outcome.csv": b"arm,knife\ntreatment,lots\ncontrol,few\ntreatment,none\ncontrol,some\n",
        "huge_values.csv": b"arm,knife\ntreatment,1e308\ncontrol,inf\ntreatment,2\ncontrol,1\n",
        "one_per_arm.csv": b"arm,knife\ntreatment,1\ncontrol,2\n",
        "identical.csv": b"arm,knife\n" + b"treatment,1\ncontrol,1\n" * 5,
    }
    buf = __import__("io").BytesIO()
    good.to_parquet(buf)
    files["truncated.parquet"] = buf.getvalue()[: len(buf.getvalue()) // 2]
    paths = []
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
        paths.append(folder / name)
    return paths


def test_broken_uploads_never_break_the_data_page(server, page, tmp_path):
    page.goto(f"{server}/Data")
    settle(page)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    for path in _broken_files(tmp_path):
        uploader.set_input_files(str(path))
        # the run that reads the file starts only once it is on the server
        # (a chip shortens a long name in the middle: match its first 7 characters)
        page.locator('[data-testid="stFileChipName"]', has_text=path.name[:7]).wait_for()
        page.locator('[data-testid="stFileChipIconSpinner"]').first.wait_for(state="detached")
        settle(page)
        assert_healthy(page, f"Data page after uploading {path.name}")
        alerts = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        assert alerts.strip(), f"no message shown for {path.name}"
        # the bundled trial is still the data set in use
        chosen = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
        assert "Focused Deterrence trial" in chosen.input_value()
    # and the rest of the app still works
    open_page(page, "Outcomes")
    assert_healthy(page, "Outcomes after broken uploads")


def test_export_downloads_open(server, page, tmp_path):
    import zipfile

    import openpyxl
    from pptx import Presentation

    page.goto(f"{server}/Export")
    settle(page)
    page.get_by_role("button", name="Build the board pack").click()
    settle(page, timeout=180_000)
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=180_000)
    assert_healthy(page, "Export")
    got = {}
    for label in ("Slides (.pptx)", "Report (.html)", "Charts (.zip of PNGs)", "Results (.csv)",
                  "Results (.xlsx)"):
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name=label).click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
        got[label] = path
    slides = Presentation(str(got["Slides (.pptx)"]))
    assert len(slides.slides) >= 6
    html = got["Report (.html)"].read_text(encoding="utf-8")
    from test_export import _Refs  # parses tags, so plotly.js's own source text is not mistaken for a link

    refs = _Refs()
    refs.feed(html)
    assert "Synthetic" in html
    assert all(v.startswith(("#", "data:")) for _, _, v in refs.refs), refs.refs
    with zipfile.ZipFile(got["Charts (.zip of PNGs)"]) as z:
        names = z.namelist()
        assert names and all(n.endswith(".png") for n in names)
        assert z.read(names[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "p_value" in got["Results (.csv)"].read_text(encoding="utf-8")
    openpyxl.load_workbook(got["Results (.xlsx)"])
