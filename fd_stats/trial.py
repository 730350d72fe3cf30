"""A trial bundle: the person-level table plus what the columns mean (from ``trial.toml``)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .analysis import Mapping
from .engagement import engagement_flags
from .errors import DataError
from .io import read_table

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
BUNDLED_TRIAL = DATA_DIR / "focused_deterrence"


@dataclass(frozen=True)
class OutcomeInfo:
    """What an outcome column means: label, unit, direction, role."""

    column: str
    label: str
    unit: str = ""
    lower_is_better: bool = True
    role: str = ""
    kind: str = "count"
    headline: bool = False


@dataclass
class Trial:
    """A person-level table with its mapping, outcome descriptions and metadata."""

    name: str
    table: pd.DataFrame
    mapping: Mapping
    outcomes: list[OutcomeInfo]
    synthetic: bool = False
    meta: dict = field(default_factory=dict)
    subgroup_prespecified: dict = field(default_factory=dict)

    def outcome(self, column: str) -> OutcomeInfo:
        for o in self.outcomes:
            if o.column == column:
                return o
        return OutcomeInfo(column, column)

    @property
    def headline_outcomes(self) -> list[str]:
        heads = [o.column for o in self.outcomes if o.headline]
        return heads or [o.column for o in self.outcomes[:3]]

    @property
    def subgroup_columns(self) -> list[str]:
        return [s["column"] for s in self.meta.get("subgroups", [])]


def load_trial(folder: str | Path = BUNDLED_TRIAL) -> Trial:
    """Load a trial folder holding ``trial.toml`` and its people file."""
    folder = Path(folder)
    try:
        meta = tomllib.loads((folder / "trial.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{folder} has no trial.toml.") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{folder / 'trial.toml'} is not valid TOML: {exc}.") from None
    data = meta.get("data", {})
    people = folder / data.get("people_parquet", "people.parquet")
    table = read_table(people if people.exists() else folder / data.get("people_csv", "people.csv"))
    outcomes = [OutcomeInfo(o["column"], o.get("label", o["column"]), o.get("unit", ""),
                            bool(o.get("lower_is_better", True)), o.get("role", ""),
                            o.get("kind", "count"), bool(o.get("headline", False)))
                for o in meta.get("outcomes", [])]
    eng_col = meta.get("engagement", {}).get("column")
    if eng_col in table.columns:
        table[eng_col] = engagement_flags(table[eng_col], eng_col)
    arms = meta.get("arms", {})
    subgroups = meta.get("subgroups", [])
    mapping = Mapping(
        arm=arms.get("column", "arm"),
        treatment=arms.get("treatment", {}).get("value", "treatment"),
        control=arms.get("control", {}).get("value", "control"),
        outcomes=tuple(o.column for o in outcomes),
        subgroup=subgroups[0]["column"] if subgroups else None,
        person_id=data.get("id_column"),
        engagement=meta.get("engagement", {}).get("column"),
        labels=tuple((o.column, o.label) for o in outcomes),
    )
    name = meta.get("trial", {}).get("name", folder.name)
    synthetic = bool(data.get("synthetic", False))
    return Trial(name + (" (synthetic data)" if synthetic else ""), table, mapping, outcomes,
                 synthetic, meta, {s["column"]: bool(s.get("prespecified", False)) for s in subgroups})
