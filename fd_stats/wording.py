"""Sentences about results, worded correctly. Pages, exports and the CLI share them.

Rules: a p-value is the probability of a difference at least this large if
the programme had no effect; every p-value says its sidedness; every effect
carries its interval; "not significant" is never "no effect".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .analysis import SIDEDNESS

P_VALUE_MEANING = ("A p-value is the probability of seeing a difference at least this large "
                   "if the programme had no effect. It is not the probability that the finding "
                   "is due to chance.")
SYNTHETIC_LABEL = ("Synthetic data: these people are reconstructed from the report's published "
                   "tables. No row describes a real person.")


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 outcome', '10 outcomes', '1,250 people' (thousands separated)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def in_sentence(label: str) -> str:
    """A label inside a sentence: first letter lower case unless the first word is an
    acronym ('Total crime harm' -> 'total crime harm'; 'HIV test' and the 'HIV' in
    'Learned HIV result' keep their capitals, which str.lower() would lose)."""
    label = str(label)
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.upper() == first and any(c.isalpha() for c in first):
        return label
    return label[:1].lower() + label[1:]


def fmt_p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "not estimable"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def p_text(p: float, alternative: str, adjusted: bool = False, correction: str = "none") -> str:
    """E.g. 'p = 0.037 (two-sided)' or 'Holm-adjusted p = 0.11 (one-sided (treatment lower))'."""
    body = fmt_p(p)
    body = f"p {body}" if body.startswith("<") else f"p = {body}"
    if adjusted and correction != "none":
        from .multiplicity import CORRECTIONS
        body = f"{CORRECTIONS[correction]}-adjusted {body}"
    return f"{body}, {SIDEDNESS[alternative]}"


def fmt_pct(v: float, digits: int = 0) -> str:
    if v is None or not np.isfinite(v):
        return "unbounded" if v is not None and np.isinf(v) else "n/a"
    return f"{v:+.{digits}f}%"


def change_words(v: float, lower_is_better: bool = True, digits: int = 0) -> str:
    """'a 40% reduction' / 'a 15% increase' / 'no change'."""
    if not np.isfinite(v):
        return "a change that cannot be estimated"
    if round(abs(v), digits) == 0:
        return "no change"
    word = "reduction" if v < 0 else "increase"
    number = f"{abs(v):.{digits}f}"
    return f"{_article(number)} {number}% {word}"


def _article(number: str) -> str:
    """'an' before numbers said with a vowel sound: 8, 80-89, 800..., 11, 18, 11,000, 18,000."""
    whole = number.split(".")[0]
    spoken_11_18 = len(whole) in (2, 5) and whole[:2] in ("11", "18")
    return "an" if whole.startswith("8") or spoken_11_18 else "a"


def _pct(v: float, digits: int = 0) -> str:
    d = digits if round(v, digits) != 0 else digits + 1  # keep "0.4%" visible
    return f"{abs(v):.{d}f}%"


def interval_words(lo: float, hi: float, level: float, digits: int = 0) -> str:
    """The interval in words: '95% CI from 68% lower to 14% higher', or for a one-sided
    interval 'one-sided 95% bound: at least 11% lower'."""
    def one(v):
        if v == 0:
            return "no change"
        return f"{_pct(v, digits)} {'lower' if v < 0 else 'higher'}"

    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return "interval not estimable"
    open_low, open_high = lo <= -100 + 1e-9 or np.isinf(lo), np.isinf(hi)
    if open_low and not open_high:
        bound = (f"at least {_pct(hi, digits)} lower" if hi < 0
                 else f"at most {one(hi)}" if hi > 0 else "no increase")
        return f"one-sided {level:.0%} bound: {bound}"
    if open_high and not open_low:
        bound = (f"at least {_pct(lo, digits)} higher" if lo > 0
                 else f"at most {one(lo)}" if lo < 0 else "no reduction")
        return f"one-sided {level:.0%} bound: {bound}"
    return f"{level:.0%} CI from {one(lo)} to {one(hi)}"


def pct_range(lo: float, hi: float, digits: int = 0) -> str:
    """Compact percentage interval for table cells and chart labels: '-78% to -5%', or for a
    one-sided interval '≤ -15%' / '≥ -40%' (never a fake '-100%' or 'inf' end)."""
    def one(v):
        return f"{v:+.{digits}f}%".replace("+0%", "0%")

    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return "not estimable"
    open_low, open_high = lo <= -100 + 1e-9 or np.isinf(lo), np.isinf(hi)
    if open_low and open_high:
        return "no limits"
    if open_high:
        return f"≥ {one(lo)}"
    if open_low and not (np.isfinite(hi) and hi <= -100 + 1e-9):
        return f"≤ {one(hi)}"
    return f"{one(lo)} to {one(hi)}"


def consistent_range(lo: float, hi: float) -> str:
    """What the interval allows, for 'not significant is not no effect' sentences."""
    if np.isinf(hi) or (lo > -100 + 1e-9 and np.isinf(hi)):
        return f"any change above {_bound(lo)}"
    if lo <= -100 + 1e-9:
        return f"any change below {_bound(hi)}"
    return f"anything from {_bound(lo)} to {_bound(hi)}"


def verdict(row) -> str:
    alpha = row["alpha"]
    if not np.isfinite(row["p_adjusted"]):
        return "not estimable"
    return (f"significant at {alpha:g}" if row["significant"]
            else f"not significant at {alpha:g}")


def mean_digits(*values) -> int:
    """Decimals for means: 0 when the values are 10 or more, else 2 (as on the Overview)."""
    finite = [abs(float(v)) for v in values if v is not None and np.isfinite(v)]
    return 0 if finite and max(finite) >= 10 else 2


def unit_phrase(unit: str) -> tuple[str, str]:
    """(words after each mean, words after both) for a unit, e.g. ('per person', ' (crime
    harm in days)') or ('crimes per person', '')."""
    unit = (unit or "").strip()
    if not unit:
        return "per person", ""
    if unit.endswith("per person"):
        return unit, ""
    if unit.endswith(")") and " (" in unit:  # "crime harm (days)" -> "crime harm in days"
        head, tail = unit[:-1].split(" (", 1)
        unit = f"{head} in {tail}"
    return "per person", f" ({unit})"


def effect_sentence(row: pd.Series | dict, lower_is_better: bool = True,
                    unit: str = "") -> str:
    """One sentence for one results row, with interval, p-value and its sidedness.

    Means are rounded as on the Overview (0 decimals from 10 up, else 2) and carry ``unit``.
    """
    r = row
    adjusted = r["correction"] != "none"
    p = r["p_adjusted"] if adjusted else r["p_value"]
    where = "" if r["subgroup"] == "All" else f" ({r['subgroup_column']} {r['subgroup']})"
    mt, mc = r["mean_treatment"], r["mean_control"]
    dg = mean_digits(mt, mc)
    per, after = unit_phrase(unit)
    pc = r["percent_change"]
    if not np.isfinite(pc):
        return (f"{r['label']}{where}: treatment mean {mt:,.{dg}f} vs control {mc:,.{dg}f}"
                f"{after}; percentage change not estimable; "
                f"{p_text(p, r['alternative'], adjusted, r['correction'])}.")
    consistent = ""
    if not r["significant"]:
        consistent = (" Not significant does not mean no effect: the data are consistent with "
                      f"{consistent_range(r['percent_change_ci_low'], r['percent_change_ci_high'])}.")
    return (f"{r['label']}{where}: {mt:,.{dg}f} {per} with the programme vs {mc:,.{dg}f} "
            f"without{after}, {change_words(pc, lower_is_better)} "
            f"({interval_words(r['percent_change_ci_low'], r['percent_change_ci_high'], r['confidence_level'])}); "
            f"{p_text(p, r['alternative'], adjusted, r['correction'])}, {verdict(r)}.{consistent}")


def _bound(v):
    if v <= -100 + 1e-9:
        return "a 100% reduction"
    if np.isinf(v):
        return "an unlimited increase"
    if v != 0 and round(v) == 0:
        return change_words(v, digits=1)
    return change_words(v)


def summary_paragraph(results: pd.DataFrame, labels_lower_is_better: dict | None = None) -> str:
    """A plain-English summary of the 'All' rows: what moved, by how much, how sure."""
    from .multiplicity import CORRECTIONS

    allr = results[results["subgroup"] == "All"]
    if allr.empty:
        return "No results."
    lib = labels_lower_is_better or {}
    n_t, n_c = int(allr["n_treatment"].max()), int(allr["n_control"].max())
    est = allr[np.isfinite(allr["percent_change"])]
    better = [r for _, r in est.iterrows()
              if (r["percent_change"] < 0) == lib.get(r["outcome"], True)]
    sig = allr[allr["significant"]]
    first = allr.iloc[0]
    tests = {"two-sided": "two-sided tests", "less": "one-sided tests, treatment lower",
             "greater": "one-sided tests, treatment higher"}[first["alternative"]]
    if first["correction"] != "none":
        tests += f", {CORRECTIONS[first['correction']]} correction"
    text = (f"Comparing {n_t} people offered the programme with {n_c} who were not "
            f"(intention to treat), {len(better)} of {len(est)} outcomes moved in the "
            f"programme's favour. ")
    if len(sig):
        names = "; ".join(f"{in_sentence(r['label'])} ({change_words(r['percent_change'])}, "
                          f"{interval_words(r['percent_change_ci_low'], r['percent_change_ci_high'], r['confidence_level'])})"
                          for _, r in sig.iterrows())
        text += (f"{len(sig)} {'was' if len(sig) == 1 else 'were'} statistically significant at "
                 f"{first['alpha']:g} ({tests}): {names}. ")
    else:
        text += f"None was statistically significant at {first['alpha']:g} ({tests}). "
    # a non-significant outcome whose interval excludes no change (a correction, another
    # test, or alpha not 1 - confidence level) must not be said to allow no effect
    rest = allr[~allr["significant"].astype(bool)]
    low, high = rest["percent_change_ci_low"], rest["percent_change_ci_high"]
    excl = rest[(high < 0) | (low > 0)]
    if len(excl):
        level = float(first["confidence_level"])
        if first["correction"] != "none":
            why = f"the verdict uses the {CORRECTIONS[first['correction']]}-adjusted p-value"
        elif abs((1 - level) - float(first["alpha"])) > 1e-9:
            why = (f"a {level:.0%} interval matches a threshold of {1 - level:.2g}, not the "
                   f"chosen {first['alpha']:g}")
        else:
            why = "the verdict comes from the chosen test, the interval from the Welch t-test"
        names = "; ".join(f"{in_sentence(r['label'])} ({interval_words(r['percent_change_ci_low'], r['percent_change_ci_high'], r['confidence_level'])})"
                          for _, r in excl.iterrows())
        one = len(excl) == 1
        text += (f"For {count_of(len(excl), 'other outcome' if len(sig) else 'outcome')} the "
                 f"unadjusted interval{'' if one else 's'} exclude{'s' if one else ''} no change, "
                 f"but {'it is' if one else 'they are'} not called significant because {why}: "
                 f"{names}. ")
    if len(rest) > len(excl):
        who = ("every outcome" if len(rest) == len(allr) and not len(excl) else
               "the others" if not len(excl) else "the remaining outcomes")
        text += (f"For {who} the data cannot rule out no effect, nor effects larger than the "
                 "estimates.")
    return text.strip()
