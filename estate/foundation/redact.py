"""One redaction for every message and log line: signatures, account keys, tokens and secrets never printed.

`redact(text)` replaces the secret part of a SAS query (`sig=`), a connection string's `AccountKey=` and
`SharedAccessSignature=`, bearer tokens, `client_secret` / `password` / `access_token` values, with `REDACTED`,
keeping the name so the reader knows what was there. The CLI applies it to every error it prints, sources apply
it to the URLs they show, and `quiet_azure_logging` puts it in front of the Azure SDK's log lines.
"""

from __future__ import annotations

import logging
import re

MARK = "REDACTED"
_PATTERNS = (
    # SAS query parameters: the signature (and the user-delegation key's parts) are the secret.
    re.compile(r"(?i)(?<![A-Za-z0-9_])(sig|skoid|sktid|skv|sks)=([^&\s'\"<>]+)"),
    # connection-string fields
    re.compile(r"(?i)(?<![A-Za-z0-9_])(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd)=([^;\s'\"]+)"),
    # key=value and "key": "value" forms of client secrets and tokens
    re.compile(r"(?i)(?<![A-Za-z0-9_])(client_secret|access_token|refresh_token|id_token|password|api[_-]?key"
               r"|AZURE_CLIENT_SECRET)(\"?\s*[:=]\s*\"?)([^\s\"'&;,}]+)"),
    re.compile(r"(?i)(?<![A-Za-z0-9_])(Bearer|Basic|SharedKey)\s+([A-Za-z0-9._~+/=:-]{8,})"),
)


def redact(text: str) -> str:
    """`text` with every secret value replaced by REDACTED."""
    if not text:
        return text
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}={MARK}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}={MARK}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{MARK}", text)
    return _PATTERNS[3].sub(lambda m: f"{m.group(1)} {MARK}", text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose lines pass through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


AZURE_LOGGERS = ("azure", "msal", "urllib3")


def quiet_azure_logging(verbose: bool = False) -> None:
    """The Azure SDK (azure-identity above all) logs its own lines before our message; keep them off unless
    `verbose`, and then show them on stderr redacted."""
    for name in AZURE_LOGGERS:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if getattr(h, "_estate", False)]:
            logger.removeHandler(handler)
        if not verbose:
            logger.setLevel(logging.CRITICAL + 1)
            logger.propagate = False
            continue
        handler = logging.StreamHandler()
        handler._estate = True  # type: ignore[attr-defined]
        handler.setFormatter(RedactingFormatter("%(name)s: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
