"""A spec-driven mock of Django REST Framework APIs that behaves like the real service."""

__version__ = "0.1.0"
