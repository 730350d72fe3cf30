"""fd_stats: the statistics engine of the Focused Deterrence evaluation dashboard.

Plain functions on numpy, pandas and scipy. Everything the app, the exports and
the command line show comes from :func:`analyse` and the functions here.
Exports are imported on first use (PEP 562) so the command line starts fast.
"""
import importlib

_EXPORTS = {
    "analysis": ["ALL", "RESULT_COLUMNS", "TESTS", "Mapping", "Settings", "analyse", "describe_p",
                 "with_alpha"],
    "methods.binary": ["ProportionsResult", "compare_proportions", "wilson_interval"],
    "programme.cost": ["case_workers_needed", "cost_per_person", "cost_per_unit_prevented", "scale_up"],
    "methods.effects": ["Effect", "hedges_g", "percent_change", "percent_change_bootstrap", "ratio_of_means"],
    "programme.engagement": ["complier_average_effect", "engagement_rate"],
    "errors": ["DataError"],
    "data.io": ["read_table"],
    "methods.multiplicity": ["CORRECTIONS", "adjust_pvalues"],
    "methods.power": ["minimum_detectable_effect", "power_t", "sample_size"],
    "methods.summary": ["audit_published_table", "p_from_t", "t_test_from_summary"],
    "methods.permutation": ["permutation_test"],
    "methods.rank": ["mann_whitney"],
    "methods.result": ["TwoSampleResult"],
    "methods.ttest": ["student_t", "welch_t"],
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fd_stats' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
