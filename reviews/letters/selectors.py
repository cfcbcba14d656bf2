"""Reads of letters, scoped to the actor: the enterprise's own members, bureau reviewers and
administrators. Everyone else gets nothing (404). The public verification looks letters up by code."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from applications.selectors import enterprise_of
from portal.models import Role
from portal.permissions import district_q
from reviews.models import Letter

from .services import code_normalize

BUREAU = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def letters_for_actor(*, actor) -> QuerySet[Letter]:
    qs = Letter.objects.select_related("application", "application__programme", "preapproval")
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.role in BUREAU:  # the letters of the staff member's district
        return qs.filter(district_q(actor, "programme__policy__district"))
    if actor.role == Role.ENTERPRISE:
        enterprise = enterprise_of(actor)
        # the letters of its applications, and those addressed to it (a two-party award's buyer, its
        # pre-approvals' 事前同意函)
        return qs.filter(Q(application__enterprise=enterprise) | Q(enterprise=enterprise)) if enterprise else qs.none()
    return qs.none()


def letter_get_for_actor(*, actor, pk: int) -> Letter:
    try:
        return letters_for_actor(actor=actor).get(pk=pk)
    except (Letter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def letter_for_code(*, code: str) -> Letter | None:
    """The letter with this verification code, or None (unknown)."""
    normalized = code_normalize(code)
    if not normalized:
        return None
    return Letter.objects.filter(code=normalized).first()


def sha256_normalize(raw: str) -> str:
    return "".join((raw or "").split()).lower()


@dataclass(frozen=True)
class HashCheck:
    matches: bool
    submitted: str


def letter_hash_check(*, letter: Letter, sha256: str = "", upload=None) -> HashCheck:
    """Compare a pasted SHA-256 or the hash of an uploaded file with the stored letter's."""
    if upload is not None:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        submitted = digest.hexdigest()
    else:
        submitted = sha256_normalize(sha256)
    ok = bool(letter.sha256) and hmac.compare_digest(submitted, letter.sha256)
    return HashCheck(matches=ok, submitted=submitted)
