"""Every page runs with each kind of primary method chosen in the sidebar (rate ratio,
risk difference, adjusted difference): no exception, and the method's scale is shown."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fd_stats import Settings, analyse
from fd_stats.data.trial import load_trial

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py"] + sorted((ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("method", ["poisson", "prevalence"])
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_pages_run_with_every_kind_of_method(page, method):
    at = AppTest.from_file(str(page), default_timeout=180)
    at.session_state["cfg_test"] = method
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_outcomes_table_shows_the_rate_ratio_when_poisson_is_primary():
    at = AppTest.from_file(str(ROOT / "pages" / "1_Outcomes.py"), default_timeout=180)
    at.session_state["cfg_test"] = "poisson"
    at.run()
    table = at.table[0].value
    # harm days (a score) give a ratio of means, the counts rate ratios: the header names both
    col = next(c for c in table.columns if c.startswith("Ratio of means or rate ratio"))
    trial = load_trial()
    res = analyse(trial.table, trial.mapping, Settings(test="poisson"))
    first = res[res["subgroup"] == "All"].iloc[0]
    assert first["outcome"] == "suspect_harm" and first["estimate_label"] == "ratio of means"
    assert table[col].iloc[0].startswith(f"{first['estimate']:.2f}")
    assert any("Percentage change from each outcome's ratio of means or rate ratio" in c.value
               for c in at.caption)


def test_overview_card_shows_the_rate_ratio_on_its_own_scale():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["cfg_test"] = "poisson"
    at.run()
    trial = load_trial()
    res = analyse(trial.table, trial.mapping, Settings(test="poisson"))
    for outcome, name in (("suspect_harm", "Ratio of means"), ("suspect_knife", "Rate ratio")):
        rr = res[(res["outcome"] == outcome) & (res["subgroup"] == "All")].iloc[0]
        want = f"{name}: {rr['estimate']:.2f} ("
        assert any(c.value.startswith(want) for c in at.caption), [c.value for c in at.caption]


def test_pack_methods_name_every_way_the_percent_change_was_made():
    """With Poisson as the primary method the bundled trial's harm row is a ratio of means and
    its counts rate ratios: the board pack's methods section names both, not the first row's."""
    from dashboard.export import _methods

    trial = load_trial()
    s = Settings(test="poisson")
    res = analyse(trial.table, trial.mapping, s)
    text = " ".join(_methods(trial, s, res, 45, 86, None, False))
    assert "from the ratio of means and its interval; from the rate ratio and its interval" in text
