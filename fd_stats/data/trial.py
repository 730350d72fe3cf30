"""A trial bundle: the person-level table plus what the columns mean (from ``trial.toml``).

The description of every used column is the trial specification,
:class:`fd_stats.data.mapping.ColumnMapping`; one :class:`OutcomeSpec` per outcome says its
kind, unit, direction and whether it is a crime measure, so wording and arithmetic follow
the outcome rather than one trial.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import Mapping
from ..programme.engagement import engagement_flags
from ..errors import DataError
from .io import read_table

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
BUNDLED_TRIAL = DATA_DIR / "focused_deterrence"

#: count = events per person; binary = yes/no (0/1) per person; continuous = an amount in
#: its unit (money, days); score = a sum of weights per person (e.g. crime harm).
KINDS = ("count", "binary", "continuous", "score")
#: Which way is better. None = not chosen yet: then nothing is called favourable.
DIRECTIONS = ("lower", "higher", "neither")
LEGACY_KINDS = {"harm": "score"}  # trial.toml and mapping files written before version 2


def direction_of(value) -> str | None:
    """A direction from old or new forms: True (lower is better) -> 'lower', False -> 'higher'."""
    if isinstance(value, bool):
        return "lower" if value else "higher"
    if value is None or value == "":
        return None
    v = str(value).strip().casefold()
    v = {"lower is better": "lower", "higher is better": "higher", "none": "neither"}.get(v, v)
    if v not in DIRECTIONS:
        raise DataError(f"direction must be one of {', '.join(DIRECTIONS)} or empty (not yet "
                        f"chosen); got {value!r}.")
    return v


@dataclass
class OutcomeSpec:
    """One outcome column and what it means.

    ``direction`` is 'lower', 'higher', 'neither' or None (not chosen: nothing is called
    favourable). A bool is accepted for old callers (True = lower is better). ``kind`` is one
    of :data:`KINDS`. ``crime`` marks a crime or victimisation measure: crime words
    ("offences", "prevented") and the offence/harm arithmetic apply only then. ``baseline``
    names the column holding the same measure before randomisation, if any.
    """

    column: str
    label: str = ""
    unit: str = ""
    direction: str | None = None
    kind: str = "count"
    crime: bool = False
    baseline: str | None = None
    role: str = ""
    headline: bool = False

    def __post_init__(self):
        self.label = self.label or self.column
        self.direction = direction_of(self.direction)
        self.kind = LEGACY_KINDS.get(self.kind, self.kind)
        if self.kind not in KINDS:
            raise DataError(f"Outcome {self.column!r}: kind must be one of {', '.join(KINDS)}; "
                            f"got {self.kind!r}.")
        self.baseline = self.baseline or None

    @property
    def lower_is_better(self) -> bool:
        """For old callers: True only when lower is known to be better."""
        return self.direction == "lower"

    @property
    def favourable_sign(self) -> int:
        """-1 if a reduction is favourable, +1 if an increase is, 0 if unknown or neither."""
        return {"lower": -1, "higher": 1}.get(self.direction, 0)


def OutcomeInfo(column: str, label: str = "", unit: str = "", lower_is_better=True,  # noqa: N802
                role: str = "", kind: str = "count", headline: bool = False,
                **more) -> OutcomeSpec:
    """The :class:`OutcomeSpec` for callers written before the specification, with the old
    argument order (column, label, unit, lower_is_better, role, kind, headline)."""
    return OutcomeSpec(column, label, unit, more.pop("direction", lower_is_better), kind,
                       role=role, headline=headline, **more)


@dataclass
class Trial:
    """A person-level table with its mapping, outcome descriptions and metadata.

    ``spec`` is the full trial specification (:class:`fd_stats.data.mapping.ColumnMapping`):
    design, covariates, subgroups, engagement and follow-up.
    """

    name: str
    table: pd.DataFrame
    mapping: Mapping
    outcomes: list[OutcomeSpec]
    synthetic: bool = False
    meta: dict = field(default_factory=dict)
    subgroup_prespecified: dict = field(default_factory=dict)
    spec: object = None  # ColumnMapping (imported lazily: mapping.py imports this module)

    def outcome(self, column: str) -> OutcomeSpec:
        for o in self.outcomes:
            if o.column == column:
                return o
        return OutcomeSpec(column, column)

    @property
    def headline_outcomes(self) -> list[str]:
        heads = [o.column for o in self.outcomes if o.headline]
        return heads or [o.column for o in self.outcomes[:3]]

    @property
    def subgroup_columns(self) -> list[str]:
        return [s["column"] for s in self.meta.get("subgroups", [])]

    @property
    def crime_programme(self) -> bool:
        """True when the programme itself is about crime (case workers, offences prevented)."""
        return bool(getattr(self.spec, "crime_programme", False))

    @property
    def any_crime_outcome(self) -> bool:
        return any(o.crime for o in self.outcomes)


def _toml_design(meta: dict) -> dict:
    d = meta.get("design", {}) or {}
    ratio = d.get("allocation_ratio", 1.0)
    ratio = ratio.get("value", 1.0) if isinstance(ratio, dict) else ratio
    return {"type": d.get("type", "simple"), "strata": list(d.get("strata", []) or []),
            "cluster": d.get("cluster") or None, "allocation_ratio": ratio}


def spec_from_toml(meta: dict):
    """The trial specification (:class:`fd_stats.data.mapping.ColumnMapping`) a ``trial.toml`` holds.

    Reads schema versions 1 and 2: version 1 has ``kind = "harm"`` (now ``"score"``) and
    ``lower_is_better`` (now ``direction``); ``crime`` defaults to the trial's
    ``crime_programme`` flag. ``[analysis] method`` names the primary method (Welch when
    absent).
    """
    from .mapping import ColumnMapping, Design  # mapping.py imports this module

    trial = meta.get("trial", {}) or {}
    crime_programme = bool(trial.get("crime_programme", False))
    outcomes = []
    for o in meta.get("outcomes", []):
        direction = o.get("direction", o.get("lower_is_better"))
        outcomes.append(OutcomeSpec(
            o["column"], o.get("label", o["column"]), o.get("unit", ""), direction,
            o.get("kind", "count"), bool(o.get("crime", crime_programme)),
            o.get("baseline") or None, o.get("role", ""), bool(o.get("headline", False))))
    arms = meta.get("arms", {})
    subgroups = meta.get("subgroups", [])
    follow = trial.get("follow_up_months")
    follow = follow.get("value") if isinstance(follow, dict) else follow
    return ColumnMapping(
        arm=arms.get("column", "arm"),
        treatment=str(arms.get("treatment", {}).get("value", "treatment")),
        control=str(arms.get("control", {}).get("value", "control")),
        outcomes=outcomes,
        person_id=meta.get("data", {}).get("id_column"),
        subgroups=[s["column"] for s in subgroups],
        engagement=meta.get("engagement", {}).get("column"),
        covariates=list(meta.get("covariates", {}).get("columns", []) or []),
        design=Design(**_toml_design(meta)),
        prespecified=[s["column"] for s in subgroups if s.get("prespecified")],
        follow_up_months=follow,
        crime_programme=crime_programme,
        method=(meta.get("analysis", {}) or {}).get("method") or "welch",
    )


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
    spec = spec_from_toml(meta)
    if spec.engagement in table.columns:
        table[spec.engagement] = engagement_flags(table[spec.engagement], spec.engagement)
    name = meta.get("trial", {}).get("name", folder.name)
    synthetic = bool(data.get("synthetic", False))
    return Trial(name + (" (synthetic data)" if synthetic else ""), table, spec.to_mapping(),
                 spec.outcomes, synthetic, meta,
                 {s["column"]: bool(s.get("prespecified", False))
                  for s in meta.get("subgroups", [])}, spec)
