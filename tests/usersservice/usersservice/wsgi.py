"""WSGI entry point of the Users DRF service."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "usersservice.settings")

application = get_wsgi_application()
