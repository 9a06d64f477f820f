"""azure-preflight: what Azure Resource Manager refuses at deployment time, checked offline over a plan.

One rule per concern, each a module like the other rules (NAME, DESCRIPTION, REMEDIATION, `check`); they look
across the whole plan through `PlanContext.resources` (see `index.py`), so the CrossGuard pack runs them as
stack policies. Reference data: estate/foundation/reference/azure_naming_rules.csv, azure_reserved_words.csv,
vm_sizes.csv and vm_size_regions.csv (sources in the README beside them).
"""

FAMILY = "azure-preflight"
