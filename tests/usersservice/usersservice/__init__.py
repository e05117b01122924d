"""The Django project of the Users DRF service."""
