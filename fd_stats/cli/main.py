"""Command line: ``python -m fd_stats analyse|audit|power|aggregate|integrity ...``.

Bad input exits with status 2 and one line on stderr starting ``error:``.
"""
from __future__ import annotations

import argparse
import ctypes
import io
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..methods.multiplicity import CORRECTIONS

# The statistics modules (scipy) are imported inside the commands that need them,
# so building the parser and reporting option errors stays fast.
TEST_CHOICES = ["welch", "student", "mann-whitney", "permutation"]  # fd_stats.analysis.TESTS
# fd_stats.methods.registry.METHODS (kept literal so the parser does not import the engine)
METHOD_CHOICES = TEST_CHOICES + ["poisson", "negative-binomial", "lin", "blocked", "prevalence",
                                 "prevalence-ratio"]
EXTRA_CHOICES = ["welch", "student", "mann-whitney", "permutation", "bootstrap"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8


def reuse_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for reuse until the command ends; True if set.

    glibc hands out blocks over 32 MB (one column of 4 million people) as fresh pages from
    the kernel and returns them when freed, and the analysis threads' own arenas do so for
    any large block; so at 10 million people every temporary column was faulted in and
    zeroed again: system time went from nothing at 1M to 1-3 s at 10M, more than linear in
    people (BENCHMARKS.md, #16 "Session 5"). Here blocks up to 1 GiB come from the main
    arena's heap, for every thread, and up to 1 GiB of free space stays there for reuse
    (the app's launcher keeps one arena too: ``dashboard.serve.one_malloc_arena``). The
    process ends with the command, so nothing is held for long. An operator's own
    ``MALLOC_*`` variables or glibc tunables win; does nothing where the C library is not
    glibc.
    """
    if any(k.startswith("MALLOC_") for k in os.environ) or os.environ.get("GLIBC_TUNABLES"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return False
    return all(libc.mallopt(param, value) == 1 for param, value in (
        (M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, 1 << 30), (M_TRIM_THRESHOLD, 1 << 30)))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise DataError(message)


def escape_formula(value):
    """Prefix text a spreadsheet would run as a formula with a quote (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [escape_formula(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(escape_formula)
    return out


def plain_value(v):
    """A numpy scalar as a plain Python value; NaN becomes None, infinities stay floats."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) else v  # inf stays inf -> Infinity in JSON
    return v


def emit(df: pd.DataFrame, fmt: str, out=None):
    out = out or sys.stdout
    if fmt == "json":
        records = [{k: plain_value(v) for k, v in row.items()} for row in df.to_dict("records")]
        out.write(json.dumps(records, indent=2, allow_nan=True) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        escape_frame(df).to_csv(buf, index=False)
        out.write(buf.getvalue())
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200):
            out.write(df.to_string(index=False) + "\n")


def _outcomes(values):
    out = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    return tuple(out)


TABLE_COLUMNS = ["outcome", "subgroup", "n_treatment", "n_control", "mean_treatment",
                 "mean_control", "difference", "ci_low", "ci_high", "percent_change",
                 "percent_change_ci_low", "percent_change_ci_high", "p_value", "p_adjusted",
                 "significant"]


def _extra_tests(value: str) -> tuple[str, ...]:
    names = tuple(p.strip() for p in (value or "").split(",") if p.strip())
    if names in ((), ("none",)):
        return ()
    bad = [n for n in names if n not in EXTRA_CHOICES]
    if bad:
        raise DataError(f"--also takes a comma-separated list of {', '.join(EXTRA_CHOICES)} "
                        f"(or none); got {', '.join(bad)}.")
    return names


def read_data(path, **kwargs) -> pd.DataFrame:
    """:func:`fd_stats.data.io.read_table` for the command line: the reader's notes (such as
    Parquet binary columns left out) go to stderr as lines starting ``note:``, so stdout
    holds only the results."""
    from ..data.io import read_table, table_notes

    table = read_table(path, **kwargs)
    for note in table_notes(table):
        print(f"note: {note}", file=sys.stderr)
    return table


def _read_for_analysis(path: str, mapping_args) -> pd.DataFrame:
    """Read the data file: only the named columns when outcomes are named (a wide
    extract then costs only those); Parquet text as categoricals. When a named column is
    not in the file, the whole file, so the checks list every column it has."""
    from pathlib import Path

    from ..data.io import parquet_columns

    arm, subgroup, outcomes, design = mapping_args
    named = [c for c in dict.fromkeys((arm, subgroup, *outcomes, *design)) if c]
    if Path(path).suffix.lower() not in (".parquet", ".pq") or not Path(path).is_file():
        if not outcomes or Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            return read_data(path)
        # named outcomes: only the columns the analysis uses (a wide extract costs only those)
        table = read_data(path, columns=named)
    elif outcomes:
        table = read_data(path, columns=named, categorical=True)
    else:  # every numeric column may be an outcome
        numbers = [n for n, kind in parquet_columns(path) if kind == "number"]
        table = read_data(path, columns=list(dict.fromkeys(named + numbers)), categorical=True)
    if any(c not in table.columns for c in named):
        return read_data(path)
    return table


def _specification_of(path: str):
    """The trial specification of a people file: the ``trial.toml`` in its folder when that
    names this file as its people table (``[data] people_csv`` / ``people_parquet``), else
    None. Without one, every numeric column that is not the arm, a subgroup or a declared
    covariate, stratum or baseline is an outcome."""
    toml = Path(path).parent / "trial.toml"
    if not toml.is_file():
        return None
    meta = _read_toml(toml, f"the trial specification beside {Path(path).name}")
    data = meta.get("data", {}) or {}
    if Path(path).name not in (data.get("people_csv"), data.get("people_parquet")):
        return None
    from ..data.trial import spec_from_toml

    spec = spec_from_toml(meta)
    return spec if spec.outcomes else None


def _read_toml(path: Path, what: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path} ({what}) is not valid TOML: {exc}. Fix it, or give another "
                        "with --spec, or name the outcomes with --outcome.") from None


def _read_spec(path: str):
    """``--spec``: a ``trial.toml`` or a column mapping saved from the Data page (``.json``)."""
    from ..data.mapping import mapping_from_json
    from ..data.trial import spec_from_toml

    p = Path(path)
    if not p.is_file():
        raise DataError(f"--spec {path}: no such file.")
    if p.suffix.lower() == ".toml":
        return spec_from_toml(_read_toml(p, "the trial specification given with --spec"))
    if p.suffix.lower() == ".json":
        return mapping_from_json(p.read_bytes(), p.name)
    raise DataError(f"--spec {path}: give a trial.toml or a column mapping (.json) saved from "
                    "the Data page.")


def _resolve_from_spec(args):
    """Fill the options not given on the command line from the trial specification (--spec,
    or the trial.toml beside the data that names it); return the specification or None.
    Options given on the command line always win."""
    spec = _read_spec(args.spec) if args.spec else None
    if spec is None:
        try:
            spec = _specification_of(args.data)
        except DataError:
            if not args.outcome:  # outcomes were named: an unreadable trial.toml is not needed
                raise
    chosen = _outcomes(args.outcome)
    given = {"arm": args.arm, "treatment": args.treatment, "control": args.control,
             "method": args.method}
    if spec is not None:
        args.arm = args.arm or spec.arm
        args.treatment = args.treatment or spec.treatment
        args.control = args.control or spec.control
        args.method = args.method or spec.method
        if not chosen:
            args.outcome = spec.outcome_columns
        outcomes = _outcomes(args.outcome)
        if not args.baseline:
            args.baseline = [f"{o}={b}" for o, b in spec.baselines if o in outcomes]
        if not args.covariate:
            args.covariate = list(spec.covariates)
        if not args.strata and spec.design.type == "stratified":
            args.strata = list(spec.design.strata)
    for k, default in (("arm", "arm"), ("treatment", "treatment"), ("control", "control"),
                       ("method", "welch")):
        setattr(args, k, getattr(args, k) or default)
    args.from_spec = [k for k, v in given.items() if v is None] if spec is not None else []
    args.outcomes_from_spec = spec is not None and not chosen
    return spec


def _directions_of(spec) -> tuple:
    """(outcome, direction) pairs from the trial specification, if any."""
    return tuple((o.column, o.direction) for o in spec.outcomes) if spec is not None else ()


def _baselines(values) -> tuple[tuple[str, str], ...]:
    out = []
    for v in values or []:
        outcome, sep, column = v.partition("=")
        if not sep or not outcome.strip() or not column.strip():
            raise DataError(f"--baseline takes OUTCOME=COLUMN (the outcome and its "
                            f"pre-randomisation column); got {v!r}.")
        out.append((outcome.strip(), column.strip()))
    return tuple(out)


def _methods(values) -> tuple[str, ...]:
    names = tuple(p.strip() for v in values or [] for p in v.split(",") if p.strip())
    bad = [n for n in names if n not in METHOD_CHOICES]
    if bad:
        raise DataError(f"--add-method takes methods from {', '.join(METHOD_CHOICES)}; "
                        f"got {', '.join(bad)}.")
    return names


def _kinds(spec, data: pd.DataFrame, mapping) -> tuple[tuple[str, str], ...]:
    """(outcome, kind) pairs: from the trial specification where it names the outcome, else
    guessed from the values and the name (:func:`fd_stats.data.mapping.guess_kind`)."""
    from ..analysis import numeric_outcome_columns
    from ..data.mapping import guess_kind

    known = {o.column: o.kind for o in spec.outcomes} if spec is not None else {}
    outcomes = list(mapping.outcomes) or numeric_outcome_columns(data, mapping)
    return tuple((o, known.get(o) or guess_kind(o, data[o])) for o in outcomes
                 if o in data.columns)


def cmd_analyse(args):
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from .survival import run_survival

    spec = _resolve_from_spec(args)
    if run_survival(args):  # --method cox|logrank: time to event (fd_stats.methods.survival)
        return

    outcomes = _outcomes(args.outcome)
    covariates, strata = _outcomes(args.covariate), _outcomes(args.strata)
    baselines = _baselines(args.baseline)
    design = [*covariates, *strata, *(b for _, b in baselines)]
    # the file is read while the statistics modules load (Arrow reads without the lock)
    with ThreadPoolExecutor(1) as reader:
        reading = reader.submit(_read_for_analysis, args.data,
                                (args.arm, args.subgroup, outcomes, design))
        from ..analysis import EXTRA_TEST_COLUMNS, METHOD_LABELS, Mapping, Settings, analyse
        from ..methods.registry import LEGACY
        data = reading.result()
    mapping = Mapping(arm=args.arm, treatment=args.treatment, control=args.control,
                      outcomes=outcomes, subgroup=args.subgroup, covariates=covariates,
                      strata=strata, baselines=baselines,
                      # which way is better (the probability of benefit needs it), also
                      # for outcomes named with --outcome
                      directions=_directions_of(spec))
    settings = Settings(test=args.method, alternative=args.alternative, alpha=args.alpha,
                        correction=args.correction, confidence_level=args.confidence,
                        permutations=args.permutations, bootstrap=args.bootstrap, seed=args.seed,
                        extra_tests=_extra_tests(args.also), methods=_methods(args.add_method))
    from ..data.validate import validate

    validate(data, mapping).raise_if_blocking()  # one person per arm, 1e308, no variation...
    if settings.methods or args.method not in LEGACY:
        # each outcome's kind (the specification's, else guessed as the Data page does), so
        # registry methods run only where sound (no rate ratio of money)
        mapping = replace(mapping, kinds=_kinds(spec, data, mapping))
    res = analyse(data, mapping, settings)
    for method, outs, why in res.attrs.get("methods_left_out", []):
        shown = ", ".join(outs[:5]) + (f" and {len(outs) - 5} more" if len(outs) > 5 else "")
        print(f"note: {method} not run on {shown}: {why}", file=sys.stderr)
    if args.benefit:
        from ..methods.bayes import add_probability_of_benefit

        res = add_probability_of_benefit(res, args.benefit, min_change=args.min_change,
                                         prior=args.prior)
    if args.format == "table":
        extra = [c for name in settings.extra_tests for c in EXTRA_TEST_COLUMNS[name]
                 if c.startswith(("p_", "hodges_lehmann", "percent_change_boot_ci"))]
        columns = TABLE_COLUMNS
        if args.method not in ("welch", "student") or settings.methods:
            # the effect of each method on its own scale, beside the difference in means
            columns = TABLE_COLUMNS[:2] + ["test", "scale", "estimate"] + TABLE_COLUMNS[2:]
        if args.benefit:
            extra += ["prob_benefit", "prob_benefit_min"]
        t = res[columns + [c for c in extra if c not in columns]].copy()
        for c in t.columns:
            if pd.api.types.is_float_dtype(t[c]):
                t[c] = t[c].map(lambda v: f"{v:.4g}")
        side = {"two-sided": "two-sided", "less": "one-sided, treatment lower",
                "greater": "one-sided, treatment higher"}[args.alternative]
        print(f"{METHOD_LABELS[args.method]}, p-values {side}, alpha {args.alpha}, "
              f"correction {args.correction} (within each method), {args.confidence:.0%} "
              "intervals; ci_low/ci_high are for the estimate on its scale")
        emit(t, "table")
        if res.attrs.get("n_excluded_arm"):
            print(f"{res.attrs['n_excluded_arm']} rows excluded: arm neither "
                  f"{args.treatment!r} nor {args.control!r}.")
    else:
        emit(res, args.format)
    if spec is not None:  # after the results, so an error stays one line
        source = args.spec or Path(args.data).parent / "trial.toml"
        words = {"arm": "the arm column", "treatment": "the treatment value",
                 "control": "the control value", "method": "the primary method"}
        taken = ((["the outcomes"] if args.outcomes_from_spec else [])
                 + [words[k] for k in args.from_spec]
                 + ["which way is better", "baselines, covariates and strata not given here"])
        print(f"note: from the trial specification {source}: {', '.join(taken)}. Options on "
              "the command line win.", file=sys.stderr)


def cmd_audit(args):
    from ..data.io import read_table
    from ..methods.summary import audit_published_table

    # as text: a printed 3 means 2.5 to 3.5 and 0.0500 keeps its zeros
    table = read_table(args.table, as_text=True)
    res = audit_published_table(table, t=args.t, df=args.df, p=args.p)
    emit(res, args.format)


def cmd_power(args):
    from ..methods.power import minimum_detectable_effect, power_t, sample_size

    alt = args.alternative
    if args.n is None:
        ss = sample_size(args.delta, args.sd, power=args.power, alpha=args.alpha,
                         alternative=alt, allocation_ratio=args.ratio)
        row = {"delta": args.delta, "sd": args.sd, "power": args.power, "alpha": args.alpha,
               "alternative": alt, "n_per_arm": ss.n_treatment, "n_treatment": ss.n_treatment_needed,
               "n_control": ss.n_control_needed}
    elif args.delta is None:
        mde = minimum_detectable_effect(args.sd, args.n, args.n * args.ratio, power=args.power,
                                        alpha=args.alpha, alternative=alt)
        row = {"n_treatment": args.n, "n_control": args.n * args.ratio, "sd": args.sd,
               "power": args.power, "alpha": args.alpha, "alternative": alt,
               "minimum_detectable_effect": mde}
    else:
        row = {"delta": args.delta, "sd": args.sd, "n_treatment": args.n,
               "n_control": args.n * args.ratio, "alpha": args.alpha, "alternative": alt,
               "power": power_t(args.delta, args.sd, args.n, args.n * args.ratio,
                                alpha=args.alpha, alternative=alt)}
    emit(pd.DataFrame([row]), args.format)


def build_parser(include_aggregate: bool = True):
    """The argument parser. ``include_aggregate=False`` leaves out the ``aggregate``
    command, whose imports are not needed to run the others."""
    p = _Parser(prog="python -m fd_stats", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt = dict(choices=["table", "csv", "json"], default="table")

    a = sub.add_parser("analyse", help="compare treatment with control for every outcome")
    a.add_argument("data")
    a.add_argument("--spec", metavar="FILE",
                   help="the trial specification: a trial.toml, or a column mapping (.json) "
                        "saved from the Data page. Gives the arm column and values, outcomes, "
                        "which way is better, baselines, covariates, strata and the primary "
                        "method; options given here win. Default: the trial.toml beside the "
                        "data when it names the data file")
    a.add_argument("--arm", help="the arm column (default: from the specification, else 'arm')")
    a.add_argument("--treatment", help="its treatment value (default 'treatment')")
    a.add_argument("--control", help="its control value (default 'control')")
    a.add_argument("--outcome", action="append", help="repeatable, or comma-separated")
    a.add_argument("--subgroup")
    a.add_argument("--method", "--test", dest="method", choices=METHOD_CHOICES,
                   help="the primary method (--test is a synonym; default: the "
                        "specification's, else welch)")
    a.add_argument("--add-method", action="append", metavar="METHOD",
                   help="more methods as extra rows (repeatable, or comma-separated)")
    a.add_argument("--covariate", action="append", metavar="COL",
                   help="pre-randomisation covariate for poisson, negative-binomial and lin "
                        "(repeatable)")
    a.add_argument("--baseline", action="append", metavar="OUTCOME=COL",
                   help="an outcome's baseline column (repeatable)")
    a.add_argument("--strata", action="append", metavar="COL",
                   help="randomisation strata (blocked, permutation, models)")
    a.add_argument("--benefit", choices=["lower", "higher"],
                   help="add the Bayesian probability of benefit, with this better direction "
                        "for every outcome (normal approximation; see --prior)")
    a.add_argument("--prior", choices=["flat", "sceptical"], default="flat")
    a.add_argument("--min-change", type=float, default=0.10,
                   help="smallest change that matters, as a share of the control level")
    a.add_argument("--alternative", choices=["two-sided", "less", "greater"], default="two-sided")
    a.add_argument("--alpha", type=float, default=0.05)
    a.add_argument("--correction", choices=list(CORRECTIONS), default="none")
    a.add_argument("--confidence", type=float, default=0.95)
    a.add_argument("--permutations", type=int, default=10_000)
    a.add_argument("--bootstrap", type=int, default=0,
                   help="resamples for a bootstrap interval of the %% change (0: Fieller interval)")
    a.add_argument("--also", default="mann-whitney",
                   help="extra tests as extra columns, comma-separated from "
                        + ", ".join(EXTRA_CHOICES) + " (default mann-whitney; 'none' for none); "
                        "with --strata the permutation test re-randomises within the strata")
    a.add_argument("--seed", type=int, default=12345)
    a.add_argument("--format", **fmt)
    from .survival import add_survival_arguments
    add_survival_arguments(a)
    a.set_defaults(func=cmd_analyse)

    u = sub.add_parser("audit", help="recompute p-values of a published table from t and df")
    u.add_argument("table")
    u.add_argument("--t", default="t")
    u.add_argument("--df", default="df")
    u.add_argument("--p", default="p_reported")
    u.add_argument("--format", **fmt)
    u.set_defaults(func=cmd_audit)

    w = sub.add_parser("power", help="power, sample size or minimum detectable effect")
    w.add_argument("--delta", type=float, help="difference in means to detect")
    w.add_argument("--sd", type=float, required=True)
    w.add_argument("--n", type=float, help="people in the treatment arm (omit to solve for n)")
    w.add_argument("--ratio", type=float, default=1.0, help="control / treatment allocation")
    w.add_argument("--power", type=float, default=0.8)
    w.add_argument("--alpha", type=float, default=0.05)
    w.add_argument("--alternative", choices=["two-sided", "one-sided"], default="two-sided")
    w.add_argument("--format", **fmt)
    w.set_defaults(func=cmd_power)

    if include_aggregate:
        from .aggregate import add_aggregate_parser  # crimes extract -> person-level table
        add_aggregate_parser(sub)
    from .integrity import add_integrity_parser  # 'How sure can we be?' checks (#15)
    add_integrity_parser(sub)
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(include_aggregate=not (argv and argv[0] in ("analyse", "audit", "power")))
    try:
        args = parser.parse_args(argv)
        if args.command == "power" and args.delta is None and args.n is None:
            raise DataError("power needs --delta (to find n) or --n (to find the detectable effect).")
        args.func(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (MemoryError, RecursionError):
        print("error: the file is too large or too deeply nested to analyse here.", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback: say what failed in one line
        print(f"error: unexpected problem ({type(exc).__name__}: {exc}). "
              "Check the file and the options.", file=sys.stderr)
        return 2
    return 0
