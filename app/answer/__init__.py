"""Composing answers: FAQ fast path, extractive answers, honest no-answer."""
