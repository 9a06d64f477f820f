"""Offline plan synthesis: run the real Pulumi program under Pulumi's mock runtime and record a preview plan.

Importing this package installs the azure-native import lever (`estate.synth.sdk_import`) before the
program's components import the SDK: the SDK's annotations are left unevaluated, which Pulumi reads the same.
"""

from estate.synth.sdk_import import deferred_sdk_annotations

deferred_sdk_annotations()
