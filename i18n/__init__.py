"""Localized messages: one gettext catalog per language, keyed by stable message codes."""
