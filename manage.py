#!/usr/bin/env python
import sys


def main() -> None:
    from portal.settings import settings_module

    settings_module()  # DJANGO_SETTINGS_MODULE, else portal.settings.dev (portal/settings/__init__.py)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
