"""Caches never serve one data set's results for another (issue #18), through the real pages.

Each AppTest is one browser session; all of them share this process's Streamlit caches, as the
sessions of one server do. The downloads are read back from Streamlit's media file manager,
byte for byte as a browser would receive them. The references are computed by ``fd_stats``
directly from each session's own data and mapping, never from the page under test.
"""
from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from fd_stats import Settings
from fd_stats.analysis import ALL
from fd_stats.thresholds import depends_on_choice, grid_methods, threshold_grid

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PEOPLE_CSV = (ROOT / "data" / "focused_deterrence" / "people.csv").read_bytes()


@pytest.fixture
def downloads(monkeypatch):
    """Every download button's bytes, by file name (the last one drawn wins)."""
    seen: dict[str, bytes] = {}
    add = MediaFileManager.add

    def recording(self, path_or_data, mimetype, coordinates, file_name=None, **kw):
        if file_name and isinstance(path_or_data, (bytes, bytearray)):
            seen[file_name] = bytes(path_or_data)
        return add(self, path_or_data, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    return seen


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts from a fresh server: nothing cached by earlier tests."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def new_session() -> AppTest:
    """A new browser session: the Overview, then the Data page."""
    at = ok(AppTest.from_file(APP, default_timeout=180).run())
    at.switch_page("pages/8_Data.py")
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def use_upload(at: AppTest, file_name: str, raw: bytes, name: str, synthetic: bool,
               treatment: str | None = None, control: str | None = None) -> AppTest:
    """On the Data page: upload, optionally set the arm values, name, (un)tick synthetic, use."""
    ok(at.file_uploader(key="data_file").set_value((file_name, raw, "text/csv")).run())
    return use_pending(at, name, synthetic, treatment, control)


def use_pending(at, name, synthetic, treatment=None, control=None) -> AppTest:
    if treatment is not None:
        at.selectbox(key="data_treat").set_value(treatment)
        at.selectbox(key="data_ctrl").set_value(control)
        ok(at.run())
    at.text_input(key="data_name").set_value(name)
    box = at.checkbox(key="data_synthetic")
    (box.check() if synthetic else box.uncheck())
    ok(at.run())
    ok(at.button(key="data_use").click().run())
    assert at.session_state["cfg_dataset"].startswith(name), at.session_state["cfg_dataset"]
    return at


def build_pack(at: AppTest, downloads: dict) -> dict[str, bytes]:
    downloads.clear()
    at.switch_page("pages/9_Export.py")
    ok(at.run())
    ok(at.button(key="export_build").click().run())
    assert not at.error, [e.value for e in at.error]
    assert {"results.csv", "results.xlsx", "board_report.html"} <= set(downloads), set(downloads)
    return dict(downloads)


def csv_text(files) -> str:
    """The results CSV and the settings CSV saved beside it (where the pack states the trial)."""
    return "\n".join(files[f].decode("utf-8-sig") for f in ("results_settings.csv", "results.csv")
                     if f in files)


def test_board_pack_states_its_own_sessions_name_and_synthetic_flag(downloads):
    """Issue #18: A and B upload the same bytes; B names it differently and ticks synthetic."""
    a = use_upload(new_session(),
                   "nightjar_extract.csv", PEOPLE_CSV, "Operation Nightjar 7731", synthetic=False)
    pack_a = build_pack(a, downloads)
    assert "Trial,Operation Nightjar 7731" in csv_text(pack_a)

    b = use_upload(new_session(),
                   "demo.csv", PEOPLE_CSV, "Public demo data", synthetic=True)
    pack_b = build_pack(b, downloads)
    for fmt, data in pack_b.items():
        if fmt != "results.csv":  # the plain results table: the same data give the same table
            assert data != pack_a.get(fmt), f"{fmt}: session B got session A's bytes"
        assert b"Nightjar" not in data, fmt
    text = csv_text(pack_b)
    assert "Public demo data" in text and "Synthetic data,yes" in text.replace('"', "")
    html = pack_b["board_report.html"].decode("utf-8")
    assert "Public demo data" in html and "Nightjar" not in html


def test_renamed_bundled_copy_is_packed_under_its_new_name_and_flag(downloads):
    """Issue #18: open the bundled data on the Data page, rename, untick synthetic, use, build."""
    at = new_session()
    bundled = build_pack(at, downloads)          # the bundled trial's pack, built first
    assert "Synthetic data,yes" in csv_text(bundled).replace('"', "")
    at.switch_page("pages/8_Data.py")
    ok(at.run())
    ok(at.button(key="data_open_bundled").click().run())
    use_pending(at, "Board copy of the FD trial", synthetic=False)
    renamed = build_pack(at, downloads)
    text = csv_text(renamed).replace('"', "")
    assert "Trial,Board copy of the FD trial" in text
    assert "Synthetic data,no" in text
    assert csv_text(renamed) != csv_text(bundled)


def _grid_reference(at: AppTest, arms: tuple[str, str]) -> pd.DataFrame:
    """The grid fd_stats gives for this session's data set in use (its own table and mapping,
    which must hold these (treatment, control) values) at the sidebar's default settings."""
    trial = at.session_state["datasets"][at.session_state["cfg_dataset"]]
    assert (trial.mapping.treatment, trial.mapping.control) == arms
    kinds = {c: trial.outcome(c).kind for c in trial.mapping.outcomes}  # the page's models
    return threshold_grid(trial.table, trial.mapping, Settings(),
                          methods=grid_methods(kinds, trial.mapping))


def _page_grid(downloads) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(downloads["threshold_grid.csv"]))


def _same_verdicts(page: pd.DataFrame, ref: pd.DataFrame) -> None:
    cols = ["outcome", "subgroup", "test", "alternative", "correction", "alpha"]
    p = page.sort_values(cols).reset_index(drop=True)
    r = ref[ref["outcome"].isin(p["outcome"])].sort_values(cols).reset_index(drop=True)
    assert len(p) == len(r) > 0
    pd.testing.assert_series_equal(p["significant"].astype(bool), r["significant"].astype(bool))
    pd.testing.assert_series_equal(p["p_value"], r["p_value"], rtol=1e-6)


def test_threshold_grid_follows_the_arms_under_the_same_name(downloads):
    """Issue #18: swap the arms, use, open Thresholds; fix the arms, use again under the same
    name: Thresholds must show the fixed arms' grid and sentences."""
    name = "Arms check"
    at = use_upload(new_session(), "people.csv",
                    PEOPLE_CSV, name, synthetic=True, treatment="control", control="treatment")
    at.switch_page("pages/3_Thresholds.py")
    ok(at.run())
    swapped = _grid_reference(at, ("control", "treatment"))
    _same_verdicts(_page_grid(downloads), swapped)

    at.switch_page("pages/8_Data.py")
    ok(at.run())
    ok(at.file_uploader(key="data_file").set_value(("people.csv", PEOPLE_CSV, "text/csv")).run())
    use_pending(at, name, synthetic=True, treatment="treatment", control="control")
    downloads.clear()
    at.switch_page("pages/3_Thresholds.py")
    ok(at.run())
    fixed = _grid_reference(at, ("treatment", "control"))
    _same_verdicts(_page_grid(downloads), fixed)
    # the page's sentences are the fixed arms' (not the swapped arms' left in a cache)
    # as rendered: bold marks and Markdown escapes (the labels are escaped) removed
    page_text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown).replace("**", ""))
    for sentence in depends_on_choice(fixed):
        assert sentence in page_text, sentence
    swapped_only = set(depends_on_choice(swapped)) - set(depends_on_choice(fixed))
    assert swapped_only and not any(t in page_text for t in swapped_only)


def test_threshold_grid_of_another_session_with_swapped_arms_is_not_shown(downloads):
    """Across sessions: B uses the same bytes and name as A with the arms swapped."""
    name = "Shared name"
    a = use_upload(new_session(), "people.csv",
                   PEOPLE_CSV, name, synthetic=True, treatment="treatment", control="control")
    a.switch_page("pages/3_Thresholds.py")
    ok(a.run())
    b = use_upload(new_session(), "people.csv",
                   PEOPLE_CSV, name, synthetic=True, treatment="control", control="treatment")
    downloads.clear()
    b.switch_page("pages/3_Thresholds.py")
    ok(b.run())
    _same_verdicts(_page_grid(downloads), _grid_reference(b, ("control", "treatment")))
    allb = _page_grid(downloads).query("subgroup == @ALL")
    assert not allb.empty


# ---------------------------------------------------------------- the grid from fewer runs

def _brute_force_grid(table, mapping, settings):
    """The grid with every (test, sidedness) analysed afresh (the previous method)."""
    from fd_stats import analyse
    from fd_stats.methods.multiplicity import adjust_pvalues
    from fd_stats.thresholds import (GRID_ALPHAS, GRID_ALTERNATIVES, GRID_COLUMNS,
                                     GRID_CORRECTIONS, GRID_TESTS)
    blocks = []
    for test in GRID_TESTS:
        for alt in GRID_ALTERNATIVES:
            res = analyse(table, mapping, replace(settings, test=test, alternative=alt))
            for corr in GRID_CORRECTIONS:
                adj = np.full(len(res), np.nan)
                for _, idx in res.groupby("subgroup", sort=False).indices.items():
                    adj[idx] = adjust_pvalues(res["p_value"].to_numpy()[idx], corr)
                for a in GRID_ALPHAS:
                    b = res[["outcome", "label", "subgroup", "p_value", "percent_change"]].copy()
                    b["test"], b["alternative"], b["correction"], b["alpha"] = test, alt, corr, a
                    b["p_adjusted"], b["significant"] = adj, adj < a
                    blocks.append(b)
    return pd.concat(blocks, ignore_index=True)[GRID_COLUMNS]


def _awkward_table(seed=7):
    """Counts with missing values, a constant outcome, a skewed one and a subgroup level with
    one treated person (t-tests not estimable there)."""
    rng = np.random.default_rng(seed)
    n = 80
    arm = np.where(rng.random(n) < 0.5, "treatment", "control")
    group = rng.choice(["a", "b"], size=n)
    group[:3] = "tiny"
    arm[:3] = ["treatment", "control", "control"]
    skewed = rng.negative_binomial(1, 0.3, size=n).astype(float)
    skewed[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"arm": arm, "group": group, "skewed": skewed,
                         "constant": np.ones(n), "shifted": rng.poisson(2, n) + (arm == "control")})


@pytest.mark.parametrize("case", ["bundled", "awkward", "one-sided settings"])
def test_grid_from_one_t_run_per_t_test_equals_every_run_afresh(case):
    from fd_stats.analysis import Mapping
    from fd_stats.data.trial import load_trial
    settings = Settings(permutations=500)
    if case == "awkward":
        table = _awkward_table()
        mapping = Mapping(outcomes=("skewed", "constant", "shifted"), subgroup="group")
    else:
        trial = load_trial()
        table, mapping = trial.table, trial.mapping
        if case == "one-sided settings":
            settings = replace(settings, alternative="less", test="permutation", confidence_level=0.9)
    calls = []

    def counted(s):
        calls.append((s.test, s.alternative))
        from fd_stats import analyse
        return analyse(table, mapping, s)

    fast = threshold_grid(None, settings=settings, analyse_fn=counted)
    # the permutation test once too: both p-values from the same re-randomisations (issue 16)
    assert sorted(calls) == sorted([("welch", "two-sided"), ("student", "two-sided"),
                                    ("mann-whitney", "two-sided"), ("mann-whitney", "less"),
                                    ("permutation", "two-sided")])
    pd.testing.assert_frame_equal(fast, _brute_force_grid(table, mapping, settings),
                                  check_exact=True)


def test_a_built_pack_is_withdrawn_when_a_setting_changes(downloads):
    at = new_session()
    build_pack(at, downloads)
    assert len(at.get("download_button")) >= 5
    at.radio(key="w_alternative").set_value("less")
    ok(at.run())
    assert len(at.get("download_button")) == 0
    assert any("changed since the last build" in i.value for i in at.info)
