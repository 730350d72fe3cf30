"""AppTest for the explore pages (Overview, Outcomes, Subgroups, Thresholds): they run on the
bundled data, and when the sidebar settings change the values shown change as fd_stats says."""
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from fd_stats.report.safe_text import md
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fd_stats import Settings, analyse
from fd_stats.subgroups import interaction_test
from fd_stats.thresholds import depends_on_choice, grid_methods, threshold_grid
from fd_stats.data.trial import load_trial
from fd_stats.report.wording import SYNTHETIC_LABEL, fmt_p, p_text

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "overview": ROOT / "app.py",
    "outcomes": ROOT / "pages" / "1_Outcomes.py",
    "subgroups": ROOT / "pages" / "2_Subgroups.py",
    "thresholds": ROOT / "pages" / "3_Thresholds.py",
}
HEADLINES = ["suspect_harm", "suspect_knife", "suspect_violent"]


@pytest.fixture(scope="module")
def trial():
    return load_trial()


def run(page):
    at = AppTest.from_file(str(PAGES[page]), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def expected(trial, **settings):
    res = analyse(trial.table, trial.mapping, Settings(**settings))
    return res[res["subgroup"] == "All"].set_index("outcome")


def card_p_texts(at):
    """The p-value line of each headline card, in card order."""
    return [m.value for m in at.markdown
            if (m.value.startswith("p ") or "-adjusted p" in m.value) and "," in m.value
            and len(m.value) < 90]


def badges(at):
    return [m.value for m in at.markdown if "-badge[" in m.value]


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_without_exception_and_labels_synthetic(page):
    at = run(page)
    assert not at.error
    assert any(SYNTHETIC_LABEL in i.value for i in at.info)
    assert at.title and at.title[0].value


def test_overview_cards_follow_settings(trial):
    at = run("overview")
    assert "Focused Deterrence" in at.title[0].value
    exp = expected(trial)
    assert card_p_texts(at) == [p_text(exp.loc[o, "p_value"], "two-sided") for o in HEADLINES]
    assert badges(at) == [":green-badge[:material/check_circle: Significant at 0.05]"
                          if exp.loc[o, "significant"] else
                          ":gray-badge[:material/remove: Not significant at 0.05]"
                          for o in HEADLINES]
    summary = [m.value for m in at.markdown if m.value.startswith("Comparing ")]
    assert len(summary) == 1 and "two-sided" in summary[0]
    key = [m.value for m in at.markdown if "**p-value.**" in m.value][0]
    assert "probability of seeing a difference at least this large" in key
    assert "Likelihood of chance" in key and "one-sided" in key

    # One-sided: the knife p-value is half the two-sided one (Report: 0.08084 vs 0.1617).
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    assert not at.exception
    less = expected(trial, alternative="less")
    shown = card_p_texts(at)
    assert shown == [p_text(less.loc[o, "p_value"], "less") for o in HEADLINES]
    assert "p = 0.081, one-sided (treatment lower)" == shown[1]
    assert less.loc["suspect_knife", "p_value"] == pytest.approx(
        exp.loc["suspect_knife", "p_value"] / 2, rel=1e-9)

    # alpha 0.10: the one-sided knife result is now significant
    at.sidebar.select_slider(key="w_alpha").set_value(0.10).run()
    assert badges(at)[1] == ":green-badge[:material/check_circle: Significant at 0.1]"

    # a correction: cards show the adjusted p and say so
    at.sidebar.selectbox(key="w_correction").set_value("holm").run()
    holm = expected(trial, alternative="less", correction="holm", alpha=0.10)
    assert card_p_texts(at) == [p_text(holm.loc[o, "p_adjusted"], "less", True, "holm")
                                for o in HEADLINES]
    assert all(t.startswith("Holm-adjusted p") for t in card_p_texts(at))
    assert [("Significant at 0.1" in b) for b in badges(at)] == \
        [bool(holm.loc[o, "significant"]) for o in HEADLINES]

    # another test
    at.sidebar.selectbox(key="w_correction").set_value("none").run()
    at.sidebar.selectbox(key="w_test").set_value("mann-whitney").run()
    mw = expected(trial, alternative="less", test="mann-whitney")
    assert card_p_texts(at) == [p_text(mw.loc[o, "p_value"], "less") for o in HEADLINES]


def test_outcomes_table_follows_settings(trial):
    at = run("outcomes")
    table = at.table[0].value
    exp = expected(trial)
    assert len(table) == 10
    assert "p (two-sided)" in table.columns
    assert table["p (two-sided)"].tolist() == [fmt_p(p) for p in exp["p_value"]]
    assert "Significant at 0.05?" in table.columns
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    at.sidebar.selectbox(key="w_correction").set_value("bonferroni").run()
    table = at.table[0].value
    exp = expected(trial, alternative="less", correction="bonferroni")
    raw_col = "p (one-sided (treatment lower))"
    assert table[raw_col].tolist() == [fmt_p(p) for p in exp["p_value"]]
    assert table["Bonferroni-adjusted p"].tolist() == [fmt_p(p) for p in exp["p_adjusted"]]
    assert table["Significant at 0.05?"].tolist() == [
        "✔ Yes" if s else "— No" for s in exp["significant"]]
    # the forest plot's interval level follows the confidence-level setting
    at.sidebar.select_slider(key="w_confidence_level").set_value(0.9).run()
    forest = [c for c in charts(at) if "% change" in json.dumps(c["layout"].get("xaxis", {}))]
    assert forest and forest[0]["layout"]["xaxis"]["title"]["text"] == \
        "% change from control (90% CI), log scale"


def test_outcomes_detail_view_shows_every_test(trial):
    at = run("outcomes")
    at.selectbox(key="outcomes_detail_outcome").set_value("suspect_knife").run()
    detail = at.table[1].value
    # every method of the registry, the primary (the sidebar's, Welch by default) first
    assert list(detail.index) == ["Welch t-test (primary)", "Student t-test", "Mann-Whitney U",
                                  "Permutation test", "Poisson rate ratio (robust SE)",
                                  "Negative-binomial rate ratio", "Adjusted difference (Lin)",
                                  "Blocked difference (strata)", "Prevalence: risk difference",
                                  "Prevalence: risk ratio"]
    # R: t.test(x, y)$p.value -> 0.1616877256 (knife as suspect, all ages)
    assert detail.loc["Welch t-test (primary)", "p-value"] == "p = 0.16, two-sided"
    assert "Monte Carlo" in detail.loc["Permutation test", "Details"] or \
        "exact" in detail.loc["Permutation test", "Details"]
    assert detail.loc["Poisson rate ratio (robust SE)", "Scale"].startswith("ratio")
    assert any("Fieller" in c.value and "bootstrap" in c.value for c in at.caption)
    # the ratio-scale plot of the same effect by method
    assert any("by method" in json.dumps(c["layout"]["title"]) for c in charts(at))


def test_subgroups_page(trial):
    at = run("subgroups")
    assert any("Exploratory" in w.value for w in at.warning)
    inter = interaction_test(trial.table, replace(trial.mapping, subgroup="age_group"))
    itable = at.table[1].value
    assert itable["p (two-sided)"].tolist() == [fmt_p(p) for p in inter["p_value"]]
    assert any("whether the effect differs between subgroups" in m.value for m in at.markdown)
    sub = at.table[0].value
    assert len(sub) == 20  # 10 outcomes x 2 age groups
    at.sidebar.checkbox(key="w_prespecified").check().run()
    assert any("Pre-specified" in s.value for s in at.success)
    assert not any("Exploratory" in w.value for w in at.warning)
    # sidedness changes the subgroup p-values, not the (two-sided) interaction test
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    res = analyse(trial.table, replace(trial.mapping, subgroup="age_group"),
                  Settings(alternative="less"))
    levels = res[res["subgroup"] != "All"]
    shown = at.table[0].value
    col = "p (one-sided (treatment lower))"
    for (label, level), p in zip(zip(levels["label"], levels["subgroup"]), levels["p_value"]):
        # st.table renders Markdown, so the page gives it the data's text escaped
        assert shown.loc[(md(label), md(level)), col] == fmt_p(p)
    assert at.table[1].value["p (two-sided)"].tolist() == [fmt_p(p) for p in inter["p_value"]]
    # no subgroup column: the page says how to choose one
    at.sidebar.selectbox(key="w_subgroup").set_value("").run()
    assert not at.exception
    assert any("Subgroup column" in w.value for w in at.warning)


def test_thresholds_page(trial):
    at = run("thresholds")
    kinds = {o.column: o.kind for o in trial.outcomes}  # the page adds the models by kind
    grid = threshold_grid(trial.table, trial.mapping, Settings(),
                          methods=grid_methods(kinds, trial.mapping))
    sentences = depends_on_choice(grid)
    bullets = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(bullets) == 1
    # as rendered: bold marks and Markdown escapes (the labels are escaped) removed
    shown = [re.sub(r"\\(.)", r"\1", b.replace("**", "")) for b in bullets[0].split("\n")]
    assert shown == [f"- {t}" for t in sentences]
    assert any(t.startswith("- Knife-related crimes as suspect is significant only") for t in shown)
    # the p-value chart's threshold line moves with alpha; the grid outlines that column
    spec = [c for c in charts(at) if c["layout"].get("xaxis", {}).get("type") == "log"][0]
    assert spec["layout"]["shapes"][0]["x0"] == 0.05
    at.sidebar.select_slider(key="w_alpha").set_value(0.15).run()
    spec = [c for c in charts(at) if c["layout"].get("xaxis", {}).get("type") == "log"][0]
    assert spec["layout"]["shapes"][0]["x0"] == 0.15
    exp = expected(trial, alpha=0.15)
    assert spec["layout"]["title"]["text"].startswith(
        f"{int(exp['significant'].sum())} of 10 p-values fall below")
    # sidedness and correction change the shown grid as fd_stats says
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    at.sidebar.selectbox(key="w_correction").set_value("fdr_bh").run()
    exp = expected(trial, alternative="less", correction="fdr_bh")
    heat = [c for c in charts(at) if c["data"] and c["data"][0].get("type") == "heatmap"][0]
    text = np.array(heat["data"][0]["text"])
    cols = heat["data"][0]["x"]
    for i, o in enumerate(exp.index):
        for j, a in enumerate(cols):
            sig = exp.loc[o, "p_adjusted"] < float(a)
            assert text[i, j] == ("✔ sig" if sig else "— ns")
    assert "Benjamini-Hochberg" in json.dumps(heat["layout"]["title"])


def test_ux_fixes_on_overview_outcomes_subgroups(trial):
    # Overview: Appendix B note only for the bundled trial; Mann-Whitney note, no HL line
    at = run("overview")
    assert any("Appendix B" in m.value for m in at.markdown)
    at.sidebar.selectbox(key="w_test").set_value("mann-whitney").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "the Mann-Whitney test compares the whole distributions" in captions
    assert "Hodges-lehmann" not in captions and "Hodges-Lehmann shift" not in captions
    at.sidebar.selectbox(key="w_correction").set_value("holm").run()
    assert any("Adjusted p-values are capped at 1." in c.value for c in at.caption)
    # Outcomes: one-sided intervals without a fake -100%; zero shares in the distribution title
    at = run("outcomes")
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    table = at.table[0].value
    pc_col = next(c for c in table.columns if c.startswith("% change"))
    assert all("100%" not in v for v in table[pc_col]) and all("≤" in v for v in table[pc_col])
    text = " ".join(m.value for m in at.markdown)
    assert "had **none**" in text and "most people had none" not in text
    # Subgroups: readable column name, no "all outcomes outcomes", jargon in an expander
    at = run("subgroups")
    assert "Age group" in at.table[0].value.index.names
    assert not any("Cochran" in m.value for m in at.markdown if m not in
                   [mm for e in at.expander for mm in e.markdown])


def test_subgroup_values_from_an_upload_cannot_become_markdown_links():
    """Level values and the column name are the user's text: shown, never made into links."""
    from fd_stats.data.mapping import ColumnMapping, OutcomeSpec, build_trial

    rng = np.random.default_rng(5)
    n = 80
    col = "[area](http://127.0.0.1:9/col)"
    table = pd.DataFrame({
        "arm": np.repeat(["treatment", "control"], n // 2),
        col: np.tile(["[click](http://127.0.0.1:9/)", "![x](http://127.0.0.1:9/leak.png)"], n // 2),
        "crimes": rng.poisson(2.0, n),
    })
    mapping = ColumnMapping("arm", "treatment", "control", [OutcomeSpec("crimes", "Crimes")],
                            subgroups=[col])
    trial = build_trial(table, mapping, "links (uploaded)")
    at = AppTest.from_file(str(PAGES["subgroups"]), default_timeout=120)
    at.session_state["datasets"] = {"links (uploaded)": trial}
    at.session_state["cfg_dataset"] = "links (uploaded)"
    at.session_state["cfg_subgroup"] = col
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in at.markdown] + [str(t.value) for t in at.table]
    assert any("click" in v for v in shown)  # the levels are on the page ...
    assert not any("](http" in v for v in shown)  # ... as text, not links or images
