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


def test_the_mocks_answer_a_resource_to_create_as_a_first_preview_with_no_id_and_its_inputs():
    from pulumi.runtime.mocks import MockResourceArgs

    from estate.synth.recorder import STACK_REFERENCE_TYPE, EstateMocks

    mocks = EstateMocks({"platform": {"subnetIds": {"apps": "/subscriptions/x/.../subnets/apps"}}})
    inputs = {"resourceGroupName": "rg", "virtualNetworkName": "v", "subnetName": "s", "addressPrefix": "10.0.0.0/24"}
    # No id (the SDK resolves it as unknown) and no `name` output: only what the inputs give.
    assert mocks.new_resource(MockResourceArgs("azure-native:network:Subnet", "snet", dict(inputs))) == ("", inputs)
    reference = MockResourceArgs(STACK_REFERENCE_TYPE, "platform", {"name": "platform"})
    assert mocks.new_resource(reference) == ("platform", {
        "name": "platform", "outputs": {"subnetIds": {"apps": "/subscriptions/x/.../subnets/apps"}},
        "secretOutputNames": []})


def test_deployed_gives_the_id_and_name_azure_gives_a_registered_resource_once_created():
    from estate.foundation.plan import UNKNOWN
    from estate.synth.recorder import EstateMocks, RecordedStep, RecordingMonitor

    monitor = RecordingMonitor(EstateMocks(), fast=True)
    urn = "urn:pulumi:platform::estate::azure-native:network:Subnet::snet"
    inputs = {"resourceGroupName": "rg", "virtualNetworkName": "v", "subnetName": "s"}
    monitor.steps.append(RecordedStep(op="create", urn=urn, type="azure-native:network:Subnet", custom=True,
                                      parent="", provider_request="", version="", inputs=inputs))
    open_urn = urn.replace("::snet", "::open")
    monitor.steps.append(RecordedStep(op="create", urn=open_urn, type="azure-native:network:Subnet", custom=True,
                                      parent="", provider_request="", version="",
                                      inputs={**inputs, "virtualNetworkName": UNKNOWN}))
    expected = arm_id("azure-native:network:Subnet", "snet", inputs)
    assert monitor.deployed(urn, "id") == expected
    assert monitor.deployed(urn, "name") == "s"
    assert monitor.deployed(urn, "serviceKey") is None  # only Azure knows it, after deployment
    assert monitor.deployed(open_urn, "id") is None  # its id depends on a value unknown until deployment
    assert monitor.deployed(urn.replace("::snet", "::other"), "id") is None
    # A name input that is another resource's `name` output (unknown) is that resource's deployed name.
    vnet_urn = "urn:pulumi:platform::estate::azure-native:network:VirtualNetwork::vnet"
    monitor.steps.append(RecordedStep(op="create", urn=vnet_urn, type="azure-native:network:VirtualNetwork",
                                      custom=True, parent="", provider_request="", version="",
                                      inputs={"resourceGroupName": "rg", "virtualNetworkName": "hub"}))
    followed = open_urn.replace("::open", "::followed")
    monitor.steps.append(RecordedStep(op="create", urn=followed, type="azure-native:network:Subnet", custom=True,
                                      parent="", provider_request="", version="",
                                      inputs={**inputs, "virtualNetworkName": UNKNOWN},
                                      property_dependencies={"virtualNetworkName": [vnet_urn]}))
    assert monitor.deployed(followed, "id") == arm_id("azure-native:network:Subnet", "followed",
                                                      {**inputs, "virtualNetworkName": "hub"})
