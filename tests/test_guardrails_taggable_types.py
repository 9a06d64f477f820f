"""Which types carry tags or a location is read from the azure-native SDK itself, not a hand list."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from policies.rules.sdk import has_location, taggable, type_schema


@pytest.mark.parametrize(("token", "tags", "location"), [
    ("azure-native:resources:ResourceGroup", True, True),
    ("azure-native:network:PublicIPAddress", True, True),  # acronym: file public_ip_address.py
    ("azure-native:network:Subnet", False, False),
    ("azure-native:authorization:PolicyAssignment", False, True),
    ("azure-native:compute:VirtualMachine", True, True),
    ("azure-native:consumption:Budget", False, False),
])
def test_taggable_and_location_follow_the_sdk_args_class(token, tags, location):
    assert taggable(token) is tags
    assert has_location(token) is location


def test_answers_match_the_args_class_signature_when_imported():
    # The parsed answer agrees with what Python sees when it imports the SDK class.
    import inspect

    from pulumi_azure_native.resources import resource_group

    parameters = inspect.signature(resource_group.ResourceGroupArgs.__init__).parameters
    assert ("tags" in parameters) is taggable("azure-native:resources:ResourceGroup")


@pytest.mark.parametrize("token", ["pulumi:providers:azure-native", "estate:wave:MigrationWave",
                                   "azure-native:network:NoSuchThing", "azure-native:nosuchmodule:Thing"])
def test_types_the_sdk_does_not_define_are_unknown(token):
    schema = type_schema(token)
    assert not schema.known and not schema.taggable


def test_every_type_in_the_plan_contract_is_known_to_the_sdk():
    tokens = ["azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork",
              "azure-native:network:Subnet", "azure-native:network:NetworkSecurityGroup",
              "azure-native:operationalinsights:Workspace", "azure-native:keyvault:Vault",
              "azure-native:recoveryservices:Vault", "azure-native:recoveryservices:ProtectionPolicy",
              "azure-native:recoveryservices:ProtectedItem", "azure-native:authorization:PolicyAssignment",
              "azure-native:network:ExpressRouteCircuit", "azure-native:network:PublicIPAddress",
              "azure-native:network:VirtualNetworkGateway", "azure-native:network:VirtualNetworkGatewayConnection",
              "azure-native:network:NetworkInterface", "azure-native:compute:VirtualMachine",
              "azure-native:consumption:Budget"]
    assert all(type_schema(token).known for token in tokens)


def test_the_sdk_source_is_parsed_not_imported():
    root = Path(next(iter(importlib.util.find_spec("pulumi_azure_native").submodule_search_locations)))
    tree = ast.parse((root / "network" / "subnet.py").read_text())
    assert any(isinstance(node, ast.ClassDef) and node.name.startswith("Subnet") for node in tree.body)


def test_reading_only_the_args_signature_agrees_with_parsing_the_whole_module():
    from policies.rules.sdk import _args_class_arguments, _args_class_arguments_from_module

    root = Path(next(iter(importlib.util.find_spec("pulumi_azure_native").submodule_search_locations)))
    for module, file, class_name in [("network", "public_ip_address.py", "PublicIPAddress"),
                                     ("compute", "virtual_machine.py", "VirtualMachine"),
                                     ("recoveryservices", "protected_item.py", "ProtectedItem")]:
        source = (root / module / file).read_text()
        assert _args_class_arguments(source, class_name) == _args_class_arguments_from_module(source, class_name)
