"""A new user's path in a real browser: a yes/no trial from the file to the Overview.

Upload the file on the Data page, read the guesses and their reasons, press "Use this data
set", follow the confirmation's link to the Overview, which words the outcome in
percentage points and calls nothing favourable until a direction is chosen.
"""
import pytest

from test_any_trial import binary_trial
from test_browser import (assert_healthy, browser, page, people_uploader, server,  # noqa: F401
                          settle)

pytestmark = pytest.mark.browser


def test_new_user_yes_no_trial_to_the_overview(server, page, tmp_path):  # noqa: F811
    path = tmp_path / "test_results.csv"
    binary_trial().to_csv(path, index=False)
    page.goto(f"{server}/Data")
    settle(page)
    people_uploader(page).set_input_files(str(path))
    page.get_by_text("3. Which column is which?").wait_for(timeout=60_000)
    settle(page)
    body = page.inner_text("body")
    assert "Why these guesses" in body
    assert "Choose which way is better for 1 outcome(s)" in body
    page.get_by_text("Why these guesses").click()
    # the table is a canvas grid: its cells are in the DOM for screen readers, not "visible"
    page.get_by_text("a different value on every row, named like an id").first.wait_for(
        state="attached", timeout=30_000)
    page.get_by_role("button", name="Use this data set").click()
    page.get_by_text("Now using").wait_for(timeout=60_000)
    page.get_by_text("See the results on the Overview").click()
    page.get_by_text("Headline results").wait_for(timeout=60_000)
    # the cards and the summary are drawn after the trial checks beside them have run
    page.get_by_text("In plain English").wait_for(timeout=120_000)
    page.get_by_text("percentage points in the share of people").wait_for(timeout=120_000)
    settle(page)
    assert_healthy(page, "Overview after upload")
    body = page.inner_text("body")
    assert "pts" in body and "percentage points" in body
    assert "of people with the programme vs" in body
    assert "not been set" in body and "favourable or unfavourable" in body
    assert "offence" not in body.lower() and "crime" not in body.lower()
