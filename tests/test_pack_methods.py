"""`python -m dashboard.pack_cli --method` (synonym --test) offers every registry method, and
without it the pack uses the primary method the trial specification names."""
import io
import json

import pandas as pd
import pytest

from dashboard.pack_cli import main
from fd_stats import Settings, analyse
from fd_stats.methods.registry import METHODS
from fd_stats.data.trial import load_trial

TRIAL = load_trial()


def _csv(out):
    return pd.read_csv(io.BytesIO((out / "results.csv").read_bytes()))


@pytest.mark.parametrize("flag,method", [("--method", "poisson"), ("--test", "prevalence"),
                                         ("--method", "lin")])
def test_pack_runs_any_registry_method(tmp_path, flag, method):
    main(["bundled", "--out", str(tmp_path), flag, method, "--formats", "csv,html",
          "--date", "2026-01-01", "--no-disclosure"])
    got = _csv(tmp_path)
    want = analyse(TRIAL.table, TRIAL.mapping, Settings(test=method))
    assert set(got["test"]) == {method} and got["primary"].all()
    assert got["estimate"].to_numpy() == pytest.approx(want["estimate"].to_numpy(), rel=1e-5, nan_ok=True)
    assert got["p_value"].to_numpy() == pytest.approx(want["p_value"].to_numpy(), rel=1e-5, nan_ok=True)
    html = (tmp_path / "board_report.html").read_text()
    from fd_stats.analysis import TEST_LABELS
    assert TEST_LABELS[method] in html  # the settings name the method


def test_every_registry_method_is_offered(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert all(m in text for m in METHODS)


def test_pack_defaults_to_the_specifications_primary_method(tmp_path):
    spec = json.loads(TRIAL.spec.to_json())
    spec["method"] = "negative-binomial"
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    people = tmp_path / "people.csv"
    TRIAL.table.to_csv(people, index=False)
    out = tmp_path / "out"
    main([str(people), "--mapping", str(tmp_path / "spec.json"), "--out", str(out),
          "--formats", "csv", "--no-disclosure"])
    assert set(_csv(out)["test"]) == {"negative-binomial"}
    main(["bundled", "--out", str(tmp_path / "b"), "--formats", "csv", "--no-disclosure"])
    assert set(_csv(tmp_path / "b")["test"]) == {"welch"}  # the bundled plan: Welch
