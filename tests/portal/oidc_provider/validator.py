"""The claims of the test provider's people, from the run's spec file (read at every request, so a
test may change what the provider says of someone), and one client whose ID tokens are issued
already expired (a provider's clock gone wrong, or a replayed token)."""

import json
import os
import time
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def spec() -> dict:
    return json.loads(Path(os.environ["OIDC_TEST_PROVIDER_SPEC"]).read_text())


class Validator(OAuth2Validator):
    # every claim of the person goes out with the scopes the portal asks for (an enterprise's claims
    # too, which a real provider gives under a scope of its own)
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "uscc": "profile",
        "enterprise_name": "profile",
        "legal_representative": "profile",
        "role": "profile",
        "is_staff": "profile",
        "is_superuser": "profile",
        "groups": "profile",
    }

    def get_additional_claims(self, request):
        return dict(spec()["people"][request.user.username]["claims"])

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if request.client.client_id in spec().get("expired_clients", []):
            claims["exp"] = int(time.time()) - 600
        return claims, expiration
