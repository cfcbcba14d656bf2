from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def account_for(identifier: str | None):
    """The account a sign-in names: by e-mail whatever its case, else by username; surrounding
    spaces never count. None when no account has it."""
    text = (identifier or "").strip()
    if not text:
        return None
    User = get_user_model()
    return User.objects.filter(email__iexact=text).first() or User.objects.filter(username=text).first()


def lockout_key(request, credentials: dict | None = None) -> str:
    """What django-axes counts failed sign-ins against (settings.AXES_USERNAME_CALLABLE): the account
    itself, so that `EXpErt2@demo.cn`, ` expert2@demo.cn ` and the account's username are one count,
    on the sign-in page and the API token endpoint alike; for a name no account has, its spelling
    trimmed and in lower case."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = raw.get("username") if hasattr(raw, "get") else None
    text = str(raw or "").strip()
    user = account_for(text)
    if user is not None:
        return (user.email or user.get_username()).strip().lower()
    return text.lower()


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with the e-mail address (what enterprise users know) or the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = account_for(username)
        if user is None:
            get_user_model()().set_password(password)  # same work either way: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
