"""Citizen-facing assistant for Vietnam's digital public services."""

__version__ = "0.1.0"
