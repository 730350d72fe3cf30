"""Wording rules: p-values say their sidedness, effects carry intervals, no 'due to chance'."""

import numpy as np
import pytest

from fd_stats import Settings, analyse
from fd_stats.programme.engagement import engagement_flags
from fd_stats.errors import DataError
from fd_stats.data.trial import load_trial
from fd_stats.report.wording import (P_VALUE_MEANING, effect_sentence, interval_words, p_text,
                              summary_paragraph)


@pytest.fixture(scope="module")
def trial():
    return load_trial()


@pytest.mark.parametrize("alt,word", [("two-sided", "two-sided"), ("less", "one-sided"),
                                      ("greater", "one-sided")])
def test_every_sentence_states_sidedness_and_interval(trial, alt, word):
    res = analyse(trial.table, trial.mapping, Settings(alternative=alt, correction="holm"))
    for _, row in res.iterrows():
        s = effect_sentence(row)
        assert word in s and ("CI" in s or "bound" in s) and "Holm-adjusted p" in s
        assert "chance" not in s


def test_not_significant_is_not_no_effect(trial):
    res = analyse(trial.table, trial.mapping, Settings())
    row = res[(res.outcome == "victim_knife") & (res.subgroup == "All")].iloc[0]
    s = effect_sentence(row)
    assert "not significant" in s and "does not mean no effect" in s


def test_summary_counts_significant_findings(trial):
    res = analyse(trial.table, trial.mapping, Settings())
    text = summary_paragraph(res)
    # Appendix B: only suspect harm (two-sided p = 0.03686) is below 0.05 two-sided in all ages
    assert "1 was statistically significant" in text and "total crime harm as suspect" in text
    res = analyse(trial.table, trial.mapping, Settings(alpha=0.10, alternative="less"))
    assert "2 were statistically significant" in summary_paragraph(res)  # + knife, one-sided 0.081


def test_p_value_meaning_is_worded_correctly():
    assert "at least this large if the programme had no effect" in P_VALUE_MEANING
    assert p_text(0.0304, "less") == "p = 0.030, one-sided (treatment lower)"
    assert p_text(0.0004, "two-sided") == "p < 0.001, two-sided"


def test_one_sided_interval_words():
    assert interval_words(-100, -10, 0.95) == "one-sided 95% bound: at least 10% lower"
    assert interval_words(-100, 14, 0.95) == "one-sided 95% bound: at most 14% higher"
    assert interval_words(-40, np.inf, 0.9) == "one-sided 90% bound: at most 40% lower"
    assert interval_words(-68.2, 0.2, 0.95) == "95% CI from 68% lower to 0.2% higher"


def test_engagement_flags_accept_common_spellings():
    got = engagement_flags(["Yes", "no", "TRUE", "0", "", None, 1.0, True]).tolist()
    assert got[:4] == [True, False, True, False] and got[6:] == [True, True]
    assert got[4] is np.nan or got[4] is None or str(got[4]) == "<NA>"
    with pytest.raises(DataError, match="rows 2"):
        engagement_flags(["yes", "maybe"], "engaged")


# ---------------------------------------------------------------- issue 17
def test_counts_and_labels_in_sentences():
    from fd_stats.report.wording import count_of, in_sentence, unit_phrase
    assert count_of(1, "outcome") == "1 outcome" and count_of(10, "outcome") == "10 outcomes"
    assert count_of(1250, "person", "people") == "1,250 people"
    assert in_sentence("Total crime harm") == "total crime harm"
    assert in_sentence("Learned HIV result") == "learned HIV result"
    assert in_sentence("HIV test result") == "HIV test result"
    assert unit_phrase("crime harm (days)") == ("per person", " (crime harm in days)")


def test_summary_never_says_no_effect_is_possible_when_the_interval_excludes_it():
    """One-sided, Benjamini-Hochberg at 0.1: the harm card says 'at least 15% lower'; the
    summary must not say every outcome allows no effect."""
    from fd_stats.data.trial import load_trial
    t = load_trial()
    lib = {o.column: o.lower_is_better for o in t.outcomes}
    res = analyse(t.table, t.mapping, Settings(alternative="less", correction="fdr_bh", alpha=0.1))
    text = summary_paragraph(res, lib)
    assert "For every outcome the data cannot rule out no effect" not in text
    assert "total crime harm as suspect (one-sided 95% bound: at least 15% lower)" in text
    assert "Benjamini-Hochberg (false discovery rate)-adjusted p-value" in text
    # neighbour: alpha 0.01 with 95% intervals, no correction
    text = summary_paragraph(analyse(t.table, t.mapping, Settings(alpha=0.01)), lib)
    assert "For every outcome" not in text and "a 95% interval matches a threshold of 0.05" in text
