"""AppTest checks of the programme-view pages: Engagement, Cost, Published results, Planning.

Reference figures: engagement 17/20 and 10/25 and GBP 150,000 over 45 cases
(the report); the 8 one-sided rows of Appendix B (DOMAIN.md); sample sizes
from R ``power.t.test`` (calls quoted beside each value).
"""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fd_stats.report.safe_text import md

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["4_Engagement.py", "5_Cost.py", "6_Published_results.py", "7_Planning.py"]


def run(page):
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at):
    out = []
    for kind in ("markdown", "caption", "success", "warning", "info", "error", "metric"):
        for el in getattr(at, kind):
            out.append(str(el.value))
    return "\n".join(out)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_error(page):
    at = run(page)
    assert not at.error, [e.value for e in at.error]


def test_engagement_shows_cohort_rates_and_flow():
    at = run("4_Engagement.py")
    body = texts(at)
    assert "**17 of 20** engaged" in body
    assert "**10 of 25** engaged" in body
    assert "**Eligible**: not reported" in body
    assert "exclusion restriction" in body.lower() and "monotonicity" in body.lower()
    assert "assigned at random" in body              # synthetic engagement warning
    assert len(at.get("plotly_chart")) >= 4


def test_engagement_other_outcome_and_one_sided():
    at = run("4_Engagement.py")
    at.selectbox(key="engagement_outcome").set_value("suspect_harm").run()
    assert not at.exception
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    assert not at.exception and not at.error


def test_cost_per_case():
    at = run("5_Cost.py")
    body = texts(at)
    # 150,000 / 45 = 3,333.33 (report: GBP 150,000 funding, 45 cases)
    assert "£150,000 ÷ 45 cases = **£3,333 per case**" in body
    assert "no upper limit" in body                  # knife interval includes no effect
    assert "2015/16" in body


def test_cost_bad_input_is_a_message():
    at = run("5_Cost.py")
    at.number_input(key="cost_cases").set_value(0).run()
    assert not at.exception
    assert any("at least one person" in e.value for e in at.error)


def test_published_results_flags_eight_one_sided_rows():
    at = run("6_Published_results.py")
    body = texts(at)
    assert "8 of 20 reported p-values are one-sided (treatment lower)" in body
    # the printed p is the file's text, shown Markdown-escaped (it renders as 0.03036)
    assert f"p = {md('0.03036')} is two-sided p = 0.0607" in body
    # two tables (one wide one was cut off at 1280 px), joined on the row name
    table = at.table[0].value.reset_index().merge(at.table[1].value.reset_index(), on="Row")
    assert len(table) == 20
    assert table["The printed p is"].str.endswith("one-sided").sum() == 8
    assert (table["The printed p is"] == "two-sided").sum() == 12
    # -53.50 printed vs -53.54 from the printed means 221.86 / 477.57: every printed
    # percentage ends in 0, so they are 1-decimal values padded, and -53.5 is consistent
    row = table[table["Row"] == md("all ages: crime harm as suspect")].iloc[0]  # st.table: Markdown
    assert row["% change from printed means"] == "-53.54"
    assert row["% change check"].startswith("✔")
    assert not table["% change check"].str.startswith("✘").any()
    assert "likelihood" not in table["What the p-value means"].str.cat().lower()


def test_published_results_upload_and_bad_upload():
    at = run("6_Published_results.py")
    at.radio(key="published_source").set_value("Upload another summary table").run()
    csv = (ROOT / "data" / "focused_deterrence" / "appendix_b.csv").read_bytes()
    at.file_uploader[0].set_value(("mine.csv", csv, "text/csv")).run()
    assert not at.exception
    assert "8 of 20 reported p-values are one-sided" in texts(at)
    at.file_uploader[0].set_value(("bad.csv", b"\x00\x01\x02garbage", "text/csv")).run()
    assert not at.exception
    assert at.error


def test_planning_sample_size_matches_r():
    at = run("7_Planning.py")
    at.radio(key="planning_source").set_value("Type values").run()
    at.number_input(key="planning_mean").set_value(0.63).run()
    at.number_input(key="planning_sd").set_value(1.13).run()
    assert not at.exception
    # R: power.t.test(delta=0.252, sd=1.13, power=0.8, sig.level=0.05)$n -> 316.6042786
    # (0.252 = 40% of 0.63) -> 317 per arm
    body = texts(at)
    assert "about **317 per arm (634 in all)**" in body
    assert "unrounded n = 316.60" in body


def test_planning_one_sided_matches_r():
    at = run("7_Planning.py")
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    at.radio(key="planning_source").set_value("Type values").run()
    at.number_input(key="planning_mean").set_value(0.6279).run()
    at.number_input(key="planning_sd").set_value(1.13).run()
    at.select_slider(key="planning_power").set_value(0.9).run()
    assert not at.exception
    # R: power.t.test(delta=0.4*0.6279, sd=1.13, power=0.9, sig.level=0.05,
    #                 alternative="one.sided")$n -> 347.3792912
    body = texts(at)
    assert "unrounded n = 347.38" in body
    assert "about **348 per arm (696 in all)**" in body


def test_planning_zero_sd_is_a_message():
    at = run("7_Planning.py")
    at.radio(key="planning_source").set_value("Type values").run()
    at.number_input(key="planning_sd").set_value(0.0).run()
    assert not at.exception
    assert at.error


def test_cost_uses_difference_in_means_under_rank_test():
    at = run("5_Cost.py")
    at.sidebar.selectbox(key="w_test").set_value("mann-whitney").run()
    assert not at.exception
    body = texts(at)
    assert "uses the Welch t interval for the difference in means" in body
    assert "£150,000 ÷ 45 cases = **£3,333 per case**" in body


# ---------------------------------------------------------------- review items 1 and 2

def _all_text(at):
    """Every text a reader sees: page text, chart titles/subtitles, table cells."""
    import json
    out = [texts(at)]
    for c in at.get("plotly_chart"):
        layout = json.loads(c.proto.spec)["layout"]
        title = layout.get("title", {})
        out.append(str(title.get("text", "")))
        out.append(str(title.get("subtitle", {}).get("text", "")))
    for df in [*at.dataframe, *at.table]:
        out.append(df.value.astype(str).to_csv())
    return "\n".join(out)


def test_cost_one_sided_has_no_inf_or_zero_interval_ends():
    import re
    at = run("5_Cost.py")
    at.sidebar.radio(key="w_alternative").set_value("less").run()
    assert not at.exception and not at.error
    body = _all_text(at)
    assert not re.search(r"(?<![A-Za-z])-?inf(?![A-Za-z])", body), \
        [ln for ln in body.splitlines() if re.search(r"(?<![A-Za-z])-?inf(?![A-Za-z])", ln)]
    assert not re.search(r"£0(?![\d,.])", body), \
        [ln for ln in body.splitlines() if re.search(r"£0(?![\d,.])", ln)]
    assert "no upper limit" in body
    assert "at least" in body                          # an open end worded as a bound


def test_cost_benefit_title_carries_interval_and_upper_end_label():
    import json
    at = run("5_Cost.py")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"]
              for c in at.get("plotly_chart")]
    bc = [t for t in titles if "of offences prevented for" in t]
    assert bc and "Upper-end valuation" in bc[0] and "interval runs from" in bc[0]


def _uploaded_trial():
    """An uploaded-style data set (own column names and levels, no cost metadata)."""
    import numpy as np
    import pandas as pd
    from fd_stats.data.mapping import build_trial, guess_mapping
    rng = np.random.default_rng(7)
    n = 80
    arm = np.where(np.arange(n) % 2 == 0, "Intervention", "BAU")
    df = pd.DataFrame({
        "Ref": [f"P{i:03d}" for i in range(n)],
        "Allocation": arm,
        "Age band": np.where(np.arange(n) % 4 < 2, "Under 18", "18 and over"),
        "Knife offences 12m": rng.poisson(np.where(arm == "Intervention", 0.4, 0.7)),
        # harm higher with the programme, so "prevented" is negative (an increase)
        "Harm score": np.round(rng.gamma(2.0, np.where(arm == "Intervention", 60, 40)), 1),
    })
    m = guess_mapping(df)
    for o in m.outcomes:  # the user says which way is better (guesses leave it unset)
        o.direction = "lower"
    m.crime_programme = True  # ... and that the programme is case work about crime
    return build_trial(df, m, "My upload")


def run_uploaded(page):
    trial = _uploaded_trial()
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=90)
    at.session_state["datasets"] = {trial.name: trial}
    at.session_state["cfg_dataset"] = trial.name
    at.run()
    assert not at.exception, at.exception
    return at


def test_cost_uploaded_data_without_costs_shows_no_zero_costs_or_report_text():
    import re
    at = run_uploaded("5_Cost.py")
    assert not at.error, [e.value for e in at.error]
    body = _all_text(at)
    assert "Enter the programme's costs above to see costs per result" in body
    assert not re.search(r"£0(?![\d,.])", body)
    assert "£0 per" not in body
    for report_only in ("11-17", "18-25", "recommended maximum caseload",
                        "the report gives no salaries", "Upper-end valuation"):
        assert report_only not in body, report_only
    labels = " ".join(n.label for n in at.number_input)
    assert "Under 18" in labels and "18 and over" in labels  # the data's own cohort levels
    assert "11-17" not in labels
    assert not re.search(r"-\d[\d,]* (harm days|days of crime harm)? ?prevented", body)
    assert "more" in body                                    # an increase worded as "X more"


def test_cost_uploaded_data_with_costs_entered():
    at = run_uploaded("5_Cost.py")
    at.number_input(key="cost_funding").set_value(100000.0).run()
    assert not at.exception and not at.error
    body = _all_text(at)
    assert "per case**" in body
    assert "Enter the programme's costs above" not in body


def test_engagement_uses_declared_cohorts_without_sidebar_subgroup():
    at = AppTest.from_file(str(ROOT / "pages" / "4_Engagement.py"), default_timeout=90)
    at.run()
    at.sidebar.selectbox(key="w_subgroup").set_value("").run()
    assert not at.exception
    body = texts(at)
    assert "**17 of 20** engaged" in body and "**10 of 25** engaged" in body
    assert "trial.toml" not in body


@pytest.mark.parametrize("page", ["4_Engagement.py", "5_Cost.py", "7_Planning.py"])
def test_synthetic_label_is_an_info_box(page):
    at = run(page)
    assert any("Synthetic data" in i.value for i in at.info)


def test_planning_review_context_only_for_bundled_trial():
    assert "reviews of focused deterrence" in texts(run("7_Planning.py"))
    at = run_uploaded("7_Planning.py")
    assert "reviews of focused deterrence" not in texts(at)
    assert "86 control" not in str(at.number_input(key="planning_ratio").help)
