"""Two people on one server, in real Chromium (issue #18): nothing of one session appears in the
other on any page or in any download, and a re-mapped data set never shows a stale result.

Both sessions upload the same bytes (the bundled people file), as in the issue, so only what the
sessions *say* about their data (file name, data-set name, synthetic flag, arms) tells them
apart: exactly what a cache keyed on the table alone would mix up. Kept to one server and one
pass over the pages so it stays short enough for CI.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from load import people_uploader  # noqa: E402 - the person-level uploader, by its label
from test_browser import (CHROMIUM, CHROMIUM_ARGS, PAGES, assert_healthy, browser,  # noqa: F401
                          open_page, server, settle)

ROOT = Path(__file__).resolve().parents[1]
PEOPLE_CSV = (ROOT / "data" / "focused_deterrence" / "people.csv").read_bytes()
A_FILE, A_NAME = "nightjar_7731_extract.csv", "Operation Nightjar 7731"
B_FILE, B_NAME = "public_demo.csv", "Public demo data"
A_TOKENS = ("Nightjar", "nightjar")
pytestmark = pytest.mark.browser


def _upload_and_use(page, file_name, name, synthetic, swap_arms=False):
    """Data page: upload, optionally swap the arm values, name, (un)tick synthetic, use."""
    open_page(page, "Data")
    people_uploader(page).set_input_files(
        files=[{"name": file_name, "mimeType": "text/csv", "buffer": PEOPLE_CSV}])
    # the upload asks for a run only once its file is on the server: wait for what that run
    # draws, then for the run to end (typing the name mid-run raced with reading the file)
    page.get_by_role("heading", name="2. Preview").wait_for(timeout=120_000)
    settle(page)
    if swap_arms:
        for label, value in (("Value meaning treatment", "control"),
                             ("Value meaning control", "treatment")):
            box = page.locator('[data-testid="stSelectbox"]', has_text=label).locator("input")
            box.click()
            box.fill(value)
            box.press("Enter")
            settle(page)
            assert box.input_value() == value
    box = page.get_by_label("Name for this data set (shown in the sidebar)")
    box.fill(name)
    box.press("Enter")
    settle(page)
    tick = page.get_by_role("checkbox", name="Synthetic (made-up) data")
    if tick.is_checked() != synthetic:
        tick.locator("xpath=ancestor::label").click()
        settle(page)
    page.get_by_role("button", name="Use this data set").click()
    settle(page)
    page.get_by_text("Now using").wait_for()
    chosen = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
    assert chosen.input_value().startswith(name)


def _every_page_text(page) -> dict[str, str]:
    """Visible text of the Overview and every page, reached through the sidebar (one session)."""
    out = {}
    for label in ["Overview", *(p.replace("_", " ") for p in PAGES)]:
        open_page(page, label)
        assert_healthy(page, label)
        out[label] = page.inner_text("body")
    return out


def _download(page, tmp_path, button) -> bytes:
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name=button).click()
    path = tmp_path / f"{id(page)}_{dl.value.suggested_filename}"
    dl.value.save_as(path)
    return path.read_bytes()


def _pack(page, tmp_path) -> dict[str, bytes]:
    open_page(page, "Export")
    page.get_by_role("button", name="Build the board pack").click()
    settle(page, timeout=240_000)
    page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=240_000)
    return {label: _download(page, tmp_path, label)
            for label in ("Slides (.pptx)", "Report (.html)", "Results (.csv)",
                          "Its settings (.csv)", "Results (.xlsx)")}


def _grid_csv(page, tmp_path) -> bytes:
    open_page(page, "Thresholds")
    return _download(page, tmp_path, "Download every combination (CSV)")


def _texts_of(files: dict[str, bytes]) -> str:
    """Text inside the downloads (the .pptx and .xlsx are zips of XML)."""
    import io
    import zipfile

    parts = []
    for raw in files.values():
        if raw[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()
                          if n.endswith(".xml")]
        else:
            parts.append(raw.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_two_sessions_on_one_server_never_see_each_other(server, browser, tmp_path):
    ctx_a = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    ctx_b = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        for p in (a, b):
            p.goto(server)
            settle(p)
        # A: a real-looking trial, not synthetic; pack built first, so it is in any cache
        _upload_and_use(a, A_FILE, A_NAME, synthetic=False)
        pack_a = _texts_of(_pack(a, tmp_path))
        assert A_NAME in pack_a and "Synthetic data,no" in pack_a.replace('"', "")
        grid_a = _grid_csv(a, tmp_path)

        # B: the same bytes under another name, ticked synthetic, arms as A's
        _upload_and_use(b, B_FILE, B_NAME, synthetic=True)
        pages_b = _every_page_text(b)
        files_b = _pack(b, tmp_path)
        files_b["grid"] = _grid_csv(b, tmp_path)
        text_b = _texts_of(files_b)
        for where, text in {**pages_b, "downloads": text_b}.items():
            for token in A_TOKENS:
                assert token not in text, f"{token!r} from session A shown to B on {where}"
        assert B_NAME in text_b and "Synthetic data,yes" in text_b.replace('"', "")
        assert files_b["grid"] == grid_a  # same data, same arms: the same grid, but B's own

        # B re-maps the same name with the arms swapped: no page may keep the old result
        _upload_and_use(b, B_FILE, B_NAME, synthetic=True, swap_arms=True)
        swapped_grid = _grid_csv(b, tmp_path)
        assert swapped_grid != grid_a
        open_page(b, "Overview")
        overview = b.inner_text("body")
        assert overview != pages_b["Overview"]

        # and A still sees only its own data set, unchanged
        open_page(a, "Overview")
        body_a = a.inner_text("body")
        assert A_NAME in body_a and B_NAME not in body_a
        assert _grid_csv(a, tmp_path) == grid_a
    finally:
        ctx_a.close()
        ctx_b.close()


def test_an_upload_is_not_lost_when_a_rerun_overlaps_its_parsing(server, browser, tmp_path):
    """A click while a large file is still being parsed starts a second run of the page
    (Streamlit's fast reruns). Before #18 the second run found the file marked as read but no
    table yet, and the page said "Upload a file above" with the file still in the uploader."""
    import datasets
    import pyarrow.csv as pacsv

    path = tmp_path / "overlap_check.csv"
    pacsv.write_csv(datasets.people(400_000), path)  # about 20 MB: seconds to parse
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = ctx.new_page()
        page.goto(f"{server}/Data")
        settle(page)
        people_uploader(page).set_input_files(
            str(path))
        # the file has reached the server (its name is in the uploader) and the run that reads
        # it has begun: now change a setting, which starts another run of the page
        page.locator('[data-testid="stFileChipName"]', has_text="overlap_check").wait_for(
            timeout=120_000)
        page.locator('[data-testid="stFileChipIconSpinner"]').wait_for(state="detached",
                                                                       timeout=120_000)
        page.wait_for_timeout(300)
        page.get_by_text("One-sided: treatment lower").click()
        settle(page, timeout=240_000)
        main = page.inner_text('[data-testid="stMain"]')
        assert "Upload a file above" not in main
        assert "2. Preview" in main and "overlap_check" in main
    finally:
        ctx.close()


def test_an_upload_finished_while_the_connection_is_down_still_lands(server, browser, tmp_path):
    """The upload reaches the server (answered 204) while the page's websocket is down, as
    happens to a saturated server: the browser then drops the rerun message that tells the
    server about the file ("Cannot send rerun backMessage when disconnected from server") and,
    after reconnecting, asks for no rerun. Before the fix the uploader showed the file and the
    page said "Upload a file above", with no error (the issue's lost uploads)."""
    path = tmp_path / "reconnect_check.csv"
    path.write_bytes(b"arm,knife\n" + b"treatment,1\ncontrol,2\ntreatment,0\ncontrol,3\n" * 150_000)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = ctx.new_page()
        sockets, offline, console = [], {"on": False}, []

        def keep(ws):  # pass the websocket through, keeping a handle to close it
            ws.connect_to_server()
            sockets.append(ws)

        def health(route):  # while "offline" the browser's reconnection attempts fail
            route.abort() if offline["on"] else route.continue_()

        page.route_web_socket("**/_stcore/stream", keep)
        page.route("**/_stcore/health", health)
        page.route("**/_stcore/host-config", health)
        page.on("console", lambda m: console.append(m.text))
        page.goto(f"{server}/Data")
        settle(page)
        # about 6 s on the wire at 1 MB/s, so the connection can drop while the file travels
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                      "downloadThroughput": -1,
                                                      "uploadThroughput": 1_000_000})
        is_put = lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT"  # noqa: E731
        with page.expect_response(is_put, timeout=120_000) as answer:
            with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url
                                     and r.method == "PUT"):
                people_uploader(page).set_input_files(
                    str(path))
            page.wait_for_timeout(2_000)  # the server has taken the request and its session
            offline["on"] = True
            sockets[-1].close()
        assert answer.value.status == 204, "the upload should reach the server"
        page.wait_for_timeout(1_500)  # the uploader finishes and sends its rerun: dropped
        assert any("Cannot send rerun backMessage" in t for t in console), (
            "the scenario did not happen: the uploader's rerun message was not dropped")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                      "downloadThroughput": -1,
                                                      "uploadThroughput": -1})
        offline["on"] = False
        page.locator('[data-testid="stMain"] h2', has_text="2. Preview").wait_for(
            timeout=120_000)
        settle(page, timeout=120_000)
        main = page.inner_text('[data-testid="stMain"]')
        assert "Upload a file above" not in main
        assert "2. Preview" in main and "reconnect_check" in main and "600,000 rows" in main
    finally:
        ctx.close()
