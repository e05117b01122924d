"""The users app: the custom user model and its read-only API."""
