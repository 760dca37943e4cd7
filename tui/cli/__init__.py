"""The command line: argument parsing, one function per command, plain and JSON output.

Imports no Textual; launching the dashboard is one lazy import in `tui.cli.lifecycle`.
"""
