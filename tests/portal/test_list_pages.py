"""Long lists are shown a page at a time (portal.pagination.page_of and templates/_pager.html), not
cut silently at N rows."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.models import Notification
from portal.pagination import Capped, page_of


def test_the_inbox_shows_every_message_a_page_at_a_time(client_for, owner_a, owner_b):
    Notification.objects.bulk_create(
        [
            Notification(recipient=owner_a, kind=Notification.Kind.REMINDER, subject=f"提醒{i:03d}", body="")
            for i in range(51)
        ]
    )
    client = client_for(owner_a)
    first = client.get("/inbox/").content.decode()
    assert first.count("提醒0") == 50 and "第 1 / 2 页" in first and "?page=2" in first
    second = client.get("/inbox/?page=2").content.decode()
    assert second.count("提醒0") == 1 and "?page=1" in second
    # another enterprise's user sees none of them
    assert "提醒0" not in client_for(owner_b).get("/inbox/").content.decode()


def test_the_pager_keeps_the_other_parameters():
    request = RequestFactory().get("/x/", {"state": "submitted", "page": "2"})
    page = page_of(request, list(range(120)), 50)
    assert (page.number, list(page.object_list)[:2], page.query) == (2, [50, 51], "state=submitted")
    assert page_of(RequestFactory().get("/x/", {"page": "99"}), list(range(120)), 50).number == 3


def test_a_list_shown_in_part_on_purpose_says_so(owner_a, django_assert_num_queries):
    Notification.objects.bulk_create(
        [
            Notification(recipient=owner_a, kind=Notification.Kind.REMINDER, subject=f"提醒{i}", body="")
            for i in range(3)
        ]
    )
    qs = Notification.objects.filter(recipient=owner_a)
    rows = Capped(qs, 2)
    assert (len(rows), rows.total) == (2, 3)
    assert "仅显示最近 2 条，共 3 条。" in render_to_string("_capped.html", {"rows": rows})
    with django_assert_num_queries(2):  # the rows and the count, however many rows there are
        rows = Capped(qs, 5)
    assert (len(rows), rows.total) == (3, 3)
    assert render_to_string("_capped.html", {"rows": rows}).strip() == ""
