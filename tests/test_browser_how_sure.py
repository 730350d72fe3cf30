"""A board member's route in a real Chromium at 1280x720: the Overview shows how sure we can
be beside the headline, in the first screen, and its link opens the details page.
Uses the fixtures of test_browser (the app started with `make run`, Debian's Chromium)."""
import pytest

from test_browser import assert_healthy, browser, page, server, settle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_overview_panel_in_first_screen_and_link_to_details(server, page):  # noqa: F811
    page.goto(server)
    settle(page)
    panel = page.get_by_text("How sure can we be?", exact=True)
    panel.wait_for(timeout=30_000)
    box = panel.bounding_box()
    assert box and box["y"] + box["height"] <= 720, "the panel heading is below the first screen"
    rating = page.get_by_text("of 5 padlocks:", exact=False).first
    assert rating.is_visible()
    assert page.locator("[aria-label$='of 5 padlocks']").count() >= 1
    page.get_by_role("link", name="Why? See the details").click()
    settle(page)
    assert_healthy(page, "How sure")
    main = page.inner_text('[data-testid="stMain"]')
    assert "How sure can we be?" in main and "In one sentence." in main
    assert "What would raise the rating" in main and "rule out a reduction larger than" in main
