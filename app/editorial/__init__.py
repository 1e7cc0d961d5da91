"""Editors' loop: draft an entry from residents' unanswered questions, preview it, review and publish it."""
