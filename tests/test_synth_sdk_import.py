"""The azure-native import lever: SDK annotations left as strings, cached apart from the SDK, same plans."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import EXAMPLE_ESTATE, ROOT

PROBE = """
import estate.synth
from estate.synth.sdk_import import sdk_annotations_deferred
from pulumi_azure_native.network import virtual_network
print(type(virtual_network.VirtualNetworkInitArgs.__init__.__annotations__["resource_group_name"]).__name__,
      sdk_annotations_deferred())
"""


def _run(args: list[str], tmp_path, mode: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESTATE_BYTECODE_CACHE": str(tmp_path / "cache")}
    env.pop("ESTATE_SDK_ANNOTATIONS", None)
    if mode:
        env["ESTATE_SDK_ANNOTATIONS"] = mode
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                          timeout=300)


def test_sdk_modules_are_compiled_with_deferred_annotations_and_cached_apart(tmp_path):
    assert _run(["-c", PROBE], tmp_path, None).stdout.split() == ["str", "True"]
    cached = list((tmp_path / "cache").glob("pulumi_azure_native.network.*.pyc"))
    assert cached, "the bytecode is cached in ESTATE_BYTECODE_CACHE"
    # A second process reads the cache and sees the same thing.
    assert _run(["-c", PROBE], tmp_path, None).stdout.split() == ["str", "True"]


def test_eager_mode_imports_the_sdk_as_shipped(tmp_path):
    annotation, deferred = _run(["-c", PROBE], tmp_path, "eager").stdout.split()
    assert (annotation, deferred) != ("str", "False") and deferred == "False"


def test_plans_are_identical_with_and_without_the_lever(tmp_path):
    for mode, out in ((None, "deferred"), ("eager", "eager")):
        _run(["-m", "estate", "synth", "--all", "--estate", str(EXAMPLE_ESTATE), "--out", str(tmp_path / out)],
             tmp_path, mode)
    deferred = sorted((tmp_path / "deferred").glob("*.json"))
    assert len(deferred) == 7
    for plan in deferred:
        assert plan.read_bytes() == (tmp_path / "eager" / plan.name).read_bytes(), plan.name


LAZY_PROBE = """
import sys
import estate.synth
from pulumi_azure_native import network
read = network.Subnet
from pulumi_azure_native.network.subnet import Subnet
assert read is Subnet
print(sum(1 for name in sys.modules if name.startswith("pulumi_azure_native.network.")),
      "VirtualNetworkTap" in dir(network), "pulumi_azure_native.network.virtual_network_tap" in sys.modules)
"""


def test_a_service_package_imports_only_the_resource_modules_a_program_reads(tmp_path):
    lazy, listed, tap_loaded = _run(["-c", LAZY_PROBE], tmp_path, None).stdout.split()
    eager = _run(["-c", LAZY_PROBE], tmp_path, "eager").stdout.split()[0]
    assert (listed, tap_loaded) == ("True", "False")  # dir() still lists every name; its module is not imported
    assert int(lazy) < 10 < 200 < int(eager)
