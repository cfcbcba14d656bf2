"""Probe (issue 12): a conflict of interest registered after an expert was assigned revokes the
expert's access and voids the scores of the open expert review; it is checked at every expert
action (the page, the materials, the declaration, the scores, the API), not only at assignment."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import EnterpriseMember
from applications.workflow import State
from portal.models import AuditEvent
from reviews.models import ExpertAssignment, ExpertRelation, ExpertScore
from reviews.services import experts as panel
from tests.cast import cast_build

pytestmark = pytest.mark.django_db

SCORES = {"innovation": "36", "ecosystem": "25.5", "compute_effect": "20"}


@pytest.fixture
def cast():
    return cast_build(letters=False)


def _page(user) -> Client:
    c = Client()
    c.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    return c


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def _scored(cast) -> ExpertAssignment:
    """The cast's expert has declared no conflict on B's application and scores it."""
    a = cast.expert_assignment
    assert cast.b_expert.state == State.EXPERT_REVIEW
    panel.expert_scores_submit(actor=cast.user("expert"), assignment=a, scores=SCORES)
    a.refresh_from_db()
    assert a.status == ExpertAssignment.Status.SUBMITTED and a.scores.count() == 3
    return a


def test_a_relation_registered_later_revokes_access_and_voids_the_scores(cast):
    a = _scored(cast)
    expert = cast.user("expert")
    panel.expert_relation_add(
        actor=cast.user("admin"), expert=expert, enterprise=cast.enterprise_b, note="担任该企业独立董事"
    )
    a.refresh_from_db()
    assert a.status == ExpertAssignment.Status.RECUSED
    assert a.total is None and not ExpertScore.objects.filter(assignment=a).exists()
    event = AuditEvent.objects.get(action="review.expert_conflict_revoke", target_id=str(a.pk))
    assert event.before["scores"] == {"innovation": "36.00", "ecosystem": "25.50", "compute_effect": "20.00"}
    assert cast.b_expert.events.filter(action="expert_conflict_revoke", visible_to_applicant=False).exists()
    # the materials and the score form are closed to the expert
    attachment = cast.b_expert.attachments.first()
    c = _page(expert)
    r = c.get(reverse("reviews:expert_assignment", args=[a.pk]))
    assert r.status_code == 200 and attachment.original_name not in r.content.decode()
    assert c.get(reverse("reviews:expert_attachment", args=[a.pk, attachment.pk])).status_code == 404
    r = c.post(reverse("reviews:expert_scores", args=[a.pk]), {f"score_{k}": v for k, v in SCORES.items()})
    assert r.status_code in (400, 403)
    assert not ExpertScore.objects.filter(assignment=a).exists()
    # the panel no longer counts them
    assert "至少须有" in panel.panel_incomplete(cast.b_expert)


@pytest.mark.parametrize("how", ["relation", "membership"])
def test_a_link_made_by_any_path_is_checked_at_every_expert_action(cast, how):
    """A link that no service saw being made (the admin's table, a membership) still closes every door."""
    a = cast.expert_assignment
    expert = cast.user("expert")
    if how == "relation":
        ExpertRelation.objects.create(expert=expert, enterprise=cast.enterprise_b, note="后来发现的关联")
    else:
        EnterpriseMember.objects.create(enterprise=cast.enterprise_b, user=expert, member_role="agent")
    attachment = cast.b_expert.attachments.first()
    c = _page(expert)
    assert c.get(reverse("reviews:expert_assignment", args=[a.pk])).status_code == 403
    assert c.get(reverse("reviews:expert_attachment", args=[a.pk, attachment.pk])).status_code == 403
    assert (
        c.post(reverse("reviews:expert_scores", args=[a.pk]), {f"score_{k}": v for k, v in SCORES.items()}).status_code
        == 403
    )
    api = _api(expert)
    assert api.get(f"/api/v1/reviews/expert-assignments/{a.pk}/").status_code == 403
    assert (
        api.post(f"/api/v1/reviews/expert-assignments/{a.pk}/scores/", {"scores": SCORES}, format="json").status_code
        == 403
    )
    assert not ExpertScore.objects.filter(assignment=a).exists()
    # the service refuses too, and takes the place away on the way
    with pytest.raises(Exception) as exc:
        panel.expert_scores_submit(actor=expert, assignment=a, scores=SCORES)
    assert "利益" in str(exc.value)
    a.refresh_from_db()
    assert a.status == ExpertAssignment.Status.RECUSED


def test_scores_given_before_the_link_do_not_finish_the_panel(cast):
    a = _scored(cast)
    for other in ExpertAssignment.objects.filter(application=cast.b_expert).exclude(pk=a.pk):
        panel.expert_declare(actor=other.expert, assignment=other, conflict=False)
        panel.expert_scores_submit(actor=other.expert, assignment=other, scores=SCORES)
    assert panel.panel_incomplete(cast.b_expert) == ""
    ExpertRelation.objects.create(expert=cast.user("expert"), enterprise=cast.enterprise_b, note="后来发现的关联")
    reviewer = cast.user("reviewer_other")
    with pytest.raises(Exception) as exc:
        panel.expert_review_finish(actor=reviewer, application=cast.b_expert)
    assert "至少须有" in str(exc.value)
    cast.b_expert.refresh_from_db()
    assert cast.b_expert.state == State.EXPERT_REVIEW
    a.refresh_from_db()
    assert a.status == ExpertAssignment.Status.RECUSED and not a.scores.exists()


def test_a_relation_revokes_only_the_places_it_touches(cast):
    """The cast's panel experts sit on both A's and B's applications: a relation with A takes away
    the place on A's panel and leaves the one on B's."""
    expert = cast.panel_experts[0]
    b_place = ExpertAssignment.objects.get(application=cast.b_expert, expert=expert)
    panel.expert_relation_add(actor=cast.user("admin"), expert=expert, enterprise=cast.enterprise_a, note="顾问")
    a_place = ExpertAssignment.objects.get(application=cast.a_expert, expert=expert)
    b_place.refresh_from_db()
    assert a_place.status == ExpertAssignment.Status.RECUSED
    assert b_place.status != ExpertAssignment.Status.RECUSED  # B is not linked


def test_the_django_admin_registering_a_relation_revokes_too(cast):
    admin = cast.user("admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    a = cast.expert_assignment
    r = _page(admin).post(
        reverse("admin:reviews_expertrelation_add"),
        {"expert": cast.user("expert").pk, "enterprise": cast.enterprise_b.pk, "note": "后台登记"},
    )
    assert r.status_code == 302, r.content[:500]
    a.refresh_from_db()
    assert a.status == ExpertAssignment.Status.RECUSED
