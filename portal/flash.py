"""A service's refusal shown on the next page: each message of a ValidationError as its own error line
(the way the error summary lists problems), a PermissionDenied by its text. The one home of that for
every form post that redirects after calling a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_refusal(request: HttpRequest, error: Exception) -> None:
    for text in error.messages if isinstance(error, ValidationError) else [str(error)]:
        messages.error(request, text)
