"""WSGI entry point of the reference DRF service."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopservice.settings")

application = get_wsgi_application()
