"""The one shape of the payment pages' form posts and of the payments API's actions
(vouchers/views_payments*.py, vouchers/api_payments.py): the handler finds the object through the
selectors (404 outside the actor's scope), then hands the service call to these helpers, which turn
a refusal (ValidationError) into the page's error messages or the API's 400 and success into the
page's message and redirect or the API's serialized answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.flash import flash_refusal


def post_then_redirect(
    request: HttpRequest, act: Callable[[], Any], *, done: str | Callable[[Any], str], to: str, **to_kwargs: Any
) -> HttpResponse:
    """Run `act` (the service call of a form post); a refusal is shown as errors, success as `done`
    (a message, or a function of what `act` returned); either way back to the page `to`."""
    try:
        result = act()
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(to, **to_kwargs)


def api_action(
    request: Request,
    act: Callable[[dict[str, Any]], Any],
    *,
    answer: Callable[[Any], serializers.BaseSerializer],
    body: type[serializers.Serializer] | None = None,
    created: bool = False,
) -> Response:
    """Validate the request's `body` (an input serializer; None: no body), run `act` with its data
    and answer with `answer` (a serializer class) of what it returned (201 when `created`). The services' refusals reach
    the API's exception handler (400 with their messages, nothing written)."""
    data: dict[str, Any] = {}
    if body is not None:
        given = body(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
    result = act(data)
    return Response(answer(result).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
