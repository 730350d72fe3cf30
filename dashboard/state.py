"""Data sets in the session, the shared settings sidebar, and the cached analysis.

Every page calls :func:`sidebar` first. Settings live in ``st.session_state``
under ``cfg_*`` keys that survive page changes (Streamlit drops widget state
when the page that drew a widget is left), and widgets are re-seeded from them.
"""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.sessions import start_reaper
from fd_stats import Settings, analyse, with_alpha
from fd_stats.analysis import Mapping, TEST_LABELS
from fd_stats.errors import DataError
from fd_stats.report.safe_text import safe_text  # sidebar labels: user text, kept short
from fd_stats.methods.multiplicity import CORRECTIONS
from fd_stats.data.trial import Trial, load_trial
from fd_stats.report.safe_text import md_spec
from fd_stats.report.wording import SYNTHETIC_LABEL, side_labels

ALPHAS = [0.01, 0.02, 0.025, 0.05, 0.075, 0.10, 0.15, 0.20]
SIDES = {
    "two-sided": "Two-sided (any difference)",
    "less": "One-sided: treatment lower",
    "greater": "One-sided: treatment higher",
}
LEVELS = [0.80, 0.90, 0.95, 0.99]
DEFAULTS = {
    "dataset": None,
    "alpha": 0.05,
    "alternative": "two-sided",
    "test": None,          # None: the data set's primary method (its specification's)
    "correction": "none",
    "confidence_level": 0.95,
    "outcomes": None,      # None: every outcome of the data set
    "subgroup": "__default__",
    "prespecified": False,
}
BUNDLED_NAME = "Focused Deterrence trial (synthetic data)"


@st.cache_resource(show_spinner=False)
def _bundled_master() -> Trial:
    """Read once per server; never handed to a session (sessions get their own copy)."""
    trial = load_trial()
    trial.name = BUNDLED_NAME
    return trial


def bundled_trial() -> Trial:
    """This session's own copy of the bundled trial (131 rows), so nothing a session does to
    its data sets (a rename, a re-mapping, an edited table) can reach another session."""
    return copy.deepcopy(_bundled_master())


def table_hash(table: pd.DataFrame) -> str:
    """Content hash of a table: values, index, column names and dtypes (reads, never writes).

    Each column's own bytes are hashed (pandas' row hashes took 0.9 s at a million people,
    most of it for an id column of text): numbers and dates as stored, text through Arrow
    (offsets, characters and missing cells), anything else by pandas' hash."""
    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in table.dtypes.items()]).encode())
    idx = table.index
    h.update(repr((idx.start, idx.stop, idx.step)).encode() if isinstance(idx, pd.RangeIndex)
             else pd.util.hash_pandas_object(idx).to_numpy().tobytes())
    for i in range(table.shape[1]):
        _hash_column(h, table.iloc[:, i])
    return h.hexdigest()[:24]


def _hash_column(h, s: pd.Series) -> None:
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "biufcmM":
        h.update(b"n")
        h.update(np.ascontiguousarray(s.to_numpy()).view(np.uint8))
        return
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "string":
        import pyarrow as pa

        try:  # str and None only (a float NaN or pd.NA raises, and goes to pandas' hash)
            a = pa.array(s.to_numpy(), type=pa.large_string(), from_pandas=False)
        except (pa.ArrowException, UnicodeError):
            pass
        else:
            _, offsets, chars = a.buffers()
            for part in (b"s", a.is_null().to_numpy(zero_copy_only=False), offsets,
                         chars or b""):
                h.update(part)
            return
    h.update(b"p")
    h.update(pd.util.hash_pandas_object(s, index=False).to_numpy())


def memo(store, slot, key, compute, of=None):
    """The last result of ``compute()``, kept in ``store[slot]`` (the session state, or a dict
    in it) for ``key`` and, when given, this very object ``of``: a rerun for a typed name or a
    tick does not look at a million rows again. The memo holds ``of`` itself, so a new table
    at a recycled address is never taken for it."""
    held = store.get(slot)
    if held is None or held[0] is not of or held[1] != key:
        held = store[slot] = (of, key, compute())
    return held[2]


def _session_table_hash(name: str, table: pd.DataFrame) -> str:
    """``table_hash``, remembered in this session for as long as ``name`` holds this very
    table. Nothing is written to the trial, which may be shared."""
    return memo(st.session_state.setdefault("dataset_table_hashes", {}), name, None,
                lambda: table_hash(table), of=table)


def table_key(trial: Trial) -> str:
    """Content hash of the trial's table, for cache keys (computed once per session and table;
    never stored in the trial)."""
    return _session_table_hash(trial.name, trial.table)


def dataset_key(trial: Trial) -> str:
    """Fingerprint of everything about a data set that can change a result, a chart, a grid or
    a pack: the table's content, the name, the synthetic flag, the mapping (arm column and
    values, labels), the outcomes' labels, units, kinds and directions, the subgroups and the
    metadata. Dicts keep their insertion order in the repr, which is deterministic here."""
    # every field but the table, so a field added to Trial later is covered too
    described = repr([(f.name, getattr(trial, f.name)) for f in fields(trial)
                      if f.name != "table"])
    h = hashlib.sha256(table_key(trial).encode())
    h.update(described.encode())
    return h.hexdigest()[:24]


def datasets() -> dict[str, Trial]:
    """Data sets available in this session: the bundled trial plus any uploads (memory only)."""
    if "datasets" not in st.session_state:
        st.session_state["datasets"] = {BUNDLED_NAME: bundled_trial()}
    return st.session_state["datasets"]


def add_dataset(trial: Trial, select: bool = True) -> None:
    """Put an uploaded trial in the session (never on disk) and optionally switch to it."""
    datasets()[trial.name] = trial
    if select:
        st.session_state["cfg_dataset"] = trial.name
        st.session_state["cfg_outcomes"] = None
        st.session_state["cfg_subgroup"] = "__default__"


def primary_method(trial: Trial) -> str:
    """The primary method the data set's specification names (Welch if it names none)."""
    method = getattr(trial.spec, "method", None)
    return method if method in TEST_LABELS else "welch"


def _cfg(key):
    full = f"cfg_{key}"
    if full not in st.session_state:
        st.session_state[full] = DEFAULTS[key]
    return st.session_state[full]


def _bind(key):
    """Seed widget ``w_key`` from ``cfg_key``; return kwargs that copy changes back."""
    st.session_state[f"w_{key}"] = _cfg(key)

    def copy_back():
        st.session_state[f"cfg_{key}"] = st.session_state[f"w_{key}"]

    return {"key": f"w_{key}", "on_change": copy_back}


def remember(key: str, default=None, options=None, scope=None) -> str:
    """Keep a page widget's value when the user opens another page and comes back.

    Streamlit drops the state of every widget the last run did not draw, so a choice made on
    one page was lost on the way back. The value is copied to ``kept_<key>`` on every run and
    put back before the widget is drawn. Call it before the widget and pass the widget's
    default here, not as its ``value``/``default``/``index`` (Streamlit warns when both set it).
    A value no longer among ``options`` falls back to ``default`` (a multiselect keeps those
    still offered); ``scope`` (e.g. the data set's
    name, for a default computed from the data) restores a kept value only in the same scope.
    Returns ``key``, for the widget's ``key=``.
    """
    ss = st.session_state
    kept = ss.get(f"kept_{key}")
    if key in ss and kept is not None and kept[0] != scope:  # another data set: start afresh
        del ss[key]
    if key not in ss:
        if kept is not None and kept[0] == scope:  # back from another page
            ss[key] = kept[1]
        elif default is not None:
            ss[key] = default
    if options is not None and key in ss and isinstance(ss[key], list):  # a multiselect
        ss[key] = [v for v in ss[key] if v in options]
    elif options is not None and key in ss and ss[key] not in options:
        if default is None:
            del ss[key]
        else:
            ss[key] = default
    if key in ss:
        ss[f"kept_{key}"] = (scope, ss[key])
    return key


def reset_settings() -> None:
    for key, value in DEFAULTS.items():
        if key != "dataset":
            st.session_state[f"cfg_{key}"] = value


@dataclass
class Context:
    """What a page needs: the data set, the settings and the results they give."""

    trial: Trial
    mapping: Mapping
    settings: Settings
    subgroup: str | None
    prespecified: bool

    @property
    def results(self) -> pd.DataFrame:
        return results_for(self.trial, self.mapping, self.settings)

    def results_with(self, **changes) -> pd.DataFrame:
        return results_for(self.trial, self.mapping, replace(self.settings, **changes))

    def label(self, column: str) -> str:
        return self.trial.outcome(column).label

    def lower_is_better(self) -> dict:
        """Outcome -> direction ('lower', 'higher', 'neither' or None = not set)."""
        return {o.column: o.direction for o in self.trial.outcomes}

    def specs(self) -> dict:
        """Outcome -> its specification (kind, unit, direction, crime measure)."""
        return {o.column: o for o in self.trial.outcomes}


@st.cache_data(show_spinner="Running the analysis…", max_entries=64)
def _analyse_cached(_table: pd.DataFrame, table_key: str, mapping: Mapping, settings: Settings):
    # analyse() reads only the table, the mapping (arm column and values, outcomes, labels,
    # subgroup) and the settings, so these three make the whole key. st.cache_data hands every
    # caller its own copy of the result.
    return analyse(_table, mapping, settings)


def results_for(trial: Trial, mapping: Mapping, settings: Settings) -> pd.DataFrame:
    """The one cached analysis every page reads (shared by sessions with the same table,
    mapping and settings). Alpha only re-judges significance, so it is not part of the key."""
    key = table_key(trial)
    base = _analyse_cached(trial.table, key, mapping, replace(settings, alpha=0.05))
    return with_alpha(base, settings.alpha)


# Outcome tags wrap instead of being cut to "Total crime harm as su…" (Streamlit's
# default), so every chosen outcome can be read in the sidebar at 1280 x 720.
SIDEBAR_CSS = """<style>
[data-testid="stSidebar"] [data-tag] {max-width: 100%; height: auto;}
[data-testid="stSidebar"] [data-tag] span[title] {white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.25; padding: 2px 0;}
</style>"""


def sidebar() -> Context:
    """Draw the analysis settings in the sidebar (same on every page) and return the context."""
    start_reaper()  # once per server: closed sessions give their memory back
    _navigation()
    sets = datasets()
    if _cfg("dataset") not in sets:
        st.session_state["cfg_dataset"] = next(iter(sets))
    sb = st.sidebar
    sb.header("Analysis settings")
    sb.selectbox("Data set", list(sets), **_bind("dataset"))
    trial = sets[_cfg("dataset")]
    st.html(SIDEBAR_CSS)
    if len(_cfg("dataset")) > 28:  # a select box cannot wrap: show the whole name under it
        sb.caption(safe_text(_cfg("dataset"), "markdown"))  # a file name: the data's text
    if trial.synthetic:
        sb.caption("⚠️ " + SYNTHETIC_LABEL)
    outcome_cols = [o.column for o in trial.outcomes] or list(trial.mapping.outcomes)
    if _cfg("outcomes") is not None:
        st.session_state["cfg_outcomes"] = [c for c in _cfg("outcomes") if c in outcome_cols] or None
    sb.select_slider("Significance threshold (alpha)", options=ALPHAS,
                     format_func=lambda a: f"{a:g}", **_bind("alpha"))
    # radio options render Markdown, and the labels quote the outcomes' names
    sides = side_labels([md_spec(trial.outcome(c)) for c in (_cfg("outcomes") or outcome_cols)])
    sb.radio("Sidedness of the test", list(SIDES), format_func=sides.get, **_bind("alternative"),
             help="Two-sided asks whether the programme changed the outcome in either "
                  "direction. One-sided looks in one direction only, which halves the p-value; "
                  "it must be chosen before seeing the data.")
    primary = primary_method(trial)
    if _cfg("test") is None or st.session_state.get("cfg_test_for",
                                                     _cfg("dataset")) != _cfg("dataset"):
        # a data set opens with the primary method its specification names
        st.session_state["cfg_test"] = primary
    st.session_state["cfg_test_for"] = _cfg("dataset")
    sb.selectbox("Method", list(TEST_LABELS), format_func=TEST_LABELS.get, **_bind("test"),
                 help="How treatment is compared with control for every outcome: the tests of "
                      "means and ranks, rate ratios from count models (Poisson, negative "
                      "binomial), the covariate-adjusted difference (Lin), the difference within "
                      "randomisation strata, or prevalence (share with at least one event). "
                      f"This data set's specification names {TEST_LABELS[primary]} as the "
                      "primary method, so the pages open with it. "
                      "The Outcomes page shows every method side by side for one outcome.")
    sb.selectbox("Multiple-comparison correction", list(CORRECTIONS),
                 format_func=lambda c: CORRECTIONS[c][:1].upper() + CORRECTIONS[c][1:],
                 **_bind("correction"),
                 help="Adjusts p-values because several outcomes are tested at once "
                      "(the family is the outcomes within each subgroup level).")
    sb.select_slider("Confidence level of intervals", options=LEVELS,
                     format_func=lambda v: f"{v:.0%}", **_bind("confidence_level"))
    st.session_state["w_outcomes"] = _cfg("outcomes") or outcome_cols
    sb.multiselect("Outcomes", outcome_cols,
                   format_func=lambda c: safe_text(trial.outcome(c).label, "plain", 60),
                   key="w_outcomes",
                   on_change=lambda: st.session_state.__setitem__(
                       "cfg_outcomes", st.session_state["w_outcomes"] or None))
    sub_options = _subgroup_options(trial)
    if _cfg("subgroup") not in sub_options:
        st.session_state["cfg_subgroup"] = (trial.mapping.subgroup
                                            if trial.mapping.subgroup in sub_options else "")
    sb.selectbox("Subgroup column", sub_options,
                 format_func=lambda c: safe_text(c, "plain", 60) or "(none)", **_bind("subgroup"))
    sub = _cfg("subgroup") or None
    st.session_state["cfg_prespecified"] = (_cfg("prespecified")
                                            or trial.subgroup_prespecified.get(sub, False))
    sb.checkbox("Subgroups were pre-specified", **_bind("prespecified"),
                help="Tick only if this subgroup analysis was planned before the data were "
                     "seen; otherwise subgroup results are labelled exploratory.")
    sb.button("Reset settings", on_click=reset_settings)
    chosen = tuple(_cfg("outcomes") or outcome_cols)
    mapping = replace(trial.mapping, outcomes=chosen, subgroup=sub)
    settings = Settings(test=_cfg("test"), alternative=_cfg("alternative"), alpha=_cfg("alpha"),
                        correction=_cfg("correction"), confidence_level=_cfg("confidence_level"))
    return Context(trial, mapping, settings, sub, bool(_cfg("prespecified")))


ROOT = Path(__file__).resolve().parents[1]


def page_files() -> list[tuple[str, str]]:
    """(path relative to the app folder, label) for the Overview and every page in pages/."""
    pages = sorted((ROOT / "pages").glob("*.py"), key=lambda p: int(p.stem.split("_")[0]))
    return [("app.py", "Overview")] + [
        (f"pages/{p.name}", p.stem.split("_", 1)[1].replace("_", " ")) for p in pages]


def _navigation() -> None:
    """Page links drawn by hand so the entry page reads 'Overview', not 'app'
    (config: client.showSidebarNavigation = false)."""
    for path, label in page_files():
        try:
            st.sidebar.page_link(path, label=label)
        except Exception:  # a page run on its own (tests) cannot link to its siblings
            return
    st.sidebar.divider()


def _subgroup_options(trial: Trial) -> list[str]:
    """Columns that can split people into subgroups: declared ones, then other short
    categoricals recorded in both arms (a column recorded for one arm only was measured after
    randomisation; splitting by it is not a subgroup analysis)."""
    from fd_stats.data.mapping import subgroup_eligibility

    t = trial.table
    m = trial.mapping
    keys = {m.arm, m.person_id, m.engagement, *m.outcomes}
    # once per session, table and arms: every page draws this sidebar, and the check looks
    # at every column of every person (about a second at a million rows)
    ok = memo(st.session_state.setdefault("subgroup_checks", {}), trial.name,
              (m.arm, str(m.treatment), str(m.control), tuple(sorted(map(str, keys)))),
              lambda: subgroup_eligibility(t, m.arm, m.treatment, m.control, keys), of=t)
    declared = [c for c in trial.subgroup_columns if c in t.columns]
    others = [c for c in t.columns if c not in keys and c not in declared and ok.get(c) == ""]
    return [""] + declared + others


def show_data_error(exc: DataError) -> None:
    from dashboard.upload import md_escape  # messages quote users' column names and values

    st.error(f"The analysis could not run: {md_escape(exc)}", icon=":material/block:")
