#!/usr/bin/env python
"""Django's command-line utility, with configuration and connection errors on one line."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"configuration error: {exc}")
    except Exception as exc:
        from shop.db import describe_connection_error

        message = describe_connection_error(exc)
        if message is None:
            raise
        sys.exit(message)


if __name__ == "__main__":
    main()
