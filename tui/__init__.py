"""hubspot-tui: connect a HubSpot OAuth app and see at a glance whether the install is right."""

__version__ = "0.1.0"
