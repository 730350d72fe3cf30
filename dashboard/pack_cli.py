"""Board pack from the command line, for scheduled reporting.

    python -m dashboard.pack_cli bundled --out DIR
    python -m dashboard.pack_cli people.csv --out DIR --arm group --treatment T --control C \\
        --alternative less --correction holm --threshold 10
    python -m dashboard.pack_cli bundled --out DIR --method poisson --formats csv,html

``--method`` (synonym ``--test``) takes any method of ``fd_stats.methods.registry.METHODS``; without it
the pack uses the primary method the trial specification names.

Writes board_pack.pptx, board_report.html, board_charts.zip (one PNG per
chart), results.csv and results.xlsx into DIR, built by the same code as the
Export page. Exit status 2 with one ``error:`` line on bad input.

(The pack draws charts with plotly, which ``fd_stats`` must not import, so
this command lives in the dashboard package. ``add_pack_parser`` lets
``python -m fd_stats`` offer it as a ``pack`` sub-command with a lazy import.)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fd_stats.errors import DataError

FORMATS = ("pptx", "html", "zip", "csv", "xlsx")


def add_pack_parser(subparsers):
    """Add the ``pack`` sub-command to an argparse sub-parser collection."""
    from fd_stats.methods.multiplicity import CORRECTIONS
    from fd_stats.methods.bayes import PRIORS
    from fd_stats.methods.registry import METHODS
    p = subparsers.add_parser("pack", help="build the board pack (slides, report, charts, tables)")
    p.add_argument("data", help="'bundled' for the bundled trial, or a CSV / Excel / Parquet file")
    p.add_argument("--out", required=True, help="folder to write the files into")
    p.add_argument("--mapping", help="trial specification saved from the Data page (JSON): "
                                      "kinds, units and which way is better for each outcome")
    p.add_argument("--arm")
    p.add_argument("--treatment")
    p.add_argument("--control")
    p.add_argument("--outcome", action="append", help="repeatable, or comma-separated")
    p.add_argument("--subgroup", help="subgroup column ('' for none; default: the data set's)")
    p.add_argument("--prespecified", action="store_true", help="subgroups were pre-specified")
    p.add_argument("--method", "--test", dest="method", choices=list(METHODS),
                   help="the primary method (--test is a synonym); default: the one the trial "
                        "specification names (Welch for the bundled trial)")
    p.add_argument("--prior", choices=list(PRIORS), default="flat",
                   help="prior of the Bayesian probability of benefit")
    p.add_argument("--min-change", type=float, default=0.10,
                   help="smallest change that matters for the probability of benefit (0.1 = 10%%)")
    p.add_argument("--alternative", choices=["two-sided", "less", "greater"], default="two-sided")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--correction", choices=list(CORRECTIONS), default="none")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--permutations", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--threshold", type=int, default=10, help="disclosure threshold (people)")
    p.add_argument("--strict-means", action="store_true",
                   help="also hide a mean when fewer than the threshold had any event")
    p.add_argument("--rounding", type=int, default=0, help="round shown counts to this base")
    p.add_argument("--no-disclosure", action="store_true", help="switch disclosure control off")
    p.add_argument("--formats", default=",".join(FORMATS),
                   help=f"comma-separated subset of {','.join(FORMATS)}")
    p.add_argument("--date", help="date printed in the pack (default: today)")
    p.set_defaults(func=cmd_pack)
    return p


def _trial(args):
    from dataclasses import replace

    from fd_stats.cli.main import read_data
    from fd_stats.data.trial import load_trial
    if args.data == "bundled":
        trial = load_trial()
    else:
        from fd_stats.data.mapping import build_trial, guess_mapping, mapping_from_json
        table = read_data(args.data)
        if getattr(args, "mapping", None):
            cm = mapping_from_json(Path(args.mapping).read_bytes(), Path(args.mapping).name)
            cm.check_columns(table, Path(args.mapping).name)
        else:  # guessed: no outcome has a direction, so nothing is called favourable
            cm = guess_mapping(table)
        if args.arm:
            cm = replace(cm, arm=args.arm)
        if args.treatment:
            cm = replace(cm, treatment=args.treatment)
        if args.control:
            cm = replace(cm, control=args.control)
        trial = build_trial(table, cm, Path(args.data).name)
    mapping = trial.mapping
    if args.arm and args.data == "bundled":
        mapping = replace(mapping, arm=args.arm)
    if args.outcome:
        cols = tuple(p.strip() for v in args.outcome for p in v.split(",") if p.strip())
        unknown = [c for c in cols if c not in trial.table.columns]
        if unknown:
            raise DataError("Outcome column(s) not found: " + ", ".join(unknown) + ".")
        mapping = replace(mapping, outcomes=cols)
    if args.subgroup is not None:
        if args.subgroup and args.subgroup not in trial.table.columns:
            raise DataError(f"There is no subgroup column named {args.subgroup!r}.")
        mapping = replace(mapping, subgroup=args.subgroup or None)
    return trial, mapping


def cmd_pack(args) -> None:
    from fd_stats.analysis import Settings, analyse

    from dashboard.export import FILES, PackOptions, build_content, build_files
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = [f for f in formats if f not in FILES]
    if bad or not formats:
        raise DataError(f"--formats must be a comma-separated subset of {','.join(FILES)}.")
    trial, mapping = _trial(args)
    method = args.method or getattr(trial.spec, "method", None) or "welch"
    settings = Settings(test=method, alternative=args.alternative, alpha=args.alpha,
                        correction=args.correction, confidence_level=args.confidence,
                        permutations=args.permutations, seed=args.seed,
                        benefit_prior=args.prior, benefit_min_change=args.min_change)
    results = analyse(trial.table, mapping, settings)
    prespecified = args.prespecified or trial.subgroup_prespecified.get(mapping.subgroup, False)
    options = PackOptions(disclosure=not args.no_disclosure, threshold=args.threshold,
                          rounding=args.rounding, nonzero_rule=args.strict_means)
    pack = build_content(trial, mapping, settings, results, subgroup=mapping.subgroup,
                         prespecified=prespecified, options=options, generated=args.date)
    files = build_files(pack, formats)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for key, data in files.items():
            (out / FILES[key][0]).write_bytes(data)
    except OSError as exc:
        raise DataError(f"Could not write to {out}: {exc.strerror or exc}.") from None
    for key in files:
        print(out / FILES[key][0])
    if pack.suppressed:
        print(f"disclosure control: {len(pack.suppressed)} cells hidden "
              f"(threshold {options.threshold})")


def main(argv=None) -> int:
    from fd_stats.cli.main import _Parser
    parser = _Parser(prog="python -m dashboard.pack_cli", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    add_pack_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "pack":
        argv = ["pack"] + argv  # the sub-command name is optional here
    try:
        args = parser.parse_args(argv)
        args.func(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback
        print(f"error: the pack could not be built ({type(exc).__name__}: {exc}).", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
