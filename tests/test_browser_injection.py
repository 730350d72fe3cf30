"""The injection corpus uploaded in Chromium and shown on every page: nothing acts.

A person-level CSV whose outcome column names, subgroup values and file name hold links,
bare URLs, maths, HTML, a right-to-left override and a 5,000-character label (and whose arm
values hold the same, chosen as treatment and control by hand) is uploaded on the Data page
and used; every page is then opened at 1280x720 and its DOM checked:
no link to the corpus's site, no rendered maths (KaTeX or MathJax), no right-to-left
override, and every chart's plot area keeps a usable width. (The exports get the same
corpus in test_safe_text.py; the Export page's downloads are opened in test_browser.py.)
"""
import os

import pytest

from injection import ARM_CONTROL, ARM_TREATMENT, EVIL, RLO, corpus_table
from test_browser import (PAGES, assert_healthy, browser, open_page, page,  # noqa: F401
                          people_uploader, server,
                          settle)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FD_SCREENSHOTS")  # a folder: save a screenshot of each page there

CHECK = """() => {
  const html = document.documentElement.outerHTML;
  const links = [...document.querySelectorAll('a[href]')]
      .filter(a => a.getAttribute('href').includes('%s')).length;
  const maths = document.querySelectorAll(
      '.katex, mjx-container, .MathJax, [class*="mathjax"], g.math-output').length;
  const plots = [...document.querySelectorAll('.js-plotly-plot')].map(p => {
      const drag = p.querySelector('.nsewdrag');
      return drag ? drag.getBoundingClientRect().width : null; });
  return {links, maths, rlo: html.includes('\\u202e'), plots};
}""" % EVIL


def test_corpus_through_every_page(server, page, tmp_path):  # noqa: F811
    name = f"[click](https:{EVIL}).csv"
    path = tmp_path / name
    corpus_table().to_csv(path, index=False)
    page.goto(f"{server}/Data")
    settle(page)
    people_uploader(page).set_input_files(str(path))
    page.get_by_role("heading", name="2. Preview").wait_for(timeout=90_000)  # file on the server
    settle(page)
    # the arm values read as neither arm (the guess swaps them): choose them as a user would
    for box_label, value, typed in (("Value meaning treatment", ARM_TREATMENT, "mra"),
                                    ("Value meaning control", ARM_CONTROL, "yyyy")):
        box = page.locator('[data-testid="stSelectbox"]', has_text=box_label).locator("input")
        box.click()
        box.fill(typed)
        box.press("Enter")
        settle(page)
        assert box.input_value() == value.replace(RLO, ""), box_label  # upload drops the RLO
    page.get_by_role("button", name="Use this data set").click()
    settle(page)
    assert_healthy(page, "Data after the corpus upload")
    # the corpus column "area" is the guessed subgroup, so its values reach every page; the
    # arm values are the treatment and control labels wherever a page names the arms
    for where in ["Overview", *(p.replace("_", " ") for p in PAGES)]:
        open_page(page, where)
        assert_healthy(page, where)
        got = page.evaluate(CHECK)
        assert got["links"] == 0, f"{where}: a live link from the data"
        assert got["maths"] == 0, f"{where}: maths rendered from the data"
        assert not got["rlo"], f"{where}: a right-to-left override reached the page"
        narrow = [w for w in got["plots"] if w is not None and w < 150]
        assert not narrow, f"{where}: a chart squeezed to {narrow} px"
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"injection_{where}.png"), full_page=False)
    # the data set's name is the file's, shown as text in the Overview's title
    open_page(page, "Overview")
    assert f"[click](https:{EVIL}) (uploaded)" in page.inner_text("h1").replace("\u200b", "")
