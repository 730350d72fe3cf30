"""A choice made on a page is still there after a visit to another page (AppTest).

Streamlit drops the state of every widget the last run did not draw, so before
``dashboard.state.remember`` a presenter who set the Cost page's funding, the Export page's
small-number threshold or the How sure page's smallest effect, looked at the Overview and came
back found the defaults again (and could build a pack with less protection than chosen)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]

# (page, widget kind, key, a value other than the default)
CHOICES = [
    ("pages/9_Export.py", "number_input", "export_threshold", 20),
    ("pages/9_Export.py", "selectbox", "export_rounding", 5),
    ("pages/9_Export.py", "checkbox", "export_nonzero", True),
    ("pages/5_Cost.py", "number_input", "cost_funding", 123000.0),
    ("pages/5_Cost.py", "number_input", "cost_scale_people", 350),
    ("pages/7_Planning.py", "selectbox", "planning_outcome", "suspect_harm"),
    ("pages/7_Planning.py", "number_input", "planning_reduction", 25.0),
    ("pages/7_Planning.py", "number_input", "planning_fixed_nt", 300),
    ("pages/11_How_sure.py", "number_input", "hs_sesoi", 25.0),
    ("pages/1_Outcomes.py", "selectbox", "outcomes_detail_outcome", "suspect_violent"),
    ("pages/1_Outcomes.py", "radio", "outcomes_prior", "sceptical"),
    ("pages/1_Outcomes.py", "slider", "outcomes_min_change", 25),
    ("pages/4_Engagement.py", "selectbox", "engagement_outcome", "suspect_harm"),
    ("pages/10_Over_time.py", "selectbox", "ot_role", "victim"),
]


def _widget(at, kind, key):
    return getattr(at, kind)(key=key)


@pytest.mark.parametrize("page,kind,key,value", CHOICES, ids=[c[2] for c in CHOICES])
def test_a_choice_survives_a_visit_to_another_page(page, kind, key, value):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    w = _widget(at, kind, key)
    before = w.value
    assert before != value
    if kind == "checkbox":
        w.check() if value else w.uncheck()
    else:
        w.set_value(value)
    at.run()
    chosen = _widget(at, kind, key).value
    assert chosen != before
    for there in ("app.py", page):  # the Overview, then back
        at.switch_page(there)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert _widget(at, kind, key).value == chosen


def test_published_results_column_choices_survive_and_follow_the_file():
    """An uploaded summary table stays in the session; which column holds what stays with it,
    and a new file starts from its own guesses."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/6_Published_results.py")
    at.run()
    at.radio(key="published_source").set_value("Upload another summary table").run()
    csv = b"outcome,t,df,p,p_two\nearnings,2.674,307.1,0.004,0.008\n"
    at.file_uploader(key="published_file").set_value(("t.csv", csv, "text/csv")).run()
    assert at.selectbox(key="published_col_p").value == "p"
    at.selectbox(key="published_col_p").set_value("p_two").run()
    for there in ("app.py", "pages/6_Published_results.py"):
        at.switch_page(there)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="published_source").value == "Upload another summary table"
    assert at.selectbox(key="published_col_p").value == "p_two"
    other = b"outcome,t,df,p\nknife,1.2,80,0.2\n"
    at.file_uploader(key="published_file").set_value(("u.csv", other, "text/csv")).run()
    assert at.selectbox(key="published_col_p").value == "p"


def test_the_sidebar_checks_subgroup_columns_once_per_table(monkeypatch):
    """Every page draws the sidebar; its subgroup check reads every column of every person,
    so it runs once per data set and arms, not on every page (about 1 s at a million rows)."""
    import fd_stats.data.mapping as mapping

    calls = []
    real = mapping.subgroup_eligibility
    monkeypatch.setattr(mapping, "subgroup_eligibility",
                        lambda *a, **k: calls.append(a[1:4]) or real(*a, **k))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    for page in ("pages/1_Outcomes.py", "pages/2_Subgroups.py", "app.py"):
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert len(calls) == 1
    assert at.sidebar.selectbox(key="w_subgroup").options[1:]  # still offered
