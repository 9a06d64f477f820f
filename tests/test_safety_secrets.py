"""No message or log line carries a signature, key or token; the Azure SDK's own logging is quiet by default."""

from __future__ import annotations

import pytest

from estate.foundation.redact import redact
from tests.azurite_server import DEV_KEY, azurite  # noqa: F401  (the fixture)
from tests.conftest import run_cli

SECRET = "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"


@pytest.mark.parametrize("text", [
    f"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig={SECRET}&se=2030-01-01",
    f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={SECRET};EndpointSuffix=core.windows.net",
    f"BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022&sig={SECRET}",
    f"Authorization: Bearer {SECRET}.eyJhbGciOi.abc",
    f'{{"client_secret": "{SECRET}", "tenant": "t"}}',
    f"client_secret={SECRET}&grant_type=client_credentials",
    f"AZURE_CLIENT_SECRET={SECRET}",
])
def test_redact_removes_every_kind_of_secret_and_keeps_the_rest(text):
    redacted = redact(text)
    assert SECRET not in redacted and "REDACTED" in redacted
    assert redacted.startswith(text[:12])  # what the secret belonged to is still said


def test_redact_leaves_ordinary_text_alone():
    text = "costs.csv:3: BilledCost 'x' is not a number; signature of the export is fine (design=1)"
    assert redact(text) == text


def test_a_sas_url_s_signature_is_not_echoed_in_an_error():
    result = run_cli("cost", "load", f"https://acct.blob.core.windows.net/?sv=2022-11-02&sig={SECRET}")
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output and "sig=REDACTED" in result.stderr


@pytest.mark.integration
def test_the_azure_sdk_logs_only_with_verbose_and_then_without_secrets(azurite, tmp_path):  # noqa: F811
    url = f"{azurite.account_url}/no-such-container/focus?sv=2022-11-02&sig={SECRET}"
    args = ("cost", "load", url, "--store", tmp_path / "store", "--connection-string", azurite.connection_string)

    quiet = run_cli(*args)
    assert quiet.exit_code == 2, quiet.output
    assert quiet.stderr.count("\n") == 1 and quiet.stderr.startswith("estate: ")  # our one paragraph only
    assert SECRET not in quiet.output

    verbose = run_cli("--verbose", *args)
    assert verbose.exit_code == 2, verbose.output
    assert "azure.core" in verbose.stderr and verbose.stderr.count("\n") > 3  # the SDK's lines, now shown
    assert SECRET not in verbose.output and DEV_KEY not in verbose.output

    again = run_cli(*args)  # and quiet again without the flag
    assert "azure.core" not in again.stderr
