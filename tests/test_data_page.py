"""The Data page through Streamlit's AppTest: uploads (good and bad), mapping, checks, use."""
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import dashboard.upload as upload
from dashboard.state import BUNDLED_NAME
from dashboard.upload import handle_upload, md_escape
from fd_stats.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "8_Data.py")
OUTCOMES_PAGE = sorted((ROOT / "pages").glob("*_Outcomes.py"))

rng = np.random.default_rng(11)
N = 40
UNFAMILIAR = pd.DataFrame({
    "Ref No": [f"R-{i:03d}" for i in range(N)],
    "Group Allocated": ["Intervention", "BAU"] * (N // 2),
    "Sex": rng.choice(["F", "M"], N),
    "Arrests 12m": rng.poisson(1.2, N),
    "Harm score": np.round(rng.gamma(0.5, 80, N), 1),
    "Took part": np.where(rng.random(N) < 0.6, "Yes", "No"),
}).to_csv(index=False).encode()


def text_of(elements) -> str:
    return " ".join(str(e.value) for e in elements).replace("\\", "")


def new_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception
    return at


def upload_file(at: AppTest, name: str, raw: bytes, key="data_file") -> AppTest:
    at.file_uploader(key=key).set_value((name, raw, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_opens_on_the_bundled_data():
    at = new_page()
    assert at.session_state["cfg_dataset"] == BUNDLED_NAME
    assert "Upload a file above" in text_of(at.info)
    assert at.file_uploader(key="data_file") is not None
    assert at.button(key="data_use_bundled").disabled


def test_good_upload_maps_checks_and_is_used():
    at = upload_file(new_page(), "new trial.csv", UNFAMILIAR)
    assert at.selectbox(key="data_arm").value == "Group Allocated"
    assert at.selectbox(key="data_treat").value == "Intervention"
    assert at.selectbox(key="data_ctrl").value == "BAU"
    assert at.selectbox(key="data_pid").value == "Ref No"
    assert at.selectbox(key="data_eng").value == "Took part"
    assert at.multiselect(key="data_outcomes").value == ["Arrests 12m", "Harm score"]
    assert not at.error
    assert not at.button(key="data_use").disabled
    at.button(key="data_use").click().run()
    assert not at.exception
    name = "new trial (uploaded)"
    assert at.session_state["cfg_dataset"] == name
    assert at.sidebar.selectbox(key="w_dataset").value == name
    assert "Now using" in text_of(at.success)
    trial = at.session_state["datasets"][name]
    assert not trial.synthetic and trial.mapping.arm == "Group Allocated"
    assert BUNDLED_NAME in at.session_state["datasets"]   # the bundled set stays available


def test_corrected_mapping_and_synthetic_label():
    at = upload_file(new_page(), "t.csv", UNFAMILIAR)
    at.multiselect(key="data_outcomes").set_value(["Arrests 12m"]).run()
    at.text_input(key="data_name").set_value("Made up").run()
    at.checkbox(key="data_synthetic").check().run()
    at.button(key="data_use").click().run()
    trial = at.session_state["datasets"]["Made up (synthetic data)"]
    assert trial.synthetic and trial.mapping.outcomes == ("Arrests 12m",)


BAD_FILES = [
    ("empty.csv", b"", "is empty"),
    ("garbage.csv", bytes(range(256)) * 8, "binary"),
    ("cut.parquet", b"PAR1" + b"\x01" * 50, "Parquet"),
    ("fake.xlsx", b"arm,y\ntreatment,1\n", "not a real .xlsx"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 64, "Excel"),
    ("ragged.csv", b"arm,y,z\ntreatment,1\ncontrol,2,3,4,5\n", "fields"),
    ("header.csv", b"arm,y\n", "no data rows"),
    # (a wide file is no longer refused: the limit is in cells, tests/test_sweep.py)
    ("ambiguous.csv", b"arm;y\ntreatment;1.500\ncontrol;2.250\n", "thousands separator"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, ".xls"),
]


def test_bad_uploads_one_after_another_keep_the_data_in_use():
    at = upload_file(new_page(), "good.csv", UNFAMILIAR)
    at.button(key="data_use").click().run()
    assert at.session_state["cfg_dataset"] == "good (uploaded)"
    for name, raw, words in BAD_FILES:
        upload_file(at, name, raw)
        errors = text_of(at.error)
        assert words in errors, (name, errors)
        assert "still uses good (uploaded)" in text_of(at.info)
        assert at.session_state["cfg_dataset"] == "good (uploaded)"
        assert "data_pending" not in at.session_state      # nothing half-loaded
    # and the page still works: a good file after all the bad ones
    upload_file(at, "good2.csv", UNFAMILIAR)
    assert not at.error and not at.button(key="data_use").disabled


@pytest.mark.parametrize("rows, words", [
    ("arm,y\ntreatment,1\ncontrol,2\n", "only 1 person"),
    ("arm,y\ntreatment,1\ntreatment,1\ncontrol,1\ncontrol,1\n", "No outcome varies"),
    ("arm,y\ntreatment,1e308\ntreatment,1\ncontrol,2\ncontrol,3\n", "too large"),
    ("arm,y\ntreatment,inf\ntreatment,1\ncontrol,2\ncontrol,3\n", "infinite"),
])
def test_blocking_problems_stop_the_data_set(rows, words):
    at = upload_file(new_page(), "b.csv", rows.encode())
    assert words in text_of(at.error)
    assert "blocking problem" in text_of(at.error)
    assert at.button(key="data_use").disabled
    assert at.session_state["cfg_dataset"] == BUNDLED_NAME


def test_text_outcome_chosen_by_the_user_blocks_with_rows():
    raw = b"arm,y,notes\ntreatment,1,abc\ntreatment,2,def\ncontrol,1,x\ncontrol,3,y\n"
    at = upload_file(new_page(), "t.csv", raw)
    at.multiselect(key="data_outcomes").set_value(["y", "notes"]).run()
    errs = text_of(at.error)
    assert "should hold numbers" in errs and "rows 1, 2, 3, 4" in errs
    assert at.button(key="data_use").disabled


def test_upload_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(upload, "MAX_UPLOAD_MB", 0.001)   # about 1 kB
    at = upload_file(new_page(), "big.csv", UNFAMILIAR)
    assert "the dashboard takes files up to" in text_of(at.error)
    assert "data_pending" not in at.session_state


def test_markup_in_column_names_is_not_rendered():
    raw = (b"arm,**bold** <img src=x onerror=alert(1)>,[link](javascript:alert(1))\n"
           b"treatment,1,2\ncontrol,2,3\ntreatment,3,1\ncontrol,0,2\n")
    at = upload_file(new_page(), "<b>x</b>.csv", raw)
    assert not at.exception
    for el in [*at.markdown, *at.error, *at.warning, *at.info, *at.success, *at.caption]:
        body = str(el.value)
        assert "<img" not in body and "<b>" not in body and "](javascript" not in body, body
    assert "<img src=x onerror=alert(1)>" in " ".join(at.multiselect(key="data_outcomes").options)


def test_mapping_json_round_trip_and_bad_mapping():
    at = upload_file(new_page(), "t.csv", UNFAMILIAR)
    mapping = {"arm": "Group Allocated", "treatment": "Intervention", "control": "BAU",
               "person_id": "Ref No", "subgroups": [], "engagement": None,
               "outcomes": [{"column": "Harm score", "label": "Harm", "unit": "days",
                             "lower_is_better": True, "kind": "continuous"}]}
    upload_file(at, "map.json", json.dumps(mapping).encode(), key="data_mapping_file")
    assert at.multiselect(key="data_outcomes").value == ["Harm score"]
    assert at.multiselect(key="data_subgroups").value == []
    assert "Mapping loaded" in text_of(at.info)
    bad = dict(mapping, outcomes=["Nope"])
    upload_file(at, "bad.json", json.dumps(bad).encode(), key="data_mapping_file")
    assert "Nope" in text_of(at.error) and "were not changed" in text_of(at.error)
    assert at.multiselect(key="data_outcomes").value == ["Harm score"]
    upload_file(at, "junk.json", b"\x00\x01{{", key="data_mapping_file")
    assert "not valid JSON" in text_of(at.error) or "not a text" in text_of(at.error)


def test_excel_sheet_choice():
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xw, sheet_name="Cover", index=False)
        pd.read_csv(io.BytesIO(UNFAMILIAR)).to_excel(xw, sheet_name="People", index=False)
    at = upload_file(new_page(), "trial.xlsx", buf.getvalue())
    assert at.selectbox(key="data_sheet").options == ["Cover", "People"]
    at.selectbox(key="data_sheet").set_value("People").run()
    assert not at.exception
    assert at.selectbox(key="data_arm").value == "Group Allocated"


def test_offence_level_example_builds_a_person_table():
    at = new_page()
    at.button(key="data_demo").click().run()
    assert not at.exception
    assert at.selectbox(key="data_arm").value == "allocation"
    assert (at.selectbox(key="data_treat").value, at.selectbox(key="data_ctrl").value) == \
        ("FD", "BAU")
    assert "suspect_knife" in at.multiselect(key="data_outcomes").value
    assert "crime rows counted" in text_of(at.info)
    at.button(key="data_use").click().run()
    assert "built from a crimes extract" in at.session_state["cfg_dataset"]
    assert at.session_state["datasets"][at.session_state["cfg_dataset"]].synthetic


def test_offence_level_upload_errors_are_messages():
    at = new_page()
    ex = upload.example_files()
    upload_file(at, "crimes.csv", b"who,when\n1,2\n", key="data_crimes")
    upload_file(at, "people.csv", ex["randomisation_example.csv"], key="data_people")
    upload_file(at, "harm.csv", ex["harm_lookup_example.csv"], key="data_harm")
    at.button(key="data_aggregate").click().run()
    assert not at.exception
    assert "crimes.csv" in text_of(at.error) and "person id" in text_of(at.error)
    assert at.session_state["cfg_dataset"] == BUNDLED_NAME


@pytest.mark.skipif(not OUTCOMES_PAGE, reason="no Outcomes page yet")
def test_outcomes_page_runs_on_an_uploaded_data_set():
    at = upload_file(new_page(), "new.csv", UNFAMILIAR)
    at.button(key="data_use").click().run()
    out = AppTest.from_file(str(OUTCOMES_PAGE[0]), default_timeout=120)
    out.session_state["datasets"] = at.session_state["datasets"]
    out.session_state["cfg_dataset"] = "new (uploaded)"
    out.run()
    assert not out.exception, [e.value for e in out.exception]


# ---------------------------------------------------------------- plain functions

def test_handle_upload_plain_function():
    u = handle_upload(UNFAMILIAR, "x.csv")
    assert u.table.shape == (N, 6) and u.sheets == []
    with pytest.raises(DataError, match="is empty"):
        handle_upload(b"", "e.csv")
    with pytest.raises(DataError, match="not a real .xlsx"):
        handle_upload(b"a,b\n1,2\n", "renamed.xlsx")


def test_md_escape_neutralises_markdown_and_html():
    s = md_escape("**x** <b>y</b> [l](u) `c` $x$ _i_ #h")
    for raw in ("**", "<b>", "[l]", "`c`", "$x$", "_i_"):
        assert raw not in s


def test_offence_level_example_with_an_end_date_declares_baselines():
    # issue 14: the extract's end date cuts follow-up and adds baseline windows, each
    # outcome's baseline declared for adjusted analyses
    import datetime

    at = new_page()
    at.number_input(key="data_months").set_value(6).run()
    at.date_input(key="data_end_date").set_value(datetime.date(2023, 12, 31)).run()
    at.button(key="data_demo").click().run()
    assert not at.exception and not at.error
    pending = at.session_state["data_pending"]
    assert pending["labels"]["suspect_knife"].baseline == "suspect_knife_pre12m"
    table = pending["table"]
    assert {"exposure_days", "suspect_knife", "suspect_knife_pre24m"} <= set(table.columns)
    assert table["exposure_days"].max() <= 184   # six months at most
    assert "cut at 2023-12-31" in text_of(at.info)
    outcomes = at.multiselect(key="data_outcomes").value
    assert "suspect_knife_pre12m" not in outcomes and "exposure_days" not in outcomes


def test_exposure_is_not_guessed_as_an_outcome():
    # the time each person was observed is what a rate is per, never compared as an outcome
    from fd_stats.data.mapping import guess_spec

    t = pd.DataFrame({"id": list("abcd"), "arm": ["treatment", "control"] * 2,
                      "y": [1, 2, 0, 3], "exposure_days": [10, 20, 30, 40]})
    spec, guesses = guess_spec(t)
    assert spec.outcome_columns == ["y"]
    assert next(g for g in guesses if g.column == "exposure_days").role == "not used"


def test_choices_survive_a_visit_to_another_page():
    """Streamlit drops a widget's value when its page is left: every correction the user made
    (arm values, outcomes, each outcome's label, kind and direction, design, name, synthetic)
    must still be there on coming back, not re-guessed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/8_Data.py")
    at = upload_file(at.run(), "t.csv", UNFAMILIAR)
    at.selectbox(key="data_treat").set_value("BAU").run()
    at.selectbox(key="data_ctrl").set_value("Intervention").run()
    at.multiselect(key="data_outcomes").set_value(["Harm score"]).run()
    at.selectbox(key="data_pid").set_value("(none)").run()
    at.selectbox(key="data_design").set_value("stratified").run()
    at.multiselect(key="data_strata").set_value(["Sex"]).run()
    at.number_input(key="data_follow").set_value(12.0).run()
    at.text_input(key="data_name").set_value("My corrected trial").run()
    at.checkbox(key="data_synthetic").check().run()
    at.session_state[at.session_state["data_base_key"]] = {"edited_rows": {0: {"label": "Harm (CCHI days)",
                                                        "better": "lower is better",
                                                        "kind": "score"}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    before = at.session_state["data_specs"]["Harm score"]
    assert (before.label, before.direction, before.kind) == ("Harm (CCHI days)", "lower", "score")

    for page in ("pages/1_Outcomes.py", "pages/8_Data.py"):
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="data_arm").value == "Group Allocated"
    assert at.selectbox(key="data_treat").value == "BAU"
    assert at.selectbox(key="data_ctrl").value == "Intervention"
    assert at.multiselect(key="data_outcomes").value == ["Harm score"]
    assert at.selectbox(key="data_pid").value == "(none)"
    assert at.selectbox(key="data_design").value == "stratified"
    assert at.multiselect(key="data_strata").value == ["Sex"]
    assert at.number_input(key="data_follow").value == 12.0
    assert at.text_input(key="data_name").value == "My corrected trial"
    assert at.checkbox(key="data_synthetic").value
    after = at.session_state["data_specs"]["Harm score"]
    assert (after.label, after.direction, after.kind) == ("Harm (CCHI days)", "lower", "score")
    # and what is used is what was chosen
    at.button(key="data_use").click().run()
    assert not at.error, [e.value for e in at.error]
    trial = at.session_state["datasets"]["My corrected trial (synthetic data)"]
    assert trial.synthetic and trial.spec.treatment == "BAU"
    assert trial.spec.design.type == "stratified" and trial.spec.design.strata == ["Sex"]
    assert [(o.label, o.kind) for o in trial.spec.outcomes] == [("Harm (CCHI days)", "score")]


def test_checks_run_once_per_table_and_choice(monkeypatch):
    """Typing the name or ticking synthetic does not check a million rows again; a changed
    choice does, so the report never goes stale."""
    import dashboard.data_mapping as dm

    calls = []
    real = dm.validate
    monkeypatch.setattr(dm, "validate", lambda t, m: calls.append(1) or real(t, m))
    at = upload_file(new_page(), "t.csv", UNFAMILIAR)
    after_upload = len(calls)
    assert after_upload >= 1
    at.text_input(key="data_name").set_value("Another name").run()
    at.checkbox(key="data_synthetic").check().run()
    assert len(calls) == after_upload
    at.selectbox(key="data_treat").set_value("BAU").run()
    assert len(calls) == after_upload + 1
    assert at.button(key="data_use").disabled  # BAU is both arms: the fresh checks block it
    at.selectbox(key="data_ctrl").set_value("Intervention").run()
    assert len(calls) == after_upload + 2 and not at.button(key="data_use").disabled
    at.button(key="data_use").click().run()
    assert len(calls) == after_upload + 2  # the button uses the checks already made
    assert at.session_state["datasets"]["Another name (synthetic data)"].spec.treatment == "BAU"


def test_arm_values_are_read_once_per_table_and_arm_column(monkeypatch):
    """The arm column's values (a count over every person) are not read again when the name
    is typed or synthetic ticked; choosing another arm column reads that column's."""
    import dashboard.data_mapping as dm

    calls = []
    real = dm.arm_values
    monkeypatch.setattr(dm, "arm_values", lambda t, c, *a: calls.append(c) or real(t, c, *a))
    at = upload_file(new_page(), "t.csv", UNFAMILIAR)
    after_upload = len(calls)
    at.text_input(key="data_name").set_value("Another name").run()
    at.checkbox(key="data_synthetic").check().run()
    assert len(calls) == after_upload
    at.selectbox(key="data_arm").set_value("Sex").run()
    assert calls[after_upload:] == ["Sex"]
    assert sorted(at.selectbox(key="data_treat").options) == ["F", "M"]
