# One-sided p for a published t in the direction of treatment higher, and two-sided p.
# Values pasted into tests/test_any_trial.py::test_published_audit_one_sided_either_direction
options(digits = 15)
print(pt(2.674, 307.1, lower.tail = FALSE))   # one-sided, treatment higher
print(2 * pt(-abs(2.674), 307.1))             # two-sided
