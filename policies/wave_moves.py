"""Servers that changed wave since a previous set of plans (`estate check --estate FILE --previous PLAN_DIR`).

Each wave is its own Pulumi stack, so a server moved to another wave in the estate would be deleted by its old
wave's stack and created afresh by the new one. Pulumi's aliases cannot cross stacks; `pulumi state move` can:
it moves the resources' state from one stack to the other, where the program registers them under the same
URNs (estate.components.migration_wave names them by server alone). The finding is advisory: it names the
exact command to run before the next `pulumi up` of either stack (docs/deploy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from estate.definition import naming
from estate.definition.model import Estate
from estate.foundation.errors import InputError
from estate.foundation.plan import load_plan
from estate.foundation.yamlfile import YamlDocument, format_loc
from policies.rules.base import ADVISORY, Violation

RULE = "wave-moves"
VM_TYPE = "azure-native:compute:VirtualMachine"


@dataclass(frozen=True)
class WaveMove:
    server: str
    source: str
    destination: str
    urns: tuple[str, ...]

    @property
    def command(self) -> str:
        urns = " ".join(f"'{urn}'" for urn in self.urns)
        return f"pulumi state move --source {self.source} --dest {self.destination} {urns}"


def wave_moves(estate: Estate, previous_dir: Path) -> list[WaveMove]:
    """Every server whose wave stack in `previous_dir`'s plans differs from its wave in the estate."""
    if not previous_dir.is_dir():
        raise InputError(f"--previous {previous_dir}: no such folder; give the folder of the plans written before "
                         "(e.g. out/plans from the last `estate synth --all`)", file=str(previous_dir))
    now = {server.name: server.wave.stack for server in estate.servers()}
    moves = []
    for path in sorted(previous_dir.glob("*.json")):
        plan = load_plan(path)
        resources = [resource for resource in plan.staying() if resource.stack.startswith("wave-")]
        for vm in (resource for resource in resources if resource.type == VM_TYPE):
            server = str(vm.inputs.get("vmName") or "")
            destination = now.get(server)
            if destination is None or destination == vm.stack:
                continue
            moves.append(WaveMove(server=server, source=vm.stack, destination=destination,
                                  urns=tuple(sorted(r.urn for r in resources if _belongs(r.inputs, server)))))
    return sorted(moves, key=lambda move: move.server)


def _belongs(inputs, server: str) -> bool:
    return (inputs.get("vmName") == server or inputs.get("networkInterfaceName") == naming.nic(server)
            or str(inputs.get("protectedItemName") or "").endswith(f";{server}"))


def wave_move_violations(document: YamlDocument, estate: Estate, previous_dir: Path) -> list[Violation]:
    """One advisory finding per moved server, at the estate entry that now puts it in its new wave."""
    places = {name: ("waves", wave_index, "vms", vm_index, "name" if vm.name else "name_pattern")
              for wave_index, wave in enumerate(estate.waves) for vm_index, vm in enumerate(wave.vms)
              for name in vm.names()}
    violations = []
    for move in wave_moves(estate, previous_dir):
        loc = places[move.server]
        line, column = document.position(loc)
        violations.append(Violation(
            RULE, ADVISORY, None, "estate:vm", format_loc(loc), move.server,
            f"server {move.server} moved from {move.source} to {move.destination} since the plans in "
            f"{previous_dir}: before the next `pulumi up` of either stack, move its state with "
            f"`{move.command}`, or {move.source} deletes the VM and {move.destination} creates a new one "
            "(docs/deploy.md, 'Moving a server between waves')", document.file, line, column))
    return violations
