"""Sentences about results, worded correctly. Pages, exports and the CLI share them.

Rules: a p-value is the probability of a difference at least this large if
the programme had no effect; every p-value says its sidedness; every effect
carries its interval; "not significant" is never "no effect".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis import SIDEDNESS

P_VALUE_MEANING = ("A p-value is the probability of seeing a difference at least this large "
                   "if the programme had no effect. It is not the probability that the finding "
                   "is due to chance.")
SYNTHETIC_LABEL = ("Synthetic data: these people are made up (the bundled trial's are "
                   "reconstructed from the report's published tables). No row describes a real "
                   "person.")


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
        from ..methods.multiplicity import CORRECTIONS
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


def summary_paragraph(results: pd.DataFrame, labels_lower_is_better: dict | None = None,
                      specs: dict | None = None) -> str:
    """A plain-English summary of the 'All' rows: what moved, by how much, how sure.

    ``labels_lower_is_better`` maps outcome -> direction ('lower', 'higher', 'neither',
    None = not set; True/False as lower/higher for old callers); an outcome missing from it
    counts as 'lower' (the bundled trial's convention). Only outcomes with a direction are
    counted as moving in the programme's favour or not. ``specs`` (outcome -> OutcomeSpec)
    words yes/no outcomes in percentage points.
    """
    from ..methods.multiplicity import CORRECTIONS
    from ..data.trial import direction_of

    allr = results[results["subgroup"] == "All"]
    if allr.empty:
        return "No results."
    dirs = {c: direction_of(v) for c, v in (labels_lower_is_better or {}).items()}
    specs = specs or {}
    n_t, n_c = int(allr["n_treatment"].max()), int(allr["n_control"].max())
    est = allr[np.isfinite(allr["percent_change"])]
    judged = [r for _, r in est.iterrows() if dirs.get(r["outcome"], "lower") in ("lower", "higher")]
    better = [r for r in judged
              if (r["percent_change"] < 0) == (dirs.get(r["outcome"], "lower") == "lower")
              and r["percent_change"] != 0]
    sig = allr[allr["significant"]]
    first = allr.iloc[0]
    tests = {"two-sided": "two-sided tests", "less": "one-sided tests, treatment lower",
             "greater": "one-sided tests, treatment higher"}[first["alternative"]]
    if first["correction"] != "none":
        tests += f", {CORRECTIONS[first['correction']]} correction"
    text = (f"Comparing {n_t} people offered the programme with {n_c} who were not "
            f"(intention to treat), ")
    unset = len(est) - len(judged)
    if judged:
        text += (f"{len(better)} of {len(judged)} outcomes moved in the programme's favour"
                 + (f" ({unset} more {'has' if unset == 1 else 'have'} no direction set, so "
                    f"{'it is' if unset == 1 else 'they are'} not called favourable or "
                    "unfavourable)" if unset else "") + ". ")
    else:
        text += ("which way is better has not been set for "
                 + ("this outcome" if len(est) == 1 else "these outcomes")
                 + " (Data page), so no result is called favourable or unfavourable. ")

    def moved(r):
        spec = specs.get(r["outcome"])
        if is_binary(spec):
            lo, hi = difference_ci(r)
            diff = r["mean_treatment"] - r["mean_control"]
            return f"{pp_text(diff)}, {pp_interval(lo, hi, r['confidence_level'])}"
        return (f"{change_words(r['percent_change'])}, "
                f"{interval_words(r['percent_change_ci_low'], r['percent_change_ci_high'], r['confidence_level'])}")

    if len(sig):
        names = "; ".join(f"{in_sentence(r['label'])} ({moved(r)})" for _, r in sig.iterrows())
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


# ---------------------------------------------------------------- by kind and direction
# Every outcome is worded in its own terms: a yes/no outcome as percentages of people and a
# difference in percentage points; a count per person; an amount in its unit. Crime words
# ("offences", "prevented") only for crime measures. Nothing is favourable until the
# outcome's direction is known.

def _spec_of(spec, column=""):
    from ..data.trial import OutcomeSpec
    return spec if spec is not None else OutcomeSpec(column or "outcome", direction="lower")


def is_binary(spec) -> bool:
    return getattr(spec, "kind", "") == "binary"


def pp_text(v: float, digits: int = 0) -> str:
    """A difference in shares (0-1) as percentage points: +0.45 -> '+45 percentage points'."""
    if v is None or not np.isfinite(v):
        return "not estimable"
    d = digits if round(100 * v, digits) != 0 or v == 0 else digits + 1
    return f"{100 * v:+.{d}f} percentage points"


def pp_interval(lo: float, hi: float, level: float, digits: int = 0) -> str:
    """'95% CI +30 to +60 points'; a one-sided interval keeps its open end in words."""
    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return "interval not estimable"
    if np.isinf(lo) and not np.isinf(hi):
        return f"one-sided {level:.0%} bound: at most {100 * hi:+.{digits}f} points"
    if np.isinf(hi) and not np.isinf(lo):
        return f"one-sided {level:.0%} bound: at least {100 * lo:+.{digits}f} points"
    return f"{level:.0%} CI {100 * lo:+.{digits}f} to {100 * hi:+.{digits}f} points"


def pp_estimate(row) -> str:
    """A row's difference in shares (a yes/no outcome's difference in means) with its
    interval: '+5 percentage points (95% CI -5 to +14 points)'."""
    return (f"{pp_text(row['estimate'])} "
            f"({pp_interval(row['ci_low'], row['ci_high'], row['confidence_level'])})")


def share_text(v: float) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.0f}%"


def ratio_text(row, digits: int = 2) -> str:
    """The ratio of the two arms' means (for a yes/no outcome, the risk ratio) with the
    interval of the percentage change it equals (ratio = 1 + change / 100)."""
    mt, mc = row["mean_treatment"], row["mean_control"]
    if not (np.isfinite(mt) and np.isfinite(mc)) or mc == 0:
        return "ratio not estimable"
    lo, hi = row["percent_change_ci_low"], row["percent_change_ci_high"]

    def r(v):
        return "0" if v <= -100 + 1e-9 else ("no limit" if np.isinf(v) else
                                              f"{1 + v / 100:.{digits}f}")
    level = row["confidence_level"]
    if np.isnan(lo) or np.isnan(hi):
        iv = "interval not estimable"
    elif lo <= -100 + 1e-9 and not np.isinf(hi):
        iv = f"one-sided {level:.0%} bound: at most {r(hi)}"
    elif np.isinf(hi) and lo > -100 + 1e-9:
        iv = f"one-sided {level:.0%} bound: at least {r(lo)}"
    else:
        iv = f"{level:.0%} CI {r(lo)} to {r(hi)}"
    return f"{mt / mc:.{digits}f} ({iv})"


def difference_ci(row) -> tuple[float, float]:
    """The interval of the difference in means, when the row's estimate is one."""
    if row.get("estimate_label", "difference in means") == "difference in means":
        return row["ci_low"], row["ci_high"]
    return float("nan"), float("nan")


def binary_summary(row, spec=None) -> str:
    """'79% of people with the programme vs 34% without: +45 percentage points (95% CI +30
    to +60 points); risk ratio 2.32 (95% CI ...)'."""
    lo, hi = difference_ci(row)
    diff = row["mean_treatment"] - row["mean_control"]
    iv = f" ({pp_interval(lo, hi, row['confidence_level'])})" if np.isfinite(lo) or np.isinf(lo) \
        else ""
    return (f"{share_text(row['mean_treatment'])} of people with the programme vs "
            f"{share_text(row['mean_control'])} without: {pp_text(diff)}"
            f"{favourable_words(diff, spec)}{iv}; risk ratio {ratio_text(row)}")


def favourable_words(change: float, spec) -> str:
    """', favourable' / ', unfavourable' / '' (direction unknown or neither)."""
    sign = getattr(spec, "favourable_sign", 0)
    if not sign or change is None or not np.isfinite(change) or change == 0:
        return ""
    return " (favourable)" if np.sign(change) == sign else " (unfavourable)"


def effect_sentence_for(row, spec=None) -> str:
    """:func:`effect_sentence` worded by the outcome's kind (binary: percentages of people
    and percentage points) and direction."""
    spec = _spec_of(spec, row["outcome"] if "outcome" in row else "")
    if not is_binary(spec):
        text = effect_sentence(row, spec.lower_is_better, spec.unit)
        tag = favourable_words(row["percent_change"], spec)
        if tag and ", a" in text:  # after the change words: '..., a 26% increase (favourable) (95% CI'
            words = change_words(row["percent_change"], spec.lower_is_better)
            text = text.replace(words, words + tag, 1)
        lo, hi = difference_ci(row)
        if spec.kind == "continuous" and np.isfinite(row["difference"]):
            unit = f" {spec.unit}" if spec.unit else ""
            iv = (f", {row['confidence_level']:.0%} CI {lo:+,.0f} to {hi:+,.0f}"
                  if np.isfinite(lo) and np.isfinite(hi) else "")
            text = text.replace("; p", f"; difference {row['difference']:+,.0f}{unit} per "
                                f"person{iv}; p", 1)
        return text
    r = row
    adjusted = r["correction"] != "none"
    p = r["p_adjusted"] if adjusted else r["p_value"]
    where = "" if r["subgroup"] == "All" else f" ({r['subgroup_column']} {r['subgroup']})"
    diff = r["mean_treatment"] - r["mean_control"]
    consistent = ""
    lo, hi = difference_ci(r)
    if not r["significant"] and np.isfinite(lo) and np.isfinite(hi):
        consistent = (" Not significant does not mean no effect: the data are consistent with "
                      f"anything from {pp_text(lo)} to {pp_text(hi)}.")
    return (f"{r['label']}{where}: {binary_summary(r, spec)}; "
            f"{p_text(p, r['alternative'], adjusted, r['correction'])}, {verdict(r)}."
            f"{consistent}")


def headline_figure(row, spec=None) -> tuple[str, str]:
    """(big number, the words under it) for a headline card: '+45 pts' for a yes/no outcome,
    '-40%' otherwise."""
    spec = _spec_of(spec)
    if is_binary(spec):
        diff = row["mean_treatment"] - row["mean_control"]
        lo, hi = difference_ci(row)
        if not np.isfinite(diff):
            return "n/a", "Difference not estimable."
        iv = pp_interval(lo, hi, row["confidence_level"]) if not np.isnan(lo) else ""
        return (f"{100 * diff:+.0f} pts",
                f"{pp_text(diff)} in the share of people{favourable_words(diff, spec)}"
                + (f" ({iv})" if iv else "") + ".")
    pc = row["percent_change"]
    if not np.isfinite(pc):
        return "n/a", "Percentage change not estimable."
    return (f"{pc:+.0f}%", f"{change_words(pc).capitalize()}{favourable_words(pc, spec)} "
            f"compared with control ({interval_words(row['percent_change_ci_low'], row['percent_change_ci_high'], row['confidence_level'])}).")


def means_text(row, spec=None) -> str:
    """'79% vs 34% of people' / 'Mean per person: 1.2 vs 1.9 (crimes per person)' /
    'Mean per person: 5,200 vs 4,100 (GBP)'."""
    spec = _spec_of(spec)
    mt, mc = row["mean_treatment"], row["mean_control"]
    if is_binary(spec):
        return (f"**{share_text(mt)}** of people with the programme vs **{share_text(mc)}** "
                f"without ({spec.label.lower()}).")
    dg = mean_digits(mt, mc)
    return (f"Mean per person: **{mt:,.{dg}f}** with the programme vs **{mc:,.{dg}f}** without"
            + (f" ({spec.unit})." if spec.unit and spec.unit != "per person" else "."))


def direction_words(spec) -> str:
    return {"lower": "lower is better", "higher": "higher is better",
            "neither": "neither direction is better"}.get(getattr(spec, "direction", None),
                                                         "which way is better is not set")


def side_labels(specs) -> dict:
    """Labels of the sidedness choices in the outcomes' own terms, saying which is favourable.

    ``specs``: the outcomes analysed. E.g. with one yes/no outcome where higher is better:
    'One-sided: treatment higher (a larger share of people; the favourable direction)'.
    """
    specs = list(specs)
    dirs = {getattr(s, "direction", None) for s in specs}
    kinds = {getattr(s, "kind", "count") for s in specs}
    if len(specs) == 1:
        s = specs[0]
        more = "a larger share of people" if is_binary(s) else f"more {s.label.lower()}"
        less = "a smaller share of people" if is_binary(s) else f"less {s.label.lower()}"
        if s.kind == "count":
            more, less = f"more {s.label.lower()}", f"fewer {s.label.lower()}"
    else:
        unit = "shares" if kinds == {"binary"} else "values"
        more, less = f"higher {unit}", f"lower {unit}"

    def tag(d):
        if dirs == {d}:
            return "the favourable direction"
        if dirs == {({"lower": "higher", "higher": "lower"}[d])}:
            return "the unfavourable direction"
        if dirs <= {None}:
            return "which way is better is not set"
        fav = [s.label for s in specs if s.direction == d]
        return ("favourable for " + ", ".join(fav[:3]) + (" ..." if len(fav) > 3 else "")
                if fav else "favourable for none of the outcomes")

    return {"two-sided": "Two-sided (a difference in either direction)",
            "less": f"One-sided: treatment lower ({less}; {tag('lower')})",
            "greater": f"One-sided: treatment higher ({more}; {tag('higher')})"}


def summary_for(results: pd.DataFrame, specs: dict) -> str:
    """:func:`summary_paragraph` with each outcome worded by its specification
    (``specs``: column -> OutcomeSpec). Outcomes without a direction are not called
    favourable or unfavourable."""
    return summary_paragraph(results, {c: getattr(s, "direction", None)
                                       for c, s in specs.items()}, specs)


CURRENCY_WORDS = {"gbp": "£", "£": "£", "usd": "$", "$": "$", "eur": "€", "€": "€"}


def currency_of(unit: str) -> str | None:
    """'GBP' / 'earnings (USD)' / '£' -> the currency code as written; None if not money."""
    for w in re.findall(r"[A-Za-z]+|[£$€]", unit or ""):
        if w.casefold() in CURRENCY_WORDS:
            return w.upper() if w.isalpha() else w
    return None


@dataclass(frozen=True)
class Improvement:
    """How to speak of an outcome improving, for costs and scale-up.

    ``one`` follows "per" ("offence prevented", "additional person with “learned result”",
    "GBP 1 of extra earnings"); ``many`` follows a positive number ("offences prevented");
    ``worse`` follows the size of a change the wrong way ("more offences"). ``sign`` is -1
    when a reduction is the improvement, +1 when an increase is, 0 when the direction is
    not set or neither (then there is no cost per improvement).
    """

    one: str
    many: str
    worse: str
    sign: int


def improvement_terms(spec) -> Improvement:
    """Words for one unit of improvement in the outcome's own unit (crime words only for
    crime measures)."""
    spec = _spec_of(spec)
    sign = spec.favourable_sign
    label = spec.label
    if label[:1].isupper() and not label[1:2].isupper():  # 'Earnings' -> 'earnings', not 'GP'
        label = label[:1].lower() + label[1:]
    unit = (spec.unit or "").strip()
    if spec.crime and spec.kind == "score" and "harm" in (unit + label).lower():
        return Improvement("day of crime harm prevented", "days of crime harm prevented",
                           "more days of crime harm", sign)
    if spec.crime and spec.kind == "count" and sign <= 0:
        return Improvement("offence prevented", "offences prevented", "more offences", sign)
    if spec.kind == "binary":
        up = (f"additional person with “{label}”", f"additional people with “{label}”")
        down = (f"person fewer with “{label}”", f"fewer people with “{label}”")
        if sign >= 0:
            return Improvement(*up, down[1], sign)
        return Improvement(*down, f"more people with “{label}”", sign)
    money = currency_of(unit)
    if money:
        gain, loss = f"{money} of extra {label}", f"{money} of {label} lost"
        if sign >= 0:
            return Improvement(f"{money} 1 of extra {label}", gain, loss, sign)
        return Improvement(f"{money} 1 of {label} saved", f"{money} of {label} saved",
                           f"{money} of extra {label}", sign)
    if spec.kind == "count":
        up = ("one more in “%s”" % label, "more in “%s”" % label)
        down = ("one fewer in “%s”" % label, "fewer in “%s”" % label)
    elif unit:
        up = (f"1 {unit} of extra “{label}”", f"{unit} of extra “{label}”")
        down = (f"1 {unit} less of “{label}”", f"{unit} less of “{label}”")
    else:
        up = (f"unit of extra “{label}”", f"units of extra “{label}”")
        down = (f"unit less of “{label}”", f"units less of “{label}”")
    if sign >= 0:
        return Improvement(*up, down[1], sign)
    return Improvement(*down, up[1], sign)
