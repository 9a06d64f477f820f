"""The Pulumi program: read the stack's config once, load the estate, build the components for this stack.

`__main__.py` is what `pulumi preview -s STACK` runs; `estate synth` calls `run_program` under Pulumi's mock
runtime, so both go through exactly the same code.
"""

from __future__ import annotations

from estate.program.stacks import STACK_OUTPUTS, build_stack, run_program

__all__ = ["STACK_OUTPUTS", "build_stack", "run_program"]
