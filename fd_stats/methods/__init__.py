"""Statistical methods: the registry of estimators (:mod:`.registry`) and the tests, models,
effect sizes, corrections and power calculations behind it."""
