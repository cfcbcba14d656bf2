"""Official letters (API and pages)."""

from __future__ import annotations

from .cases import ADMIN_LIST, API_SIGNED_IN, PUBLIC, SIGNED_IN, Case, case, pk

LETTERS: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ API: letters
    "api-letters": [case(GET=API_SIGNED_IN)],
    "api-letter": [case(pk("letter"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-letter-pdf": [case(pk("letter"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-letter-retry": [case(pk("letter"), POST="anon:403 admin:ok A:403 REV:403 *:404")],
    "api-letter-verify": [case(lambda c: {"code": c.letter.code}, GET=PUBLIC)],
    # ------------------------------------------------------------------ letters
    "reviews:letter_list": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "reviews:letters_batch": [
        case(
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,  # each district's letters
            data=lambda c: {"action": "generate"},
        )
    ],
    "reviews:letter_download": [
        case(pk("letter"), GET="anon:login A:ok STAFF:ok *:404", POST="anon:login A:ok STAFF:ok *:404")
    ],
    "reviews:letter_revoke": [
        case(
            pk("letter"),
            GET="anon:login USERS:405",
            POST="anon:login admin:ok A:403 REV:403 *:404",
            data=lambda c: {"reason": "文书内容有误"},
        )
    ],
    "reviews:letter_retry": [
        case(pk("letter"), GET="anon:login USERS:405", POST="anon:login admin:ok A:403 REV:403 *:404")
    ],
    "reviews:letter_verify_start": [case(GET=PUBLIC, POST=PUBLIC)],
    # 生成中 → 已出具: the state of a letter, polled by its pages (issue 17)
    "reviews:letter_status": [case(pk("letter"), GET="anon:login A:ok STAFF:ok *:404", POST="*:405")],
}
