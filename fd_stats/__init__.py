"""fd_stats: the statistics engine of the Focused Deterrence evaluation dashboard.

Plain functions on numpy, pandas and scipy. Everything the app, the exports
and the command line show comes from :func:`analyse` and the functions here.
"""
from .analysis import ALL, RESULT_COLUMNS, Mapping, Settings, analyse, describe_p, with_alpha
from .binary import ProportionsResult, compare_proportions, wilson_interval
from .cost import case_workers_needed, cost_per_person, cost_per_unit_prevented, scale_up
from .effects import Effect, hedges_g, percent_change, percent_change_bootstrap, ratio_of_means
from .engagement import complier_average_effect, engagement_rate
from .errors import DataError
from .io import read_table
from .multiplicity import CORRECTIONS, adjust_pvalues
from .power import minimum_detectable_effect, power_t, sample_size
from .summary import audit_published_table, p_from_t, t_test_from_summary
from .twosample import (TESTS, TwoSampleResult, mann_whitney, permutation_test, student_t,
                        welch_t)

__all__ = [name for name in dir() if not name.startswith("_")]
