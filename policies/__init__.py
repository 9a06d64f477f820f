"""estate-guardrails: the rules an estate lives by, run by the CrossGuard pack and by `estate check` alike.

`policies.rules` holds one plain function per rule; `policies.pack` wraps them for Pulumi CrossGuard
(`pulumi preview --policy-pack policies`); `policies.plan_check` and `policies.estate_check` run them offline
over a plan file or over the estate definition itself.
"""

PACK_NAME = "estate-guardrails"
