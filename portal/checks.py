"""System checks of the portal's own (run by `manage.py check`)."""
