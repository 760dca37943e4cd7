"""The Textual dashboard: app, screens, widgets, messages and the Textual workarounds."""
