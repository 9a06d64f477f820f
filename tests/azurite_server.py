"""A pytest fixture that runs Azurite (the Azure Storage emulator, from tests/azurite/) on 127.0.0.1.

Azurite is installed from tests/azurite/package-lock.json by `make azurite` (`npm ci --prefix tests/azurite`),
which `make test` runs first. The fixture picks a free port, waits (bounded) until the Blob endpoint answers,
and always stops the process.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

AZURITE_DIR = Path(__file__).parent / "azurite"
AZURITE_BLOB = AZURITE_DIR / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js"
READY_SECONDS = 30
# Azurite's well-known development account (public, documented by Microsoft; not a secret).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@dataclass(frozen=True)
class Azurite:
    blob_port: int

    @property
    def account_url(self) -> str:
        return f"http://127.0.0.1:{self.blob_port}/{DEV_ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
                f"BlobEndpoint={self.account_url};")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Azurite exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"Azurite did not listen on 127.0.0.1:{port} within {READY_SECONDS}s: {log.read_text()[-2000:]}")


@pytest.fixture
def azurite(tmp_path) -> Iterator[Azurite]:
    """Azurite's Blob service on a free loopback port, for one test."""
    node = shutil.which("node")
    if node is None or not AZURITE_BLOB.exists():
        pytest.fail("Azurite is not installed: run `make azurite` (npm ci --prefix tests/azurite); needs Node.js")
    port = _free_port()
    log = tmp_path / "azurite.log"
    with log.open("w") as log_handle:
        process = subprocess.Popen(
            [node, str(AZURITE_BLOB), "--blobHost", "127.0.0.1", "--blobPort", str(port),
             "--location", str(tmp_path / "azurite-data"), "--skipApiVersionCheck", "--silent"],
            stdout=log_handle, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(port, process, log)
        yield Azurite(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
