"""Cost synthesis from plans: per-type cost functions (the registry), usage, pricing into a forecast, reports
and diffs."""
