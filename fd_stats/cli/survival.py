"""``python -m fd_stats analyse DATA --method cox|logrank --time COL --event COL``.

Kept apart from :mod:`fd_stats.cli.main` so the analyse command's other methods and this hook
do not get in each other's way: :func:`add_survival_arguments` adds the options,
:func:`run_survival` answers when the method is a survival one.
"""
from __future__ import annotations

SURVIVAL_METHODS = ("cox", "logrank")


def add_survival_arguments(parser) -> None:
    """Add ``--time`` and ``--event``; let the analyse command's ``--method`` (the method
    registry's) also take cox and logrank, and its ``--covariate`` adjust the Cox model."""
    options = {o: a for a in parser._actions for o in a.option_strings}
    method = options.get("--method")
    if method is None:
        parser.add_argument("--method", choices=SURVIVAL_METHODS,
                            help="time-to-event method (needs --time and --event)")
    elif method.choices is not None:
        method.choices = [*method.choices, *SURVIVAL_METHODS]  # a new list: the registry's
        method.help = (method.help or "") + "; cox or logrank: time to event (--time, --event)"
    parser.add_argument("--time", help="time to event or censoring (e.g. suspect_knife_days) "
                        "for --method cox|logrank")
    parser.add_argument("--event", help="1 if the event was seen, 0 if censored")
    if "--covariate" not in options:
        parser.add_argument("--covariate", action="append",
                            help="adjust the Cox model for this column (repeatable), e.g. a "
                                 "baseline count")


def run_survival(args) -> bool:
    """Run a survival method if ``args.method`` is one; return whether it ran."""
    if getattr(args, "method", None) not in SURVIVAL_METHODS:
        return False
    from .main import emit, read_data
    from ..errors import DataError
    from ..methods.survival import analyse_survival

    if not args.time or not args.event:
        raise DataError(f"--method {args.method} needs --time and --event columns.")
    covs = tuple(c for v in (args.covariate or []) for c in v.split(",") if c.strip())
    res = analyse_survival(read_data(args.data), args.method, args.time, args.event,
                           arm=args.arm, treatment=args.treatment, control=args.control,
                           covariates=tuple(c.strip() for c in covs),
                           confidence_level=args.confidence)
    emit(res, args.format)
    return True
