"""Three trials of our own, each from the file through the Data page to every page and the pack.

1. A yes/no outcome: did a person learn their test result (higher is better).
2. Money: earnings in GBP, with the two earlier years as baseline covariates (higher is
   better) and demographics that must be proposed as covariates, not outcomes.
3. Counts with strata: days absent from school, randomised within strata, with last year's
   absence as the baseline (lower is better).

None is a crime trial: no page, summary or pack may speak of offences, crimes, prevention or
case workers, and the yes/no outcome is worded in percentage points. The data are generated
here (seeded), never copied from elsewhere.
"""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fd_stats.data.mapping import guess_spec

ROOT = Path(__file__).resolve().parents[1]
DATA_PAGE = str(ROOT / "pages" / "8_Data.py")
PAGES = ["app.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]
# pages whose fixed content is about the bundled trial or crimes extracts whatever is loaded
TRIAL_FREE = {"pages/6_Published_results.py", "pages/8_Data.py", "pages/10_Over_time.py"}
CRIME_WORDS = re.compile(r"\b(offen[cs]es?|crimes?|criminal|prevented|case ?workers?|caseloads?|"
                         r"knife|police|victims?|reoffend\w*)\b", re.I)


def binary_trial() -> pd.DataFrame:
    rng = np.random.default_rng(2012)
    n = 420
    treat = rng.permutation(np.repeat([1, 0], [240, 180]))
    p = np.where(treat == 1, 0.72, 0.38)
    took_up = np.where(treat == 1, rng.choice(["yes", "no"], n, p=[0.8, 0.2]), None)
    return pd.DataFrame({
        "participant_id": [f"P{i:04d}" for i in range(1, n + 1)],
        "treat": treat,
        "age": rng.integers(18, 70, n),
        "male": rng.integers(0, 2, n),
        "educ_years": rng.integers(0, 16, n),
        "district": rng.choice(["North", "South", "East"], n),
        "took_up_offer": took_up,
        "learned_result": rng.binomial(1, p),
    })


def money_trial() -> pd.DataFrame:
    rng = np.random.default_rng(1978)
    n = 500
    treat = rng.permutation(np.repeat([1, 0], n // 2))
    e20 = np.round(rng.gamma(1.2, 4000, n) * rng.binomial(1, 0.7, n), 2)
    e21 = np.round(0.6 * e20 + rng.gamma(1.2, 2000, n) * rng.binomial(1, 0.7, n), 2)
    e22 = np.round(0.5 * e21 + rng.gamma(1.3, 3500, n) + 900 * treat, 2)
    return pd.DataFrame({
        "id": np.arange(1, n + 1), "treat": treat, "age": rng.integers(17, 55, n),
        "education": rng.integers(3, 17, n), "married": rng.integers(0, 2, n),
        "earnings_2020": e20, "earnings_2021": e21, "earnings_2022": e22,
    })


def count_trial() -> pd.DataFrame:
    rng = np.random.default_rng(2023)
    n = 360
    stratum = np.repeat(["School A", "School B", "School C", "School D"], n // 4)
    arm = np.concatenate([rng.permutation(np.repeat(["intervention", "control"], n // 8))
                          for _ in range(4)])
    prior = rng.negative_binomial(2, 0.2, n)
    days = rng.poisson(np.maximum(0.6 * prior + np.where(arm == "intervention", 1.5, 3.5), 0.1))
    return pd.DataFrame({
        "pupil_ref": [f"S-{i:05d}" for i in range(n)], "stratum": stratum, "group": arm,
        "sex": rng.choice(["F", "M"], n), "days_absent_prior": prior, "days_absent": days,
    })


TRIALS = {
    "binary": dict(
        table=binary_trial, arm=("treat", "1", "0"), pid="participant_id",
        kinds={"learned_result": "binary"}, covariates={"age", "male", "educ_years"},
        edits={"learned_result": {"better": "higher is better"}},
        cost=["per additional person with “learned result”"]),
    "money": dict(
        table=money_trial, arm=("treat", "1", "0"), pid="id",
        kinds={"earnings_2022": "continuous"},
        covariates={"age", "education", "married", "earnings_2020", "earnings_2021"},
        baselines={"earnings_2022": "earnings_2021"},
        edits={"earnings_2022": {"better": "higher is better", "unit": "GBP"}},
        cost=["per GBP 1 of extra earnings 2022"]),
    "counts": dict(
        table=count_trial, arm=("group", "intervention", "control"), pid="pupil_ref",
        kinds={"days_absent": "count"}, covariates={"days_absent_prior"},
        baselines={"days_absent": "days_absent_prior"}, strata=["stratum"],
        edits={"days_absent": {"better": "lower is better"}},
        cost=["per one fewer in “days absent”"]),
}


def page_text(at: AppTest) -> str:
    """Everything a reader sees on a page: text, metrics, tables, chart titles, widget labels."""
    out = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title",
                 "header", "subheader", "text"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for kind in ("selectbox", "radio", "multiselect", "number_input", "checkbox"):
        for w in getattr(at, kind):
            out.append(str(w.label))
            out += [str(o) for o in getattr(w, "options", [])]  # already formatted
    for df in at.dataframe:
        out.append(df.value.astype(str).to_csv())
    for t in at.table:
        out.append(t.value.astype(str).to_csv())
    for c in at.get("plotly_chart"):
        layout = json.loads(c.proto.spec)["layout"]
        title = layout.get("title", {})
        out += [str(title.get("text", "")), str(title.get("subtitle", {}).get("text", ""))]
        for ax in ("xaxis", "yaxis"):
            out.append(str(layout.get(ax, {}).get("title", {}).get("text", "")))
    return "\n".join(out).replace("\\", "")


def through_data_page(name: str):
    """Upload the file, check the guesses, make the user's one choice (direction), use it."""
    spec = TRIALS[name]
    raw = spec["table"]().to_csv(index=False).encode()
    at = AppTest.from_file(DATA_PAGE, default_timeout=120).run()
    at.file_uploader(key="data_file").set_value((f"{name}.csv", raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, spec


@pytest.fixture(scope="module", params=list(TRIALS))
def used(request):
    """(name, session datasets, dataset name) after the Data page's 'Use this data set'."""
    name = request.param
    at, spec = through_data_page(name)
    key = at.session_state["data_base_key"]
    base = at.session_state["data_base"]
    rows = {c: i for i, c in enumerate(base["column"])}
    at.session_state[key] = {"edited_rows": {rows[c]: e for c, e in spec["edits"].items()},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.checkbox(key="data_synthetic").check().run()
    at.button(key="data_use").click().run()
    assert not at.exception
    body = page_text(at)
    assert "Now using" in body
    ds = at.session_state["cfg_dataset"]
    return name, at.session_state["datasets"], ds, at


@pytest.mark.parametrize("name", list(TRIALS))
def test_guessed_specification(name):
    """Arm, id, kinds, covariates (never outcomes), baselines and design, each with a reason."""
    spec = TRIALS[name]
    g, reasons = guess_spec(spec["table"]())
    assert (g.arm, g.treatment, g.control) == spec["arm"]
    assert g.person_id == spec["pid"]
    assert {o.column: o.kind for o in g.outcomes} == spec["kinds"]
    assert set(g.covariates) == spec["covariates"]
    assert not set(g.covariates) & set(g.outcome_columns)
    assert all(o.direction is None for o in g.outcomes)       # only the user knows
    for out, base in spec.get("baselines", {}).items():
        assert next(o for o in g.outcomes if o.column == out).baseline == base
    assert g.design.strata == spec.get("strata", [])
    assert g.design.type == ("stratified" if spec.get("strata") else "simple")
    assert all(r.reason for r in reasons)
    assert g.to_mapping().covariates == tuple(g.covariates)


def test_treatment_only_column_is_not_a_subgroup():
    g, reasons = guess_spec(binary_trial())
    assert g.engagement == "took_up_offer"
    assert "took_up_offer" not in g.subgroups and g.subgroups == ["male", "district"]


def test_data_page_shows_guesses_and_asks_for_direction():
    at, _ = through_data_page("binary")
    assert at.selectbox(key="data_arm").value == "treat"
    assert at.selectbox(key="data_pid").value == "participant_id"
    assert at.multiselect(key="data_outcomes").value == ["learned_result"]
    assert set(at.multiselect(key="data_covariates").value) == {"age", "male", "educ_years"}
    assert "Choose **which way is better**" in " ".join(w.value for w in at.warning)
    assert "took_up_offer" not in at.multiselect(key="data_subgroups").options
    reasons = at.dataframe[1].value  # the 'why these guesses' table
    assert "unique" not in str(reasons) or "id" in str(reasons)
    assert (reasons["proposed as"] == "covariate").any()


def test_every_page_runs_and_speaks_the_outcome(used):
    name, datasets, ds, _ = used
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / page), default_timeout=180)
        at.session_state["datasets"] = datasets
        at.session_state["cfg_dataset"] = ds
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        body = page_text(at)
        assert "Synthetic" in body or page == "pages/6_Published_results.py", page
        if page not in TRIAL_FREE:
            hits = sorted({m.group(0) for m in CRIME_WORDS.finditer(body)})
            assert not hits, (name, page, hits,
                              [ln for ln in body.splitlines() if CRIME_WORDS.search(ln)][:5])
        if page == "pages/10_Over_time.py":   # explains itself; never the bundled trial's results
            assert "is not a crime trial" in body and "Knife" not in body, body[:400]
        if page == "app.py":
            if name == "binary":
                assert "percentage points" in body and " pts" in body
                assert "of people with the programme vs" in body
                # the card's estimate of a yes/no outcome is in points, not a mean of 0/1
                assert re.search(r"Difference in shares: [+-]\d+ percentage points \(95% CI "
                                 r"[+-]\d+ to [+-]\d+ points\), Welch t-test", body), body
            assert "moved in the programme's favour" in body
            assert "no direction set" not in body


def test_cost_lines_are_in_the_outcomes_unit(used):
    name, datasets, ds, _ = used
    at = AppTest.from_file(str(ROOT / "pages" / "5_Cost.py"), default_timeout=120)
    at.session_state["datasets"] = datasets
    at.session_state["cfg_dataset"] = ds
    at.run()
    at.number_input(key="cost_funding").set_value(100000.0).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    body = page_text(at)
    for words in TRIALS[name]["cost"]:
        assert words in body, (name, words)
    assert "Home Office" not in body and "case worker" not in body.lower()
    assert "Benefit-cost" in body and "No value entered" in body   # no value assumed
    assert not CRIME_WORDS.search(body), CRIME_WORDS.findall(body)


def test_export_pack_words(used):
    from dashboard.export import PackOptions, build_content
    from fd_stats import Settings, analyse
    name, datasets, ds, _ = used
    trial = datasets[ds]
    settings = Settings()
    res = analyse(trial.table, trial.mapping, settings)
    pack = build_content(trial, trial.mapping, settings, res, options=PackOptions())
    text = json.dumps([pack.summary, [f.sentence for f in pack.findings],
                       [c.title for c in pack.charts], [c.caption for c in pack.charts]],
                      ensure_ascii=False)
    assert not CRIME_WORDS.search(text), CRIME_WORDS.findall(text)
    from dashboard.export import html_bytes
    html = html_bytes(pack).decode()
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S))
    assert len(words) > 2000 and not CRIME_WORDS.search(words), CRIME_WORDS.findall(words)
    if name == "binary":
        assert "percentage points" in words
        assert "percentage points" in text and "risk ratio" in text
        assert "% of people with the programme" in text


def test_export_page_runs(used):
    name, datasets, ds, _ = used
    at = AppTest.from_file(str(ROOT / "pages" / "9_Export.py"), default_timeout=180)
    at.session_state["datasets"] = datasets
    at.session_state["cfg_dataset"] = ds
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_word_check_can_fail_on_the_crime_trial():
    """The same text collection finds crime words on the bundled (crime) trial's pages."""
    for page in ("app.py", "pages/5_Cost.py", "pages/4_Engagement.py"):
        at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
        assert CRIME_WORDS.search(page_text(at)), page


def test_published_audit_one_sided_either_direction():
    """A printed p = 0.004 for t = 2.674, df = 307.1 is one-sided 'treatment higher'.

    R (tests/r/published_sidedness.R): pt(2.674, 307.1, lower.tail = FALSE) = 0.00394818339318749;
    2 * pt(-2.674, 307.1) = 0.00789636678637499.
    """
    from fd_stats.methods.summary import audit_published_table
    t = pd.DataFrame({"t": ["2.674", "-2.674", "2.674", "2.674"], "df": ["307.1"] * 4,
                      "p_reported": ["0.004", "0.004", "0.008", "0.04"]})
    a = audit_published_table(t, one_sided_direction="either")
    assert list(a["sidedness"]) == ["one-sided", "one-sided", "two-sided", "inconsistent"]
    assert list(a["one_sided_direction"][:2]) == ["greater", "less"]
    assert a["p_one_sided"].iloc[0] == pytest.approx(0.00394818339318749, abs=1e-9)
    assert a["p_two_sided"].iloc[0] == pytest.approx(0.00789636678637499, abs=1e-9)
    # the old fixed direction would call the first row inconsistent
    assert audit_published_table(t)["sidedness"].iloc[0] == "inconsistent"


def test_published_page_upload_says_what_it_needs_and_reads_either_direction():
    at = AppTest.from_file(str(ROOT / "pages" / "6_Published_results.py"), default_timeout=120)
    at.run()
    at.radio(key="published_source").set_value("Upload another summary table").run()
    assert "t statistic" in page_text(at) and "degrees of freedom" in page_text(at)
    csv = b"outcome,t,df,p\nearnings,2.674,307.1,0.004\n"
    at.file_uploader(key="published_file").set_value(("t.csv", csv, "text/csv")).run()
    assert not at.exception
    body = page_text(at)
    assert "1 of 1 reported p-values are one-sided (treatment higher)" in body
    tables = "".join(t.value.to_csv() for t in [*at.table, *at.dataframe])
    assert "treatment higher" in tables and "inconsistent" not in tables


def test_guesses_on_public_trial_shapes():
    """The two public trials the issue names, in shape (values generated here): an incentive
    trial with a village number, a person id coded 1/2-like numbers and 0/1 columns; a
    job-training trial with re74/re75 earlier earnings beside re78."""
    rng = np.random.default_rng(5)
    n = 300
    incentive = pd.DataFrame({
        "id": np.arange(1, n + 1), "villnum": rng.integers(1, 40, n),
        "any": rng.integers(0, 2, n), "age": rng.integers(15, 80, n),
        "male": rng.integers(0, 2, n), "got": rng.integers(0, 2, n)})
    g, reasons = guess_spec(incentive)
    assert g.arm != "id" and g.person_id == "id"
    assert "villnum" not in g.outcome_columns
    # 'any' and 'got' are both unnamed 0/1 columns: the earlier one is proposed, flagged
    assert g.arm == "any" and {o.column: o.kind for o in g.outcomes} == {"got": "binary"}
    why = {r.column: r.reason for r in reasons}
    assert "arm" in {r.role for r in reasons if r.column == g.arm}
    assert "check it" in why[g.arm]          # a 0/1 column not named as allocation: flagged
    jobs = pd.DataFrame({
        "treat": rng.integers(0, 2, n), "age": rng.integers(17, 55, n),
        "educ": rng.integers(3, 17, n), "black": rng.integers(0, 2, n),
        "re74": rng.gamma(1, 3000, n), "re75": rng.gamma(1, 3000, n),
        "re78": rng.gamma(1, 5000, n)})
    g, reasons = guess_spec(jobs)
    assert g.arm == "treat" and g.outcome_columns == ["re78"]
    assert next(o for o in g.outcomes).baseline == "re75"       # the latest earlier year
    assert {"re74", "re75", "age", "educ", "black"} <= set(g.covariates)


def test_pack_command_reads_a_saved_mapping(tmp_path):
    """`python -m dashboard.pack_cli file --mapping spec.json`: the saved directions, kinds."""
    from dashboard.pack_cli import main
    df = binary_trial()
    g, _ = guess_spec(df)
    g.outcomes[0].direction = "higher"
    (tmp_path / "t.csv").write_text(df.to_csv(index=False))
    (tmp_path / "spec.json").write_text(g.to_json())
    main([str(tmp_path / "t.csv"), "--mapping", str(tmp_path / "spec.json"),
          "--out", str(tmp_path / "out"), "--formats", "csv,html"])
    html = next((tmp_path / "out").glob("*.html")).read_text()
    assert "percentage points" in html and "moved in the programme" in html
    assert not CRIME_WORDS.search(re.sub(r"<[^>]+>", " ", html.split("</style>")[-1]))


def test_thresholds_one_sided_looks_the_favourable_way():
    """For an outcome where higher is better, the grid's one-sided test is 'treatment higher'
    (a one-sided 'lower' test of a favourable rise would call it never significant)."""
    from fd_stats.data.mapping import build_trial
    df = money_trial()
    g, _ = guess_spec(df)
    g.outcomes[0].direction = "higher"
    trial = build_trial(df, g, "money")
    at = AppTest.from_file(str(ROOT / "pages" / "3_Thresholds.py"), default_timeout=180)
    at.session_state["datasets"] = {trial.name: trial}
    at.session_state["cfg_dataset"] = trial.name
    at.run()
    assert not at.exception
    body = page_text(at)
    assert "one-sided (treatment higher)" in body and "significant only with a two-sided" not in body


def test_effect_sentences_by_kind():
    """Money in its unit with the difference and its interval; yes/no in points; the favourable
    tag only once a direction is set."""
    from fd_stats import Settings, analyse
    from fd_stats.data.mapping import build_trial
    from fd_stats.report.wording import effect_sentence_for
    df = money_trial()
    g, _ = guess_spec(df)
    trial = build_trial(df, g, "m")
    row = analyse(trial.table, trial.mapping, Settings()).iloc[0]
    unset = effect_sentence_for(row, trial.outcomes[0])
    assert "favourable" not in unset and "difference +" in unset
    g.outcomes[0].direction, g.outcomes[0].unit = "higher", "GBP"
    text = effect_sentence_for(row, g.outcomes[0])
    d, lo, hi = row["difference"], row["ci_low"], row["ci_high"]
    assert f"difference {d:+,.0f} GBP per person, 95% CI {lo:+,.0f} to {hi:+,.0f}" in text
    assert "increase (favourable)" in text
    g.outcomes[0].direction = "lower"
    assert "increase (unfavourable)" in effect_sentence_for(row, g.outcomes[0])
