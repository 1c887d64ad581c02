"""WSGI entry point, for gunicorn: `gunicorn project.wsgi`."""

from __future__ import annotations

import gc
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One line naming the bad variable beats a traceback in the server log.
    sys.exit(f"configuration error: {exc}")

# Everything loaded so far (modules, URL patterns, mappers) lives as long as the process:
# the cyclic garbage collector need not walk it again on every collection of a request.
gc.freeze()
