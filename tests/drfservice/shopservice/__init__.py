"""The Django project of the reference DRF service."""
