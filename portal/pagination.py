"""Pagination of long server-rendered lists (the review queue) that stays fast with a district's
worth of applications: a page's ids are read first (one index range, no joins to fetch), then the
page's rows with their joins and annotations; the total is counted once per
settings.PORTAL_LIST_COUNT_SECONDS per list (30 s; 0 = every request) instead of on every request."""

from __future__ import annotations

import contextlib
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

log = logging.getLogger(__name__)


class IdFirstPaginator(Paginator):
    """Paginator(queryset, per_page) whose page() reads the page's ids, then its rows, in order, and
    whose count is shared for a few seconds by every request that asks for the same list (the same
    SQL: the same actor and filters). The rows are always current; only "共 N 件" may lag."""

    def __init__(self, object_list, per_page, *, count_key: str = "", rows=None, **kwargs) -> None:
        """count_key names the list (the actor and the filters), e.g. "queue:12:QueueFilters(...)";
        by default the list's SQL, which costs a compilation of the query to work out. rows, if
        given, turns the page's queryset into what is read (e.g. its `.values()`): the ids and the
        count are read from the list as it is, without the joins those values add."""
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key
        self.rows = rows

    @cached_property
    def count(self) -> int:
        seconds = settings.PORTAL_LIST_COUNT_SECONDS
        if not seconds:
            return super().count
        name = self.count_key or str(self.object_list.query)
        key = "list-count:" + hashlib.sha256(name.encode()).hexdigest()
        try:
            cached = cache.get(key)
        except Exception:  # noqa: BLE001 - the cache is an optimisation; Redis down must not break the page
            log.warning("list count cache unavailable", exc_info=True)
            cached = None
        if cached is not None:
            return cached
        value = super().count
        with contextlib.suppress(Exception):
            cache.set(key, value, seconds)
        return value

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        found = self.object_list.filter(pk__in=ids).order_by()
        if self.rows is not None:
            found = self.rows(found)
        # model instances, or the rows of .values() (their "id")
        rows = {(obj["id"] if isinstance(obj, dict) else obj.pk): obj for obj in found} if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def page_of(request, object_list, per_page: int, *, param: str = "page") -> Page:
    """The requested page (?page=, out-of-range numbers give the last page) of a list shown a page at a
    time instead of cut at N rows; `page.query` keeps the request's other parameters (filters) for the
    links of templates/_pager.html. A second list on the same page names its own `param`."""
    page = Paginator(object_list, per_page).get_page(request.GET.get(param))
    return with_links(request, page, param=param)


def with_links(request, page: Page, *, param: str = "page") -> Page:
    """Give `page` what templates/_pager.html links with: the request's other parameters (filters,
    another list's page) in `page.query`, and the parameter naming this list's page in `page.param`."""
    params = request.GET.copy()
    params.pop(param, None)
    page.query = params.urlencode()  # type: ignore[attr-defined]  # read by the pager's links only
    page.param = param  # type: ignore[attr-defined]
    return page


class Capped(list):
    """The first `limit` rows of a list shown in part on purpose (the latest decided, a work queue's
    head), with the `total`, so the page says "仅显示最近 N 条，共 M 条" (templates/_capped.html)
    instead of hiding the rest silently."""

    def __init__(self, object_list, limit: int) -> None:
        rows = list(object_list[:limit])
        super().__init__(rows)
        self.limit = limit
        self.total = object_list.count()  # counted always: a page's queries do not depend on its rows
