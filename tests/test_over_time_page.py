"""The Over time page on the bundled trial (synthetic dates) and on an uploaded extract,
and its figure builders. Numbers shown are those of fd_stats.methods.survival (R-checked in
tests/test_survival.py)."""
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.figures_time import km_figure, mcf_figure, window_effect_figure
from dashboard.over_time import load_bundled_extract, over_time_view
from fd_stats.methods.survival import cox, treated_flags
from fd_stats.data.trial import BUNDLED_TRIAL, load_trial

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "pages" / "10_Over_time.py"


@pytest.fixture(scope="module")
def res():
    return load_bundled_extract(BUNDLED_TRIAL, load_trial().meta)


def _text(at):
    # as rendered: Markdown escapes removed (the sentences name offence groups, so the page
    # escapes them)
    text = " ".join(m.value for m in at.markdown) + " " + " ".join(
        w.value for w in at.warning) + " " + " ".join(c.value for c in at.caption)
    return re.sub(r"\\(.)", r"\1", text)


def test_page_on_the_bundled_trial_says_dates_are_synthetic(res):
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    text = _text(at)
    assert "Synthetic dates" in text
    t = res.table
    c = cox(t.suspect_knife_days, t.suspect_knife_event, treated_flags(t.arm))
    assert f"hazard ratio {c.hazard_ratio:.2f} (95% CI {c.ci_low:.2f} to {c.ci_high:.2f}" in text
    assert "(two-sided)" in text and "if the programme had no effect" in text
    assert len(at.get("plotly_chart")) == 3


def test_role_and_group_are_chosen_on_the_page(res):
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    at.selectbox(key="ot_role").set_value("victim").run()
    at.selectbox(key="ot_group").set_value("violent").run()
    assert not at.exception
    t = res.table
    c = cox(t.victim_violent_days, t.victim_violent_event, treated_flags(t.arm))
    assert f"hazard ratio {c.hazard_ratio:.2f}" in _text(at)
    assert "violent crime as victim" in _text(at)


def test_page_asks_for_files_when_uploading():
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    at.radio(key="ot_source").set_value("Upload a crimes extract").run()
    assert not at.exception
    assert any("Upload a crimes extract" in i.value for i in at.info)


def test_view_figures_say_the_finding(res):
    v = over_time_view(res, "suspect", "violent", synthetic=True)
    assert v.figures["km"].layout.title.text.startswith(f"Hazard ratio {v.cox.hazard_ratio:.2f}")
    assert "Synthetic" in v.figures["km"].layout.title.subtitle.text
    assert v.figures["windows"].layout.title.text.startswith("Does it fade after support ends?")
    assert list(v.at_risk.columns[:2]) == ["Month 0", "Month 3"]
    assert v.at_risk.iloc[:, 0].tolist() == [45, 86]


def test_figure_builders_are_pure_and_label_axes(res):
    v = over_time_view(res, "suspect", "knife")
    fig = km_figure(v.km, title="t")
    assert fig.layout.yaxis.tickformat == ".0%" and "Months" in fig.layout.xaxis.title.text
    # both arms drawn, treatment solid and control dashed (not colour alone)
    dashes = {tr.name: tr.line.dash for tr in fig.data if tr.name in ("Offered the programme",
                                                                     "Control")}
    assert dashes == {"Offered the programme": "solid", "Control": "dash"}
    m = mcf_figure(v.mcf, title="m")
    assert m.layout.yaxis.title.text == "Mean per person"
    w = window_effect_figure(v.windows, title="w")
    assert w.layout.yaxis.type == "log"
    symbols = list(w.data[0].marker.symbol)
    assert set(symbols) <= {"circle", "circle-open"} and len(symbols) == len(
        v.windows.dropna(subset=["rate_ratio"]))
    assert np.isfinite(v.windows.rate_ratio).all()


def _upload(at, key, path):
    raw = Path(path).read_bytes() if not isinstance(path, bytes) else path
    name = Path(path).name if not isinstance(path, bytes) else "bad.csv"
    at.file_uploader(key=key).set_value((name, raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def test_uploaded_extract_is_counted_and_a_bad_one_keeps_it():
    ex = ROOT / "data" / "examples"
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    at.radio(key="ot_source").set_value("Upload a crimes extract").run()
    _upload(at, "ot_crimes", ex / "crimes_example.csv")
    _upload(at, "ot_people", ex / "randomisation_example.csv")
    _upload(at, "ot_harm", ex / "harm_lookup_example.csv")
    at.text_input(key="ot_arm").set_value("allocation")
    at.text_input(key="ot_t").set_value("FD")
    at.text_input(key="ot_c").set_value("BAU").run()
    at.button(key="ot_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "hazard ratio" in _text(at) and "Synthetic dates" not in _text(at)
    first = at.session_state["ot_result"]
    _upload(at, "ot_crimes", b"who,when\nA,2023-01-01\n")
    at.button(key="ot_go").click().run()
    assert not at.exception
    assert "no column for the offence" in at.error[0].value or "no column" in at.error[0].value
    assert at.session_state["ot_result"] is first
    assert any("still shows" in i.value for i in at.info)


def test_no_events_in_one_arm_leaves_the_rest_of_the_view(res):
    """A group with no events among the treated: no hazard ratio (a note says why), but the
    curves, the log-rank test and the month-by-month counts still show."""
    import copy

    r = copy.deepcopy(res)
    treated = r.table.arm == "treatment"
    r.table.loc[treated, "suspect_knife_event"] = 0
    v = over_time_view(r, "suspect", "knife")
    assert v.cox is None and v.sentences["hazard"] == ""
    assert any(n.startswith("Hazard ratio: No events in the treatment arm") for n in v.notes)
    assert "not estimable" in v.figures["km"].layout.title.text
    assert "Log-rank" in v.sentences["logrank"] and len(v.mcf)
