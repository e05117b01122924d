"""The shop app's management commands: `load_export`."""
