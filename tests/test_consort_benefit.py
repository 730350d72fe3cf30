"""Unit tests of fd_stats.programme.consort and fd_stats.programme.benefit.

Reference values are the trial's published counts (DOMAIN.md / the report),
R output (calls quoted), or arithmetic done by hand in the comments.
"""
import math

import numpy as np
import pandas as pd
import pytest

from fd_stats import DataError, Mapping
from fd_stats.programme.benefit import benefit_cost, expected_prevented, scale_up_table
from fd_stats.programme.consort import (NOT_RECORDED, consort_flow, engagement_by_group,
                              non_engagement_reasons, parse_flags)
from fd_stats.data.trial import load_trial


@pytest.fixture(scope="module")
def trial():
    return load_trial()


# ---------------------------------------------------------------- bundled trial (report counts)

def test_flow_counts_match_the_report(trial):
    f = consort_flow(trial.table, trial.mapping, trial.meta)
    assert f.eligible is None                      # the report gives no number eligible
    assert f.randomised == 131                     # 45 + 86 (control size inferred in DOMAIN.md)
    assert f.treatment.allocated == 45
    assert f.control.allocated == 86
    assert f.treatment.engaged == 27               # 17 (11-17) + 10 (18-25)
    assert f.treatment.not_engaged == 18           # 3 + 15
    assert f.control.engaged is None               # control arm never offered the programme
    # 18-25: 2 secure estate, 1 withdrawn, 1 wanted, 7 uncontactable, 4 unexplained; 11-17: 3
    assert dict(f.treatment.reasons) == {
        "uncontactable": 7, "secure estate": 2, "wanted by police": 1,
        "withdrawn (mental-health suitability)": 1, NOT_RECORDED: 7}
    assert f.treatment.reasons[-1][0] == NOT_RECORDED
    assert all(n == 45 for _, n in f.treatment.analysed)
    assert all(n == 86 for _, n in f.control.analysed)
    assert f.notes == ()
    table = f.to_frame()
    assert table.iloc[0]["treatment"] == "not reported"


def test_reasons_per_cohort(trial):
    r = non_engagement_reasons(trial.table, trial.mapping, "non_engagement_reason", "age_group")
    got = {(g, reason): n for g, reason, n in r.itertuples(index=False)}
    assert got == {("11-17", NOT_RECORDED): 3, ("18-25", "secure estate"): 2,
                   ("18-25", "withdrawn (mental-health suitability)"): 1,
                   ("18-25", "wanted by police"): 1, ("18-25", "uncontactable"): 7,
                   ("18-25", NOT_RECORDED): 4}
    assert r["count"].sum() == 18


def test_engagement_by_cohort_matches_r_prop_test(trial):
    rates = engagement_by_group(trial.table, trial.mapping, "age_group").set_index("group")
    assert (rates.loc["11-17", "engaged"], rates.loc["11-17", "known"]) == (17, 20)
    assert (rates.loc["18-25", "engaged"], rates.loc["18-25", "known"]) == (10, 25)
    assert (rates.loc["All", "engaged"], rates.loc["All", "known"]) == (27, 45)
    # R: prop.test(17, 20, correct=FALSE)$conf.int -> 0.6395811353 0.9476312541
    assert rates.loc["11-17", "ci_low"] == pytest.approx(0.6395811353, abs=1e-9)
    assert rates.loc["11-17", "ci_high"] == pytest.approx(0.9476312541, abs=1e-9)
    # R: prop.test(10, 25, correct=FALSE)$conf.int -> 0.2340330238 0.5926054264
    assert rates.loc["18-25", "ci_low"] == pytest.approx(0.2340330238, abs=1e-9)
    assert rates.loc["18-25", "ci_high"] == pytest.approx(0.5926054264, abs=1e-9)
    # R: prop.test(27, 45, correct=FALSE)$conf.int -> 0.4545185459 0.7297511343
    assert rates.loc["All", "ci_low"] == pytest.approx(0.4545185459, abs=1e-9)
    assert rates.loc["All", "ci_high"] == pytest.approx(0.7297511343, abs=1e-9)


# ---------------------------------------------------------------- small hand-made tables

MAP = Mapping(arm="arm", outcomes=("y",), engagement="eng")


def small(**over):
    d = pd.DataFrame({
        "arm": ["treatment"] * 5 + ["control"] * 4 + ["pilot"],
        "eng": ["yes", "no", "No", "1", "", None, None, None, None, None],
        "why": ["", " moved away ", "", "", "", "", "", "", "", ""],
        "y": [1, 2, np.nan, 0, 3, 1, np.nan, np.nan, 2, 5],
    })
    for k, v in over.items():
        d[k] = v
    return d


def test_small_table_flow_by_hand():
    f = consort_flow(small(), MAP, {"flow": {"eligible": {"value": 40, "source": "register"}}},
                     reason_column="why")
    assert f.eligible == 40 and f.eligible_source == "register"
    assert f.randomised == 9 and f.excluded_rows == 1
    assert (f.treatment.engaged, f.treatment.not_engaged, f.treatment.engagement_unknown) == (2, 2, 1)
    assert dict(f.treatment.reasons) == {"moved away": 1, NOT_RECORDED: 1}
    assert dict(f.treatment.analysed) == {"y": 4} and dict(f.treatment.missing) == {"y": 1}
    assert dict(f.control.analysed) == {"y": 2} and dict(f.control.missing) == {"y": 2}
    assert f.treatment.analysed_range() == (4, 4)
    assert any("pilot" not in n and "1 rows" in n for n in f.notes)


def test_engagement_in_control_arm_is_flagged():
    d = small()
    d.loc[5, "eng"] = "true"
    f = consort_flow(d, MAP)
    assert f.control.engaged == 1
    assert any("control-arm" in n for n in f.notes)


def test_bad_engagement_values_name_the_rows():
    d = small()
    d.loc[2, "eng"] = "maybe"
    with pytest.raises(DataError, match=r"'eng'.*3"):
        consort_flow(d, MAP)


def test_parse_flags():
    got = parse_flags([True, False, 1, 0, 1.0, "Y", "n", "Engaged", "not engaged", "", "NA",
                       None, np.nan])
    assert list(got) == [True, False, True, False, True, True, False, True, False, None, None,
                         None, None]


def test_no_engagement_column_is_a_clear_error():
    with pytest.raises(DataError, match="engagement"):
        engagement_by_group(small(), Mapping(arm="arm", outcomes=("y",)))


# ---------------------------------------------------------------- benefit arithmetic (by hand)

def test_expected_prevented_by_hand():
    p = expected_prevented(45, -0.25, -0.60, 0.10)
    assert p.expected == pytest.approx(11.25)      # 0.25 * 45
    assert p.low == pytest.approx(-4.5)            # -0.10 * 45
    assert p.high == pytest.approx(27.0)           # 0.60 * 45
    assert p.includes_no_effect
    assert not expected_prevented(45, -255.71, -495.57, -15.85).includes_no_effect


def test_one_sided_interval_gives_unbounded_end():
    p = expected_prevented(10, -1.0, -math.inf, -0.2)
    assert p.high == math.inf and p.low == pytest.approx(2.0)


def test_benefit_cost_by_hand():
    bc = benefit_cost(150_000, expected_prevented(45, -0.25, -0.60, 0.10), 14_050)
    assert bc.benefit == pytest.approx(158_062.5)       # 11.25 * 14,050
    assert bc.benefit_low == pytest.approx(-63_225.0)   # -4.5 * 14,050
    assert bc.benefit_high == pytest.approx(379_350.0)  # 27 * 14,050
    assert bc.net == pytest.approx(8_062.5)
    assert bc.ratio == pytest.approx(158_062.5 / 150_000)
    assert bc.includes_no_effect


def test_scale_up_table_by_hand():
    t = scale_up_table([200], {"knife": (-0.25, -0.60, 0.10)}, caseload=20,
                       case_worker_cost=50_000, coordinator_cost=50_000,
                       people_per_coordinator=45)
    row = t.iloc[0]
    assert row["case_workers"] == 10                # 200 / 20
    assert row["coordinators"] == 5                 # ceil(200 / 45)
    assert row["annual_cost"] == 750_000            # 15 posts * 50,000
    assert row["prevented"] == pytest.approx(50.0)  # 0.25 * 200
    assert (row["prevented_low"], row["prevented_high"]) == pytest.approx((-20.0, 120.0))


def test_bad_benefit_inputs():
    with pytest.raises(DataError):
        expected_prevented(45, float("nan"), -1, 1)
    with pytest.raises(DataError):
        expected_prevented(45, -0.2, 0.5, -0.5)
    with pytest.raises(DataError):
        benefit_cost(0, expected_prevented(45, -0.2, -0.5, 0.1), 100)
    with pytest.raises(DataError):
        scale_up_table([10], {}, caseload=0, case_worker_cost=1, coordinator_cost=1)


@pytest.mark.parametrize("outcome,cace,se", [
    ("suspect_knife", -0.416881998277, 0.294188984890),
    ("suspect_harm", -426.183333333333, 211.026976746694),
])
def test_cace_interval_matches_r_delta_method_with_covariance(outcome, cace, se):
    # R 4.2.2 on data/focused_deterrence/people.csv (tr = treatment rows, co = control rows):
    #   x <- tr[[o]]; y <- co[[o]]; e <- tr$engaged; nt <- length(x)
    #   itt <- mean(x)-mean(y); vitt <- var(x)/nt + var(y)/length(y)
    #   c <- mean(e); vc <- c*(1-c)/nt; cace <- itt/c
    #   se_cov <- sqrt((vitt - 2*cace*cov(x, e)/nt + cace^2*vc)/c^2)
    # (a 20,000-resample stratified bootstrap gives SDs 0.2993 and 215.2, close to these)
    from fd_stats import complier_average_effect
    from fd_stats.data.trial import load_trial

    t = load_trial().table
    tr, co = t[t.arm == "treatment"], t[t.arm == "control"]
    r = complier_average_effect(tr[outcome], co[outcome], tr["engaged"].tolist())
    assert r.cace == pytest.approx(cace, abs=1e-9)
    assert (r.cace_ci_high - r.cace) / 1.959963984540054 == pytest.approx(se, rel=1e-9)
    # ITT interval is the Welch t interval: R t.test(x, y)$conf.int
    if outcome == "suspect_knife":
        assert (r.itt_ci_low, r.itt_ci_high) == pytest.approx((-0.6017547, 0.1014964), abs=1e-7)


def test_missing_engagement_flags_stay_in_the_itt():
    from fd_stats import complier_average_effect
    from fd_stats.data.trial import load_trial

    t = load_trial().table
    tr, co = t[t.arm == "treatment"], t[t.arm == "control"]
    flags = tr["engaged"].astype(object).tolist()
    flags[0] = flags[1] = flags[2] = None
    full = complier_average_effect(tr["suspect_knife"], co["suspect_knife"], tr["engaged"].tolist())
    part = complier_average_effect(tr["suspect_knife"], co["suspect_knife"], flags)
    assert part.itt == pytest.approx(full.itt)  # all 45 treated people count in the ITT
    assert "3 treated people have no engagement record" in part.note
