"""GET /api/v1/calendar/?year=YYYY: the days of a year that are not ordinary (or belong to a named
holiday), open to everyone; 2027 before and after its arrangement is entered."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from portal.services_calendar import calendar_arrangement_set, calendar_correction_set
from tests.reviews.conftest import Clock, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    """timezone.now() under the test's control (as in tests/reviews)."""
    c = Clock(at(2026, 12, 1))
    with mock.patch.object(timezone, "now", c):
        yield c


URL = "/api/v1/calendar/"
DOCUMENT = "国办发明电〔2026〕x号"


def days_of(body: dict) -> dict[str, tuple[str, str, str]]:
    return {d["date"]: (d["kind"], d["name"], d["source"]) for d in body["days"]}


def test_2027_before_its_arrangement_is_provisional(api_for):
    r = api_for(None).get(URL, {"year": "2027"})
    assert r.status_code == 200
    body = r.json()
    assert (body["year"], body["confirmed"], body["document"]) == (2027, False, "")
    assert "暂按法定节假日计算" in body["provisional_note"]
    days = days_of(body)
    assert days["2027-01-01"] == ("holiday", "元旦", "statutory")
    assert [days[f"2027-02-0{d}"] for d in (5, 6, 7, 8)] == [("holiday", "春节", "statutory")] * 4
    assert days["2027-04-05"] == ("holiday", "清明节", "statutory")
    assert days["2027-09-15"] == ("holiday", "中秋节", "statutory")
    assert len(days) == 13 and {k for k, _n, _s in days.values()} == {"holiday"}
    assert "2027-02-09" not in days and "2027-02-13" not in days  # ordinary days are left out


def test_2027_after_its_arrangement(api_for, bureau_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_arrangement_set(
            actor=bureau_admin,
            year=2027,
            document=DOCUMENT,
            rest_days=[(dt.date(2027, 2, d), "春节") for d in (9, 10, 11)],
            workdays=[(dt.date(2027, 2, 20), "春节")],
        )
    calendar_correction_set(actor=bureau_admin, date=dt.date(2027, 3, 1), is_workday=False, note="办公场所搬迁")
    body = api_for(None).get(URL, {"year": 2027}).json()
    assert (body["confirmed"], body["document"], body["provisional_note"]) == (True, DOCUMENT, None)
    days = days_of(body)
    assert days["2027-02-05"] == ("holiday", "春节", "statutory")
    assert days["2027-02-09"] == ("holiday", "春节", "official")
    assert days["2027-02-20"] == ("workday", "春节", "official")
    assert days["2027-03-01"] == ("holiday", "办公场所搬迁", "administrator")
    assert [d["date"] for d in body["days"]] == sorted(d["date"] for d in body["days"])


def test_2026_comes_from_the_official_data(api_for):
    body = api_for(None).get(URL, {"year": 2026}).json()
    assert body["confirmed"] and body["provisional_note"] is None
    days = days_of(body)
    assert days["2026-02-17"] == ("holiday", "春节", "statutory")
    assert days["2026-02-20"] == ("holiday", "春节", "official")  # bridged Friday
    assert days["2026-02-14"] == ("workday", "春节", "official")  # make-up Saturday
    assert days["2026-10-01"] == ("holiday", "国庆节", "statutory")


@pytest.mark.parametrize("year", ["abc", "1800", "2101", "2027.5", "-1"])
def test_a_bad_year_is_refused_in_chinese(api_for, year):
    r = api_for(None).get(URL, {"year": year})
    assert r.status_code == 400
    assert "请以 year=YYYY 指定" in r.json()["year"][0]


def test_without_a_year_it_answers_for_this_year(api_for, clock):
    clock.set(at(2027, 6, 1))
    assert api_for(None).get(URL).json()["year"] == 2027


def test_signed_in_users_see_the_same(api_for, owner_a, reviewer):
    anonymous = api_for(None).get(URL, {"year": 2027}).json()
    assert api_for(owner_a).get(URL, {"year": 2027}).json() == anonymous
    assert api_for(reviewer).post(URL, {"year": 2027}).status_code == 405


def test_the_endpoint_is_in_the_schema(api_for):
    schema = api_for(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/calendar/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["year"]
    assert "400" in operation["responses"]
