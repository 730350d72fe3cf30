"""The Over time page in headless Chromium at 1280x720: the bundled trial (synthetic dates)
and an uploaded crimes extract (the fictional example files)."""
from pathlib import Path

import pytest

from test_browser import assert_healthy, browser, page, server, settle  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "data" / "examples"
pytestmark = pytest.mark.browser


def test_over_time_page_on_the_bundled_trial_and_an_upload(server, page):  # noqa: F811
    page.goto(f"{server}/Over_time")
    settle(page)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                           timeout=60_000)
    assert_healthy(page, "Over time (bundled)")
    main = page.inner_text('[data-testid="stMain"]')
    assert "Synthetic dates" in main and "Number still at risk" in main
    assert "hazard ratio" in main and "(two-sided)" in main
    assert "Does it fade after support ends?" in page.inner_text(".js-plotly-plot >> nth=2")

    page.get_by_text("Upload a crimes extract").first.click()
    settle(page)
    files = page.locator("input[type=file]")  # column order: crimes, harm | people, groups
    # one file at a time, as a person picks them: each upload asks for a run once its file is
    # on the server, and an input chosen while that run redraws the page can be lost (seen
    # once in a full run: the third chip never came)
    for i, name in enumerate(("crimes_example", "harm_lookup_example", "randomisation_example")):
        files.nth(i).set_input_files(str(EX / f"{name}.csv"))
        # a chip shortens a long name in the middle ("harm_lo...xample.csv"): match its start
        page.locator('[data-testid="stFileChipName"]', has_text=name[:7]).wait_for(
            timeout=90_000)
        page.locator('[data-testid="stFileChipIconSpinner"]').first.wait_for(
            state="detached", timeout=90_000)
        settle(page)
    for label, value in (("Arm column", "allocation"), ("Treatment value", "FD"),
                         ("Control value", "BAU")):
        box = page.get_by_role("textbox", name=label, exact=True)
        box.fill(value)
        box.press("Enter")
        settle(page)
    # enabled once the server has both required files (slow on a busy machine)
    page.wait_for_function("!document.querySelector('[data-testid=stBaseButton-primary]')"
                           ".disabled", timeout=90_000)
    page.get_by_test_id("stBaseButton-primary").click()
    settle(page)
    # the bundled trial's charts are still on screen until the rerun ends: wait for the
    # upload's own note and the sentences under its charts
    page.get_by_text("Windows of 24 months are left out", exact=False).first.wait_for(
        timeout=60_000)
    page.get_by_text("Log-rank test of equal curves", exact=False).first.wait_for(timeout=60_000)
    settle(page)
    assert_healthy(page, "Over time (upload)")
    main = page.inner_text('[data-testid="stMain"]')
    assert "hazard ratio" in main and "Synthetic dates" not in main
    assert "Windows of 24 months are left out" in main
