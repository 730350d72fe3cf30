"""``python -m fd_stats aggregate``: crimes extract + randomisation list -> person-level table.

Wired into :mod:`fd_stats.cli.main` with::

    from .aggregate import add_aggregate_parser
    add_aggregate_parser(sub)

Bad input exits with status 2 and one line on stderr starting ``error:``;
notes about what was ignored go to stderr as lines starting ``note:``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..data.aggregate import DEFAULT_GROUPS, aggregate, aggregate_over_time
from ..errors import DataError
from .main import read_data  # the reader, with its notes on stderr

EPILOG = ("Example: python -m fd_stats aggregate --crimes crimes.csv --people randomised.csv "
          "--harm harm_lookup.csv --months 12 --out people.csv")


def cmd_aggregate(args) -> None:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"--out must end in .csv or .parquet; got {args.out!r}.")
    if not out.parent.exists():
        raise DataError(f"The folder for --out does not exist: {out.parent}.")
    crimes = read_data(args.crimes)
    people = read_data(args.people)
    harm = read_data(args.harm) if args.harm else None
    groups = read_data(args.groups or DEFAULT_GROUPS)
    columns = {k: getattr(args, k) for k in ("crime_person_id", "date", "offence", "role",
                                             "police_initiated", "person_id",
                                             "randomisation_date") if getattr(args, k, None)}
    names = {"crimes": Path(args.crimes).name, "people": Path(args.people).name,
             "harm": Path(args.harm).name if args.harm else "the harm lookup",
             "groups": Path(args.groups or DEFAULT_GROUPS).name}
    if args.end_date:
        res = aggregate_over_time(crimes, people, harm, groups, end_date=args.end_date,
                                  baseline_months=args.baseline_months, windows=args.windows,
                                  programme_months=args.programme_months,
                                  start_date=args.start_date, columns=columns,
                                  names=names, arm=args.arm)
    else:
        res = aggregate(crimes, people, harm, groups, args.months, columns=columns, names=names)
    table = res.table
    if args.monthly_out:
        if not args.end_date:
            raise DataError("--monthly-out needs --end-date (months are counted up to it).")
        _write(res.monthly, Path(args.monthly_out))
    _write(table, out)
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    s = res.summary
    if args.end_date:
        print(f"{s['people']:,} people, {s['crime_rows']:,} crime rows; extract end "
              f"{s['end_date']}; baselines {', '.join(map(str, s['baselines'])) or 'none'} "
              f"months; windows {', '.join(map(str, s['windows']))} months"
              + (f"; programme {s['programme_months']} months" if s["programme_months"] else "")
              + f"; groups: {', '.join(s['groups'])}. Wrote {out}.")
        return
    print(f"{s['people']:,} people, {s['crime_rows']:,} crime rows, {s['crimes_counted']:,} "
          f"counted within {s['months']} months of randomisation; groups: "
          f"{', '.join(s['groups'])}. Wrote {out}.")


def _write(table, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"Output files must end in .csv or .parquet; got {str(out)!r}.")
    if not out.parent.exists():
        raise DataError(f"The folder for {out.name} does not exist: {out.parent}.")
    try:
        if suffix == ".parquet":
            table.to_parquet(out, index=False)
        else:
            from .main import escape_frame  # spreadsheet formulas are escaped in CSV output
            escape_frame(table).to_csv(out, index=False)
    except OSError as exc:
        raise DataError(f"Could not write {out}: {exc.strerror}.") from None


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
    g.add_argument("--harm", help="harm lookup: offence code or category, harm in days (the "
                   "Cambridge Crime Harm Index is licensed and not shipped); may be left out "
                   "when the crimes extract has a harm column")
    g.add_argument("--groups", help="offence groups: offence, then one yes/no column per group "
                   f"(default: {DEFAULT_GROUPS.name})")
    g.add_argument("--months", type=_months, default=12, help="follow-up window (default 12)")
    g.add_argument("--out", required=True, help="output file, .csv or .parquet")
    g.add_argument("--end-date", help="the last day the extract covers (YYYY-MM-DD): turns on "
                   "baselines, several follow-up windows and times to first offence, each "
                   "person's exposure cut at this date")
    g.add_argument("--start-date", help="the first day the extract covers (YYYY-MM-DD): "
                   "baselines reaching before it are reported as incomplete")
    g.add_argument("--baseline-months", default="12,24",
                   help="baseline windows before randomisation (with --end-date; default 12,24)")
    g.add_argument("--windows", default="6,12,18,24", help="follow-up windows in months "
                   "(with --end-date; default 6,12,18,24; kept as far as the data reach)")
    g.add_argument("--programme-months", type=_months,
                   help="the programme's length: adds the periods during and after it")
    g.add_argument("--monthly-out", help="also write the month-by-month counts (.csv or .parquet)")
    g.add_argument("--arm", default="arm", help="arm column of the randomisation list "
                   "(used to refuse a person randomised twice into different arms)")
    for opt, what in (("--crime-person-id", "person id column in the crimes extract"),
                      ("--date", "crime date column"), ("--offence", "offence column"),
                      ("--role", "role column"),
                      ("--police-initiated", "police-initiated flag column"),
                      ("--person-id", "person id column in the randomisation list"),
                      ("--randomisation-date", "randomisation date column")):
        g.add_argument(opt, help=f"{what} (found by name if omitted)")
    g.set_defaults(func=cmd_aggregate)
    return g
