"""Long lists are shown a page at a time (portal.pagination.page_of and templates/_pager.html), not
cut silently at N rows."""

from django.test import RequestFactory

from portal.models import Notification
from portal.pagination import page_of


def test_the_inbox_shows_every_message_a_page_at_a_time(client_for, owner_a, owner_b):
    Notification.objects.bulk_create([Notification(recipient=owner_a, kind=Notification.Kind.REMINDER,
                                                   subject=f"提醒{i:03d}", body="") for i in range(51)])
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
