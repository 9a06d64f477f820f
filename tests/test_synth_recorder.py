"""What the mocks answer and how recorded property values are printed."""

from __future__ import annotations

from google.protobuf import struct_pb2

from estate.synth.arm import arm_id
from estate.synth.recorder import RESOURCE_SIGNATURE, SECRET_SIGNATURE, SIGNATURE_KEY, plain


def _struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def test_plain_values_print_as_preview_json_does():
    struct = _struct({"b": 2, "a": {"size": 128.0, "ratio": 0.5, "list": [1, "x", None, True]},
                      "key": {SIGNATURE_KEY: SECRET_SIGNATURE, "value": "hunter2"},
                      "ref": {SIGNATURE_KEY: RESOURCE_SIGNATURE, "urn": "urn:pulumi:s::p::t:m:T::n"}})
    assert plain(struct) == {"a": {"list": [1, "x", None, True], "ratio": 0.5, "size": 128}, "b": 2,
                             "key": "[secret]", "ref": "urn:pulumi:s::p::t:m:T::n"}
    assert list(plain(struct)) == ["a", "b", "key", "ref"]


def test_arm_ids_follow_azure_resource_paths():
    zero = "/subscriptions/00000000-0000-0000-0000-000000000000"
    group = arm_id("azure-native:resources:ResourceGroup", "x", {"resourceGroupName": "rg-a"})
    assert group == f"{zero}/resourceGroups/rg-a"
    assert arm_id("azure-native:network:Subnet", "x", {"resourceGroupName": "rg", "virtualNetworkName": "v",
                                                      "subnetName": "s"}) == (
        f"{zero}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s")
    assert arm_id("azure-native:authorization:PolicyAssignment", "x",
                  {"scope": zero, "policyAssignmentName": "pa"}) == (
        f"{zero}/providers/Microsoft.Authorization/policyAssignments/pa")
    assert arm_id("azure-native:storage:StorageAccount", "sa1", {"resourceGroupName": "rg"}) == (
        f"{zero}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa1")
