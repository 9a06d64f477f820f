"""The estate-guardrails CrossGuard pack: `pulumi preview --policy-pack policies`.

Only wiring lives here (constructing `PolicyPack` starts the analyzer server at import and never returns);
the rules are plain functions in `policies.rules`, which `estate check` runs offline too.
"""

import sys
from pathlib import Path

# Pulumi runs this file by path; make the repository importable when estate is not installed in the venv.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies import PACK_NAME
from policies.pack import policies

PolicyPack(
    name=PACK_NAME,
    policies=policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description="estate guardrails: UK regions only, mandatory tags, no public IPs, supported operating systems.",
)
