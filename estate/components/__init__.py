"""The Pulumi components the program composes: one `ComponentResource` per file, typed frozen-dataclass args.

Components never read `pulumi.Config` or the estate file: the program reads config once and passes values down.
Every child is named `f"{name}-<role>"` and parented to its component (flat trees: no nested components).
"""
