"""``python -m fd_stats integrity``: the 'How sure can we be?' checks and evidence rating.

Wired into :mod:`fd_stats.cli.main` with::

    from .integrity import add_integrity_parser
    add_integrity_parser(sub)

With no data file it checks the bundled trial (or ``--trial FOLDER``, a folder with a
trial.toml); with a data file, the columns come from ``--spec FILE`` (a trial.toml or the
Data page's mapping JSON) or from the options. Bad input exits with
status 2 and one line on stderr starting ``error:`` (handled by :func:`fd_stats.cli.main.main`).
"""
from __future__ import annotations

import json

EPILOG = ("Example: python -m fd_stats integrity people.csv --outcome knife,harm "
          "--covariate prior_offences --ratio 1 --sesoi 20")


def cmd_integrity(args) -> None:
    from dataclasses import replace

    import pandas as pd

    from ..analysis import Mapping
    from ..errors import DataError
    from ..integrity import Cutoffs, TrialFacts, facts_from_trial, integrity_report

    def split(values):
        return tuple(v.strip() for item in (values or []) for v in item.split(",") if v.strip())

    if args.spec:  # a data file and its specification: as the dashboard's Data page builds it
        from pathlib import Path

        from ..data.mapping import build_trial
        from .main import _read_spec, read_data

        if not args.data:
            raise DataError("--spec needs the data file it describes.")
        spec = _read_spec(args.spec)
        # options given on the command line win, as for analyse
        spec = replace(spec, arm=args.arm or spec.arm, treatment=args.treatment or spec.treatment,
                       control=args.control or spec.control)
        trial = build_trial(read_data(args.data), spec, Path(args.data).name)
        table, mapping, facts = trial.table, trial.mapping, facts_from_trial(trial)
        if args.outcome:
            mapping = replace(mapping, outcomes=split(args.outcome))
        labels = {o.column: o.label for o in trial.outcomes}
    elif args.data:
        from .main import read_data

        table = read_data(args.data)
        mapping = Mapping(arm=args.arm or "arm", treatment=args.treatment or "treatment",
                          control=args.control or "control",
                          outcomes=split(args.outcome))
        facts = TrialFacts()
        labels = {}
    else:
        from ..data.trial import BUNDLED_TRIAL, load_trial

        trial = load_trial(args.trial or BUNDLED_TRIAL)
        table, mapping, facts = trial.table, trial.mapping, facts_from_trial(trial)
        if args.outcome:
            mapping = replace(mapping, outcomes=split(args.outcome))
        labels = {o.column: o.label for o in trial.outcomes}
    changes = {}
    if args.covariate:
        changes["covariates"] = split(args.covariate)
    if args.strata:
        changes["strata"] = split(args.strata)
    if args.ratio is not None:
        changes["allocation_ratio"] = args.ratio
    if args.prespecified:
        changes["outcomes_prespecified"] = True
    if args.primary:
        changes["primary"] = args.primary
    facts = replace(facts, **changes)
    rep = integrity_report(table, mapping, facts=facts, cutoffs=Cutoffs(power=args.power),
                           sesoi_percent=args.sesoi, labels=labels)
    r = rep.rating
    if args.format == "json":
        print(json.dumps({
            "padlocks": r.padlocks, "label": r.label, "starting": r.initial, "lost": r.drop,
            "sentence": r.sentence, "reasons": list(r.reasons), "raise_it": list(r.raise_it),
            "rules": r.to_frame().to_dict(orient="records"),
            "allocation": rep.allocation.to_dict(orient="records"),
            "balance": rep.balance.to_dict(orient="records"),
            "attrition": rep.attrition.to_dict(orient="records"),
            "lee_bounds": rep.lee.to_dict(orient="records"),
            "mdes": rep.mdes.to_dict(orient="records"),
            "equivalence": rep.equivalence.to_dict(orient="records"),
            "excluded_rows": rep.excluded, "outcomes_tested": rep.n_outcomes,
            "notes": rep.notes}, default=lambda v: None if pd.isna(v) else str(v), indent=1))
        return
    print(r.headline)
    print(r.sentence)
    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        print(r.to_frame()[["check", "value", "result"]].to_string(index=False))
    print("What would raise it:")
    for x in r.raise_it:
        print(f"- {x}")
    print("What the data rule out (each limit at one-sided level 0.05, % of the control mean):")
    for row in rep.equivalence.itertuples():
        print(f"- {labels.get(row.outcome, row.outcome)}: {row.sentence}")
    for n in rep.notes:
        print(f"note: {n}")


def add_integrity_parser(sub) -> None:
    p = sub.add_parser("integrity", help="trial integrity checks and an evidence rating "
                                         "modelled on the EEF padlocks", epilog=EPILOG)
    p.add_argument("data", nargs="?", help="person-level table (default: the bundled trial)")
    p.add_argument("--trial", help="a trial folder with trial.toml (instead of a data file)")
    p.add_argument("--spec", metavar="FILE",
                   help="the data file's trial specification: a trial.toml or a column mapping "
                        "(.json) saved from the Data page (arm, outcomes, covariates, strata, "
                        "planned ratio); options given here win")
    p.add_argument("--arm", help="the arm column (default: from --spec, else 'arm')")
    p.add_argument("--treatment", help="its treatment value (default 'treatment')")
    p.add_argument("--control", help="its control value (default 'control')")
    p.add_argument("--outcome", action="append", help="repeatable, or comma-separated")
    p.add_argument("--covariate", action="append", help="baseline columns, repeatable")
    p.add_argument("--strata", action="append", help="stratum columns, repeatable")
    p.add_argument("--ratio", type=float, help="planned treatment / control ratio (1 = 1:1)")
    p.add_argument("--prespecified", action="store_true",
                   help="the outcomes were named before the data were seen")
    p.add_argument("--primary", help="primary outcome (for attrition)")
    p.add_argument("--sesoi", type=float, default=20.0,
                   help="smallest effect of interest, %% of the control mean (default 20)")
    p.add_argument("--power", type=float, default=0.8)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_integrity)
