#!/usr/bin/env python
"""退回补正 response time on the embedded default (issue 17): the 补正 notice's PDF is made after the
response (PORTAL_EAGER_TASKS=background) instead of inside it ("inline"). Run it on a copy of a
seeded demo database (it returns the demo's waiting applications for supplement):

    cp var/portal.sqlite3 /tmp/bench.sqlite3   # after bin/demo or manage.py demo_seed
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 PORTAL_EAGER_TASKS=background \\
        .venv/bin/python bench/bench_letter_return.py

For each Huangpu application waiting for formal review it prints the POST's time (the first one in
the process also loads the task registry) and how long after the response the letter was 已出具.
Target: the POST answers within 300 ms."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from applications.models import Application  # noqa: E402
from applications.workflow import State  # noqa: E402
from portal.models import User  # noqa: E402
from reviews.models import Letter, ReviewAssignment  # noqa: E402
from reviews.services import formal  # noqa: E402


def main() -> None:
    print("PORTAL_EAGER_TASKS =", settings.PORTAL_EAGER_TASKS)
    reviewer = User.objects.get(email="reviewer@demo.cn")
    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer, backend="portal.backends.EmailOrUsernameBackend")
    apps = Application.objects.filter(
        state__in=[State.SUBMITTED, State.FORMAL_REVIEW], programme__policy__district=reviewer.district
    ).order_by("pk")
    for app in apps:
        ReviewAssignment.objects.update_or_create(
            application=app, defaults={"reviewer": reviewer, "assigned_by": reviewer}
        )
        if app.state == State.SUBMITTED:
            formal.formal_review_start(actor=reviewer, application=app)
        client.get(f"/review/applications/{app.pk}/formal/return/")
        checklist = formal.formal_checklist(app)
        data = {f"m_{r['code']}": "on" for r in checklist if not r["present"]} or {f"m_{checklist[0]['code']}": "on"}
        data["note"] = "请补正"
        start = time.perf_counter()
        response = client.post(f"/review/applications/{app.pk}/formal/return/", data)
        answered = time.perf_counter()
        letter = Letter.objects.filter(application=app, kind=Letter.Kind.SUPPLEMENT).order_by("-pk").first()
        took = (answered - start) * 1000
        print(f"{app.reference}: POST {response.status_code} in {took:.0f} ms, letter {letter.status}")
        while not client.get(f"/letters/{letter.pk}/status/").json()["done"]:
            time.sleep(0.05)
        print(f"    已出具 {(time.perf_counter() - answered) * 1000:.0f} ms after the response")


if __name__ == "__main__":
    main()
