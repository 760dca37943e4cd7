"""The UI-free core: profile, paths, store, checklist, probes, login flow and the install service.

Imports nothing from Textual, the CLI or the UI (import-linter contracts in pyproject.toml), so the
command line's read-only paths start fast and both faces share every rule.
"""
