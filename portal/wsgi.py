from django.core.wsgi import get_wsgi_application

from portal.settings import settings_module

settings_module()  # DJANGO_SETTINGS_MODULE, else portal.settings.dev: one rule (portal/settings/__init__.py)
application = get_wsgi_application()
