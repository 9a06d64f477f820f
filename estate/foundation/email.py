"""One check for every e-mail address estate accepts (estate contacts, budget alert contacts), via email-validator."""

from __future__ import annotations


def check_email(value: str) -> str:
    """The address in normalised form, or ValueError saying why it is not one (no DNS lookup: works offline)."""
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an e-mail address")
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value[:80]!r} is not an e-mail address ({exc})") from exc
