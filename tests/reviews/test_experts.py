"""专家评审: at least three experts, conflicts of interest, scores on the programme's criteria, what
an expert may see, and the panel's mean and spread."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from applications.models import EnterpriseMember
from applications.workflow import State
from reviews.models import ExpertAssignment, ExpertRelation, ExpertScore
from reviews.selectors import expert_assignment_get, expert_view_of, panel_summary
from reviews.services import experts as panel

from .conftest import assign_to, make_app, snapshot

pytestmark = pytest.mark.django_db
SCORES = {"innovation": "36", "ecosystem": "25.5", "compute_effect": "20"}


@pytest.fixture
def competitive(catalogue, clock, enterprise_a, owner_a, reviewer):
    app = make_app(
        enterprise_a,
        catalogue["hp-vertical-model-compute"],
        state=State.EXPERT_REVIEW,
        inputs={"compute_spend": "2000000"},
    )
    assign_to(app, reviewer)
    return app


def test_at_least_three_experts_are_assigned(competitive, bureau_admin, experts):
    with pytest.raises(ValidationError) as exc:
        panel.experts_assign(actor=bureau_admin, application=competitive, experts=experts[:2])
    assert "至少须指派 3 名评审专家" in str(exc.value)
    assert not ExpertAssignment.objects.exists()
    assert len(panel.experts_assign(actor=bureau_admin, application=competitive, experts=experts[:3])) == 3
    # A fourth may be added later (the panel stays at three or more).
    assert len(panel.experts_assign(actor=bureau_admin, application=competitive, experts=[experts[3]])) == 1


def test_only_administrators_assign_experts(competitive, reviewer, owner_a, experts):
    for actor in (reviewer, owner_a, experts[0]):
        with pytest.raises(PermissionDenied):
            panel.experts_assign(actor=actor, application=competitive, experts=experts[:3])
    assert not ExpertAssignment.objects.exists()


def test_an_expert_linked_to_the_enterprise_cannot_be_assigned(competitive, bureau_admin, experts, enterprise_a):
    EnterpriseMember.objects.create(enterprise=enterprise_a, user=experts[0], member_role="agent")
    ExpertRelation.objects.create(expert=experts[1], enterprise=enterprise_a, note="曾任该企业技术顾问")
    with pytest.raises(ValidationError) as exc:
        panel.experts_assign(actor=bureau_admin, application=competitive, experts=experts)
    text = str(exc.value)
    assert "是 广州甲智能科技有限公司 的成员" in text and "曾任该企业技术顾问" in text and "利益冲突回避" in text
    assert not ExpertAssignment.objects.exists()


def test_non_experts_cannot_be_assigned(competitive, bureau_admin, experts, reviewer):
    with pytest.raises(ValidationError) as exc:
        panel.experts_assign(actor=bureau_admin, application=competitive, experts=[*experts[:2], reviewer])
    assert "不是在库评审专家" in str(exc.value)


@pytest.fixture
def assigned(competitive, bureau_admin, experts):
    return panel.experts_assign(actor=bureau_admin, application=competitive, experts=experts[:3])


def test_the_expert_declares_before_seeing_materials_or_scoring(assigned, experts):
    a = assigned[0]
    view = expert_view_of(a)
    assert view["attachments"] == [] and view["inputs"] == []
    with pytest.raises(ValidationError) as exc:
        panel.expert_scores_submit(actor=experts[0], assignment=a, scores=SCORES)
    assert "请先作出利益冲突声明" in str(exc.value)
    panel.expert_declare(actor=experts[0], assignment=a, conflict=False)
    a.refresh_from_db()
    view = expert_view_of(a)
    assert view["attachments"] and view["inputs"] == [
        {"name": "compute_spend", "label": "区内智能算力投入金额", "value": "2000000", "unit": "yuan"}
    ]
    assert "contact" not in str(view) and "020-12345678" not in str(view)  # no contact details


def test_declaring_a_conflict_recuses_and_records_the_relation(assigned, experts, enterprise_a):
    with pytest.raises(ValidationError):
        panel.expert_declare(actor=experts[1], assignment=assigned[1], conflict=True, note="")
    panel.expert_declare(actor=experts[1], assignment=assigned[1], conflict=True, note="配偶在该企业任职")
    assigned[1].refresh_from_db()
    assert assigned[1].status == ExpertAssignment.Status.RECUSED
    assert ExpertRelation.objects.filter(expert=experts[1], enterprise=enterprise_a).exists()


@pytest.mark.parametrize(
    "scores, field",
    [
        ({**SCORES, "innovation": "41"}, "score_innovation"),
        ({**SCORES, "ecosystem": "-1"}, "score_ecosystem"),
        ({**SCORES, "compute_effect": "abc"}, "score_compute_effect"),
        ({**SCORES, "innovation": "10.555"}, "score_innovation"),
        ({"innovation": "30", "ecosystem": "20"}, "score_compute_effect"),
        ({**SCORES, "novelty": "5"}, "scores"),
    ],
)
def test_scores_outside_the_scale_are_refused(assigned, experts, competitive, scores, field):
    panel.expert_declare(actor=experts[0], assignment=assigned[0], conflict=False)
    before = snapshot(competitive)
    with pytest.raises(ValidationError) as exc:
        panel.expert_scores_submit(actor=experts[0], assignment=assigned[0], scores=scores)
    assert field in exc.value.message_dict
    assert snapshot(competitive) == before and not ExpertScore.objects.exists()


def test_an_expert_reaches_only_their_own_assignments(assigned, experts, reviewer, competitive):
    panel.expert_declare(actor=experts[0], assignment=assigned[0], conflict=False)
    with pytest.raises(Http404):
        expert_assignment_get(actor=experts[1], pk=assigned[0].pk)
    with pytest.raises(Http404):
        expert_assignment_get(actor=reviewer, pk=assigned[0].pk)
    with pytest.raises(PermissionDenied):
        panel.expert_scores_submit(actor=experts[1], assignment=assigned[0], scores=SCORES)
    with pytest.raises(PermissionDenied):
        panel.expert_declare(actor=experts[1], assignment=assigned[0], conflict=False)
    assert not ExpertScore.objects.exists()


def test_finishing_needs_every_active_expert_and_gives_mean_and_spread(assigned, experts, reviewer, competitive):
    marks = [("35", "25", "25"), ("30", "28", "27"), ("38", "26", "20")]
    for a in assigned:
        panel.expert_declare(actor=a.expert, assignment=a, conflict=False)
    for a, (x, y, z) in list(zip(assigned, marks, strict=True))[:2]:
        panel.expert_scores_submit(
            actor=a.expert, assignment=a, scores={"innovation": x, "ecosystem": y, "compute_effect": z}
        )
    with pytest.raises(ValidationError) as exc:
        panel.expert_review_finish(actor=reviewer, application=competitive)
    assert "至少须有 3 名专家提交评分（现 2 名）" in str(exc.value)
    a, (x, y, z) = assigned[2], marks[2]
    panel.expert_scores_submit(
        actor=a.expert, assignment=a, scores={"innovation": x, "ecosystem": y, "compute_effect": z}, comment="建议支持"
    )
    summary = panel_summary(competitive)
    assert [s.total for s in summary["experts"]] == [Decimal("85.00"), Decimal("85.00"), Decimal("84.00")]
    assert summary["mean"] == Decimal("84.67") and summary["spread"] == Decimal("0.47")
    assert summary["per_criterion"][0]["mean"] == Decimal("34.33")
    panel.expert_review_finish(actor=reviewer, application=competitive)
    competitive.refresh_from_db()
    assert competitive.state == State.BUREAU_REVIEW
    with pytest.raises(ValidationError):  # scores are frozen once the expert review is over
        panel.expert_scores_submit(actor=a.expert, assignment=a, scores=SCORES)


def test_the_workspace_offers_finishing_only_when_the_panel_is_complete(
    competitive, bureau_admin, experts, reviewer, client_for
):
    client = client_for(reviewer)
    url = f"/review/applications/{competitive.pk}/"
    finish = f"/review/applications/{competitive.pk}/experts/finish/"
    page = client.get(url).content.decode()
    assert finish not in page and "待管理员指派评审专家（至少 3 名）" in page
    assigned = panel.experts_assign(actor=bureau_admin, application=competitive, experts=experts[:3])
    page = client.get(url).content.decode()
    assert finish not in page and "待专家评分完成：已评分 0 / 3 名" in page
    for a in assigned:
        panel.expert_declare(actor=a.expert, assignment=a, conflict=False)
        panel.expert_scores_submit(actor=a.expert, assignment=a, scores=SCORES)
    page = client.get(url).content.decode()
    assert finish in page and "待专家评分完成" not in page


def test_experts_are_not_assigned_on_the_standard_path(catalogue, clock, enterprise_a, bureau_admin, experts):
    app = make_app(enterprise_a, catalogue["hp-data-trading"], state=State.FORMAL_REVIEW)
    with pytest.raises(ValidationError) as exc:
        panel.experts_assign(actor=bureau_admin, application=app, experts=experts[:3])
    assert "常规审核项目" in str(exc.value)


@pytest.mark.parametrize(
    "extra, field, limit",
    [
        ({"comment": "意" * 4001}, "comment", 4000),
        ({"comments": {"innovation": "意" * 2001}}, "comment_innovation", 2000),
    ],
)
def test_over_long_comments_are_refused_not_cut(assigned, experts, competitive, extra, field, limit):
    panel.expert_declare(actor=experts[0], assignment=assigned[0], conflict=False)
    before = snapshot(competitive)
    with pytest.raises(ValidationError) as exc:
        panel.expert_scores_submit(actor=experts[0], assignment=assigned[0], scores=SCORES, **extra)
    assert f"不能超过 {limit} 个字符" in exc.value.message_dict[field][0]
    assert snapshot(competitive) == before and not ExpertScore.objects.exists()


def test_an_over_long_declaration_note_is_refused_not_cut(assigned, experts):
    with pytest.raises(ValidationError) as exc:
        panel.expert_declare(actor=experts[0], assignment=assigned[0], conflict=True, note="冲" * 301)
    assert "不能超过 300 个字符" in exc.value.message_dict["note"][0]
    assigned[0].refresh_from_db()
    assert assigned[0].status == ExpertAssignment.Status.PENDING and not ExpertRelation.objects.exists()
