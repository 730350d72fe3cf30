"""Thresholds: which conclusions change with alpha, sidedness, correction and test."""
import streamlit as st

from dashboard.state import sidebar, show_data_error

st.set_page_config(page_title="Thresholds · Focused Deterrence evaluation", layout="wide")
ctx = sidebar()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard.figures import pvalue_chart, threshold_grid_figure  # noqa: E402
from fd_stats.report.safe_text import md, md_cells, md_columns  # noqa: E402
from fd_stats import DataError  # noqa: E402
from fd_stats.analysis import ALL, SIDEDNESS, TEST_LABELS  # noqa: E402
from fd_stats.cli.main import escape_frame  # noqa: E402
from fd_stats.methods.multiplicity import CORRECTIONS  # noqa: E402
from fd_stats.thresholds import (GRID_ALPHAS, GRID_ALTERNATIVES, GRID_TESTS,  # noqa: E402
                                 T_TESTS, TEST_WORDS, alpha_table, depends_on_choice,
                                 flip_summary, grid_methods, threshold_grid)
from fd_stats.report.wording import SYNTHETIC_LABEL, count_of  # noqa: E402

trial, s = ctx.trial, ctx.settings
corrected = s.correction != "none"
side = SIDEDNESS[s.alternative]
synth = "Synthetic data · " if trial.synthetic else ""

st.title("Thresholds: which conclusions depend on the analysis choices?")
if trial.synthetic:
    st.info(SYNTHETIC_LABEL, icon="⚠️")
st.markdown("A finding that is significant only under some choices of threshold, sidedness, "
            "correction or test is fragile. Those choices should be fixed before the data are "
            "seen; this page shows what each choice would have concluded.")

try:
    res = ctx.results
except DataError as exc:
    show_data_error(exc)
    st.stop()
allr = res[res["subgroup"] == ALL].reset_index(drop=True)
settings_words = f"{TEST_LABELS[s.test]}, {side}, {CORRECTIONS[s.correction]}"

# ---------------------------------------------------------------- grid at the chosen settings
st.header("Conclusion at each threshold, with your settings")
table = alpha_table(res, GRID_ALPHAS)
at_alpha = int(allr["significant"].sum())
first_sig = [min((a for a in GRID_ALPHAS if bool(table.loc[lab, a]) is True), default=None)
             for lab in table.index]
n_flip = sum(1 for f in first_sig if f is not None and f > GRID_ALPHAS[0])
fig = threshold_grid_figure(
    table, current_alpha=s.alpha,
    title=(f"{at_alpha} of {len(table)} significant at {s.alpha:g}; the verdict on {n_flip} "
           f"depends on the threshold"),
    subtitle=f"{synth}{settings_words}. ✔ sig = p{'(adjusted)' if corrected else ''} below the "
             "threshold; — ns = not below it. Black box = your threshold")
st.plotly_chart(fig, width="stretch", theme=None, key="thresholds_grid")

# ---------------------------------------------------------------- p-value chart
st.header("p-values against the threshold")
p_col = "p_adjusted" if corrected else "p_value"
x_title = (f"{CORRECTIONS[s.correction]}-adjusted p-value, {side} (log scale)" if corrected
           else f"p-value, {side} (log scale)")
fig = pvalue_chart(allr, alpha=s.alpha, p_col=p_col, x_title=x_title,
                   title=(f"{at_alpha} of {len(allr)} p-values fall below the threshold "
                          f"α = {s.alpha:g}"),
                   subtitle=f"{synth}{settings_words}. Filled = significant, open = not "
                            "significant")
st.plotly_chart(fig, width="stretch", theme=None, key="thresholds_pchart")
st.caption("A p-value is the probability of a difference at least this large if the programme "
           "had no effect. A p-value just above the line is not evidence of no effect, and one "
           "just below it is not proof of an effect.")

# ---------------------------------------------------------------- all combinations
st.header("Every combination of choices")


# the one-sided test looks in the favourable direction: treatment higher only when every
# outcome shown is better higher (the trial's own convention, lower, otherwise)
ONE_SIDED = ("greater" if {trial.outcome(c).direction for c in ctx.mapping.outcomes}
             == {"higher"} else "less")
ONE_WORDS = "treatment higher" if ONE_SIDED == "greater" else "treatment lower"
# the models join the tests for the outcomes they apply to (by kind, baseline, strata)
methods = grid_methods({c: trial.outcome(c).kind for c in ctx.mapping.outcomes}, ctx.mapping)
n_runs = (sum(1 if t in T_TESTS else len(GRID_ALTERNATIVES) for t in GRID_TESTS)
          + len(GRID_ALTERNATIVES) * len(methods))
progress = st.progress(0.0, text="Judging every outcome under every combination of choices…")
done = []


def _analyse(settings):
    # the one cached analysis every page reads (keyed by the table, the mapping with its arms
    # and labels, and the settings); no grid-level cache that could go stale. Updating the bar
    # between runs also lets Streamlit stop the work when this session reloads or closes.
    progress.progress(len(done) / n_runs, text=f"Running the {TEST_LABELS[settings.test]}, "
                                               f"{SIDEDNESS[settings.alternative]}…")
    done.append(settings)
    return ctx.results_with(test=settings.test, alternative=settings.alternative,
                            correction="none")


try:
    grid = threshold_grid(None, settings=s, analyse_fn=_analyse, methods=methods,
                          alternatives=("two-sided", ONE_SIDED))
except DataError as exc:
    show_data_error(exc)
    st.stop()
finally:
    progress.empty()
g_all = grid[grid["subgroup"] == ALL]

st.subheader("Which findings depend on the choice")
# the outcome labels are the data's text: Markdown-safe before they enter sentences and lists
sentences = depends_on_choice(md_columns(grid, ("label",)))
fs = flip_summary(grid)
always = [md(lab) for lab in fs.loc[fs["status"] == "always", "label"]]
never = [md(lab) for lab in fs.loc[fs["status"] == "never", "label"]]
if sentences:
    bold = {md(lab): f"**{md(lab)}**" for lab in fs["label"]}
    st.markdown("\n".join(
        "- " + next((bold[lab] + t[len(lab):] for lab in bold if t.startswith(lab)), t)
        for t in sentences))
else:
    st.markdown("No finding depends on these choices.")
st.markdown(
    ("**Significant under every combination (tests and the models that apply):** "
     + "; ".join(always) + ". " if always else
     "**No outcome is significant under every combination of choices.** ")
    + ("**Never significant:** " + "; ".join(never) + "." if never else ""))
model_words = "; ".join(
    f"{TEST_WORDS[m]} for {'every outcome' if len(o) == len(ctx.mapping.outcomes) else count_of(len(o), 'outcome')}"
    for m, o in methods.items())
st.caption(f"Combinations: thresholds {', '.join(f'{a:g}' for a in GRID_ALPHAS)} × two-sided or "
           f"one-sided ({ONE_WORDS}) × no correction, Bonferroni, Holm or Benjamini-Hochberg × "
           "Welch, Student, Mann-Whitney or permutation test"
           + (f", and the models where they apply to the outcome's kind ({model_words})"
              if methods else "")
           + ". A correction counts the outcomes a model was run on. Each condition named is "
           "needed for significance; together they may not be enough."
           + (" Adjusted models use the baseline columns of the specification"
              + (" (synthetic for the bundled trial, not from the report)."
                 if trial.synthetic else ".") if "lin" in methods else ""))

st.subheader("Smallest threshold at which each finding is significant")
st.markdown("Each cell gives the smallest alpha at which the outcome is significant with that "
            "test or model (row) and sidedness and correction (column): **✔ from 0.05** means significant "
            "at 0.05 and above; **— ns** means not significant at any threshold up to "
            f"{GRID_ALPHAS[-1]:g}.")
sig = g_all[g_all["significant"].astype(bool)]
mins = sig.groupby(["label", "test", "alternative", "correction"], sort=False)["alpha"].min()
labels = list(dict.fromkeys(g_all["label"]))
tests = list(dict.fromkeys(g_all["test"]))
combos = [(a, c) for a in dict.fromkeys(g_all["alternative"]) for c in dict.fromkeys(g_all["correction"])]
short_corr = {"none": "none", "bonferroni": "Bonf.", "holm": "Holm", "fdr_bh": "BH"}
short_test = {"welch": "Welch", "student": "Student", "mann-whitney": "Mann-Whitney",
              "permutation": "Permutation", "poisson": "Poisson RR",
              "negative-binomial": "Neg. binomial RR", "prevalence": "Prevalence RD",
              "lin": "Lin (adjusted)", "blocked": "Blocked"}
rows = []
for lab in labels:
    for t in tests:
        if not (g_all["label"].eq(lab) & g_all["test"].eq(t)).any():
            continue  # a model that does not apply to this outcome's kind
        row = {"Outcome": lab, "Test or model": short_test.get(t, t)}
        for a, c in combos:
            col = f"{'2-sided' if a == 'two-sided' else '1-sided'} · {short_corr.get(c, c)}"
            m = mins.get((lab, t, a, c))
            row[col] = "— ns" if m is None or not np.isfinite(m) else f"✔ from {m:g}"
        rows.append(row)
compact = pd.DataFrame(rows)


def _shade(v):
    if isinstance(v, str) and v.startswith("✔"):
        a = float(v.split()[-1])
        strength = 1 - GRID_ALPHAS.index(a) / len(GRID_ALPHAS) if a in GRID_ALPHAS else 0.3
        return f"background-color: rgba(0,114,178,{0.15 + 0.45 * strength:.2f})"
    if v == "— ns":
        return "color: #6b6b6b"
    return ""


depends_labels = fs.loc[fs["status"] == "depends", "label"].tolist()
shown = compact[compact["Outcome"].isin(depends_labels)]
if len(shown):
    st.markdown(f"Showing the {count_of(len(depends_labels), 'outcome')} whose conclusion depends on the "
                "choices; the others are below.")
    st.table(md_cells(shown, ["Outcome"]).set_index(["Outcome", "Test or model"]).style.map(_shade))
with st.expander(f"Every outcome ({len(compact)} rows)"):
    st.table(md_cells(compact, ["Outcome"]).set_index(["Outcome", "Test or model"]).style.map(_shade))
st.caption(f"{synth}Darker blue = significant at a smaller threshold. 2-sided = two-sided; "
           f"1-sided = one-sided, {ONE_WORDS}. Corrections: none, Bonferroni (Bonf.), Holm, "
           "Benjamini-Hochberg false discovery rate (BH), across the outcomes chosen in the "
           "sidebar.")
st.download_button("Download every combination (CSV)",
                   escape_frame(grid).to_csv(index=False).encode("utf-8"),
                   file_name="threshold_grid.csv", mime="text/csv", key="thresholds_download")
