"""A real OpenID Connect provider for the tests (django-oauth-toolkit's OIDC, a dev dependency), run in
its own process by tests/portal/conftest.py: discovery, JWKS, authorization (behind its own sign-in
page), token and user info, ID tokens signed with an RSA key made for the test run. It stands for
广东政务服务网 / 粤商通 unified identity; nothing of it is imported by the portal."""
