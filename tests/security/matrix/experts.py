"""The expert's assignments, declarations and scores (API and pages)."""

from __future__ import annotations

from .bodies import scores
from .cases import Case, case, pk

EXPERTS: dict[str, list[Case]] = {
    "api-reviews-expert-assignments": [case(GET="anon:403 expert:ok *:403")],
    "api-reviews-expert-assignment": [
        case(pk("a_expert_assignment"), label="another expert's", GET="anon:403 *:404"),
        case(pk("expert_assignment"), label="the expert's own", GET="anon:403 expert:ok *:404"),
    ],
    "api-reviews-expert-declaration": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            POST="anon:403 *:404",
            data=lambda c: {"conflict": False},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            POST="anon:403 expert:ok *:404",
            data=lambda c: {"conflict": False},
        ),
    ],
    "api-reviews-expert-scores": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            POST="anon:403 *:404",
            data=lambda c: {"scores": {k["code"]: "20" for k in c.competitive.criteria}},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            POST="anon:403 expert:ok *:404",
            data=lambda c: {"scores": {k["code"]: "20" for k in c.competitive.criteria}},
        ),
    ],
    # ------------------------------------------------------------------ expert pages
    "reviews:expert_list": [case(GET="anon:login expert:ok *:403", POST="anon:login expert:ok *:403")],
    "reviews:expert_assignment": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="anon:login expert:ok *:403",
            POST="anon:login expert:ok *:403",
        ),
    ],
    "reviews:expert_declare": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="*:405",
            POST="anon:login expert:404 *:403",
            data=lambda c: {"conflict": "0"},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="*:405",
            POST="anon:login expert:ok *:403",
            data=lambda c: {"conflict": "0"},
        ),
    ],
    "reviews:expert_scores": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="*:405",
            POST="anon:login expert:404 *:403",
            data=scores,
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="*:405",
            POST="anon:login expert:ok *:403",
            data=scores,
        ),
    ],
    "reviews:expert_attachment": [
        case(
            lambda c: {"pk": c.a_expert_assignment.pk, "attachment_pk": c.a_expert.attachments.first().pk},
            label="another expert's",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
        case(
            lambda c: {"pk": c.expert_assignment.pk, "attachment_pk": c.b_expert.attachments.first().pk},
            label="the expert's own",
            GET="anon:login expert:ok *:403",
            POST="anon:login expert:ok *:403",
        ),
        case(
            lambda c: {"pk": c.expert_assignment.pk, "attachment_pk": c.a_expert.attachments.first().pk},
            label="own assignment, another application's file",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
    ],
}
