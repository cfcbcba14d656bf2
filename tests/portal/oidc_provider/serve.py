"""python -m tests.portal.oidc_provider.serve SPEC: migrate the provider's own database, create its
people and clients from the spec file, then serve on 127.0.0.1 (a free port) until killed; prints
"ready <port>" once it answers."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


def main() -> None:
    os.environ["OIDC_TEST_PROVIDER_SPEC"] = sys.argv[1]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.portal.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from .validator import spec

    call_command("migrate", verbosity=0, interactive=False)
    data = spec()
    for username, person in data["people"].items():
        User.objects.create_user(username=username, password=person["password"])
    for client in data["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler)
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
