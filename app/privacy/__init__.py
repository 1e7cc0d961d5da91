"""Keeping residents' personal data out of what the service stores and logs."""

from app.privacy.redact import PRIVACY_REMINDER, Redaction, redact

__all__ = ["PRIVACY_REMINDER", "Redaction", "redact"]
