"""``python -m fd_stats aggregate``: crimes extract + randomisation list -> person-level table.

Wired into :mod:`fd_stats.cli` with::

    from .cli_aggregate import add_aggregate_parser
    add_aggregate_parser(sub)

Bad input exits with status 2 and one line on stderr starting ``error:``;
notes about what was ignored go to stderr as lines starting ``note:``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .aggregate import DEFAULT_GROUPS, aggregate
from .errors import DataError
from .io import read_table

EPILOG = ("Example: python -m fd_stats aggregate --crimes crimes.csv --people randomised.csv "
          "--harm harm_lookup.csv --months 12 --out people.csv")


def cmd_aggregate(args) -> None:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"--out must end in .csv or .parquet; got {args.out!r}.")
    if not out.parent.exists():
        raise DataError(f"The folder for --out does not exist: {out.parent}.")
    crimes = read_table(args.crimes)
    people = read_table(args.people)
    harm = read_table(args.harm)
    groups = read_table(args.groups or DEFAULT_GROUPS)
    columns = {k: getattr(args, k) for k in ("crime_person_id", "date", "offence", "role",
                                             "police_initiated", "person_id",
                                             "randomisation_date") if getattr(args, k, None)}
    names = {"crimes": Path(args.crimes).name, "people": Path(args.people).name,
             "harm": Path(args.harm).name, "groups": Path(args.groups or DEFAULT_GROUPS).name}
    res = aggregate(crimes, people, harm, groups, args.months, columns=columns, names=names)
    table = res.table
    try:
        if suffix == ".parquet":
            table.to_parquet(out, index=False)
        else:
            from .cli import escape_frame  # spreadsheet formulas are escaped in CSV output
            escape_frame(table).to_csv(out, index=False)
    except OSError as exc:
        raise DataError(f"Could not write {out}: {exc.strerror}.") from None
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    s = res.summary
    print(f"{s['people']:,} people, {s['crime_rows']:,} crime rows, {s['crimes_counted']:,} "
          f"counted within {s['months']} months of randomisation; groups: "
          f"{', '.join(s['groups'])}. Wrote {out}.")


def _months(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    if not 1 <= v <= 120:
        raise argparse.ArgumentTypeError(f"must be between 1 and 120; got {v}")
    return v


def add_aggregate_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``aggregate`` subcommand to an argparse subparsers object."""
    g = subparsers.add_parser(
        "aggregate", help="crimes extract + randomisation list -> one row per person",
        description="Count each person's crimes (as suspect and as victim) per offence group and "
                    "sum their harm over a follow-up window from their randomisation date. "
                    "People with no crimes get zeros.", epilog=EPILOG)
    g.add_argument("--crimes", required=True, help="one row per crime and person: person id, "
                   "date, offence code or category, role (suspect/victim), optional "
                   "police-initiated flag")
    g.add_argument("--people", required=True, help="randomisation list: person id, arm, "
                   "randomisation date, any subgroup/engagement columns")
    g.add_argument("--harm", required=True, help="harm lookup: offence code or category, "
                   "harm in days (the Cambridge Crime Harm Index is licensed and not shipped)")
    g.add_argument("--groups", help="offence groups: offence, then one yes/no column per group "
                   f"(default: {DEFAULT_GROUPS.name})")
    g.add_argument("--months", type=_months, default=12, help="follow-up window (default 12)")
    g.add_argument("--out", required=True, help="output file, .csv or .parquet")
    for opt, what in (("--crime-person-id", "person id column in the crimes extract"),
                      ("--date", "crime date column"), ("--offence", "offence column"),
                      ("--role", "role column"),
                      ("--police-initiated", "police-initiated flag column"),
                      ("--person-id", "person id column in the randomisation list"),
                      ("--randomisation-date", "randomisation date column")):
        g.add_argument(opt, help=f"{what} (found by name if omitted)")
    g.set_defaults(func=cmd_aggregate)
    return g
