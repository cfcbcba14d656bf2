"""English as the portal's second language.

With the language cookie set to English the main pages render in English: a few key phrases are
there and no Chinese character is left in the navigation or the page heading, except data (enterprise
names, policy titles, a public notice's official title). The English catalogue
(locale/en/LC_MESSAGES/django.po) translates every message except those deliberately left Chinese,
none is fuzzy, and every placeholder survives translation. Choosing English changes only words, never
an amount: the estimate for an enterprise is the same in both languages."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tests.cast import DRAFT, cast_build

CJK = re.compile(r"[\u4e00-\u9fff]")
PO_EN = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"

# msgids whose English msgstr stays empty on purpose, so that the Chinese text is used in every language.
DELIBERATELY_CHINESE = {
    # reviews/letters/content.py: parts of the official letters (PDF), which are legal documents in Chinese.
    "第%(n)s期": "tranche label printed in an official letter",
    "关于核定%(ent)s%(prog)s支持资金的通知": "title of the approval letter (official document)",
    "关于%(ent)s申报%(prog)s不予支持的通知": "title of the notice of non-support (official document)",
    "%(prog)s申报材料补正通知书": "title of the supplement notice (official document)",
    "关于同意%(ent)s%(prog)s事前申请的函": "title of the pre-approval letter (official document)",
    "关于追回%(ent)s%(prog)s支持资金的决定": "title of the claw-back decision (official document)",
    # reviews/services/notices.py: the title stored with a published public notice, an official announcement.
    "%(programme)s%(batch)s拟支持名单公示": "stored title of a public notice (official announcement)",
}


# ---------------------------------------------------------------------------- the catalogue file


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The pages read the compiled catalogue (.mo, not in git: bin/setup compiles it). Compile it here
    too when the .po is newer, so that a translation just added is what these tests see."""
    mo = PO_EN.with_suffix(".mo")
    if (not mo.exists() or mo.stat().st_mtime < PO_EN.stat().st_mtime) and shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(PO_EN)], check=True)
        from django.test import override_settings

        with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
            pass  # leaving the override clears Django's cache of loaded catalogues


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries: list[dict] = []
    entry: dict = {}
    key: tuple[str, int] | str | None = None

    def flush() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if m:
            name, index, value = m.group(1), m.group(2), _unquote(m.group(3))
            if name.startswith("msgstr"):
                key = ("msgstr", int(index or 0))
                entry.setdefault("msgstr", []).append(value)
            else:
                key = name
                entry[name] = value
        elif line.startswith('"') and key is not None:
            if isinstance(key, tuple):
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[key] += _unquote(line)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {line!r}")
    flush()
    return [e for e in entries if e["msgid"] and not e.get("obsolete")]


@pytest.fixture(scope="module")
def catalogue_en() -> list[dict]:
    return po_entries(PO_EN)


def test_the_english_catalogue_translates_every_message_except_the_deliberately_chinese(catalogue_en):
    untranslated = [e["msgid"] for e in catalogue_en if not all(e["msgstr"]) and e["msgid"] not in DELIBERATELY_CHINESE]
    assert untranslated == [], "translate these in locale/en/LC_MESSAGES/django.po (makemessages -l en first)"
    fuzzy = [e["msgid"] for e in catalogue_en if "fuzzy" in e.get("flags", set())]
    assert fuzzy == [], "fuzzy entries are not used: check the translation and remove the fuzzy flag"
    kept_chinese = [e["msgid"] for e in catalogue_en if e["msgid"] in DELIBERATELY_CHINESE and any(e["msgstr"])]
    assert kept_chinese == [], "these are official Chinese texts: leave their msgstr empty"
    assert len(catalogue_en) > 1000  # the interface, not a stub


def test_english_translations_keep_their_placeholders_and_leave_no_chinese(catalogue_en):
    placeholder = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")
    bad = []
    for e in catalogue_en:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, text in enumerate(e["msgstr"]):
            if not text:
                continue
            source = sources[min(i, 1)]
            if sorted(placeholder.findall(source)) != sorted(placeholder.findall(text)):
                bad.append((e["msgid"], text))
            # Chinese survives only inside quoted official names (document numbers, policy titles).
            if CJK.search(re.sub(r"《[^》]*》|“[^”]*”|穗开经信规字〔2025〕7号", "", text)):
                bad.append((e["msgid"], text))
    assert bad == []


def test_the_catalogue_header_and_plural_forms():
    text = PO_EN.read_text(encoding="utf-8")
    assert '"Language: en\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text
    assert '#, fuzzy\nmsgid ""' not in text  # a fuzzy header would disable the plural forms


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_english_catalogue():
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO_EN)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_letter_templates_carry_no_translatable_text():
    """Official letters are Chinese legal documents: their templates stay out of the catalogue."""
    letters = Path(settings.BASE_DIR) / "templates" / "letters"
    for template in letters.glob("*_v*.html"):
        assert not re.search(r"{%\s*(translate|trans|blocktranslate|blocktrans)\b", template.read_text("utf-8")), (
            template.name
        )


# ---------------------------------------------------------------------------- pages in English


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _inner(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, flags=re.S)


def _text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", " ", fragment)


@pytest.fixture
def cast(db, settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = False
    return cast_build(letters=False)


# (page, who, how to find its address in the cast, phrases the English page shows)
PAGES = [
    (
        "home",
        "anon",
        lambda c: reverse("home"),
        ["Guangzhou AI Industry Subsidy Voucher Portal", "Policies and programmes", "Sign in"],
    ),
    (
        "catalogue",
        "anon",
        lambda c: reverse("vouchers:catalogue"),
        ["Compute voucher", "Review path", "Filter by category", "Standard review"],
    ),
    (
        "programme",
        "anon",
        lambda c: reverse("vouchers:programme", args=["hp-compute-voucher"]),
        [
            "Compute voucher",
            "Original clause text",
            "Eligibility",
            "Maximum per enterprise over the policy period",
            "Formal review (completeness of materials",
        ],
    ),
    (
        "estimate",
        "anon",
        lambda c: reverse("vouchers:estimate", args=["hp-compute-voucher"]),
        ["Policy calculator", "Eligible compute service cost"],
    ),
    ("login", "anon", lambda c: reverse("login"), ["Sign in", "Forgotten password?"]),
    ("register", "anon", lambda c: reverse("register"), ["Enterprise user registration", "Confirm password"]),
    (
        "dashboard",
        "owner_a",
        lambda c: reverse("applications:dashboard"),
        ["My applications", "Application number", "Under public notice", "Compute voucher", " yuan"],
    ),
    (
        "application",
        "owner_a",
        lambda c: reverse("applications:detail", args=[c.a_supplement.pk]),
        ["Awaiting supplement", "Reply to the supplement request and resubmit"],
    ),
    (
        "queue",
        "reviewer",
        lambda c: reverse("reviews:queue"),
        ["Review queue", "Nearest deadline first", "Submitted, awaiting formal review"],
    ),
    (
        "review",
        "reviewer",
        lambda c: reverse("reviews:application", args=[c.a_formal.pk]),
        ["Formal review: list of materials", "Return for supplement"],
    ),
    ("approvals", "admin", lambda c: reverse("reviews:approvals"), ["Proposals", "Awaiting me", "Awaiting Check"]),
    (
        "decision workspace",
        "admin",
        lambda c: reverse("reviews:decision", args=[c.a_proposed.pk]),
        ["Proposal (under approval)", "Approval chain", "Check", "Send the proposal back"],
    ),
    (
        "approval chains",
        "reviewer",
        lambda c: reverse("reviews:approval_chains"),
        ["Authorised leaders in charge", "Every programme", "Leader in charge"],
    ),
    (
        "budget",
        "admin",
        lambda c: reverse("vouchers:budget"),
        ["Budget management", "Budget allocation", "Available balance"],
    ),
    ("notices", "anon", lambda c: reverse("reviews:public_notices"), ["Public notices", "Public notice period"]),
    (
        "public notice",
        "anon",
        lambda c: reverse("reviews:public_notice", args=[c.notice.pk]),
        ["Lodge an objection", "Public notice period", "working days"],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "who", "url", "phrases"), PAGES, ids=[p[0] for p in PAGES])
def test_main_pages_render_in_english(cast, client_for, page, who, url, phrases):
    client = english(client_for(cast.user(who)))
    response = client.get(url(cast))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    for phrase in phrases:
        assert phrase in html, f"{page}: {phrase!r} missing"
    # data that stays as written: enterprise and policy names, an official notice title, applicants' titles
    data = [
        cast.enterprise_a.name,
        cast.enterprise_b.name,
        cast.notice.title,
        cast.standard.policy.title,
        DRAFT["title"],
    ]
    for fragment in _inner(html, "nav") + _inner(html, "h1"):
        text = _text(fragment)
        for d in data:
            text = text.replace(d, "")
        assert not CJK.search(text), f"{page}: Chinese left in {text.strip()!r}"


@pytest.mark.django_db
def test_the_same_pages_stay_chinese_by_default(cast, client_for):
    """The language follows the cookie only; without it the portal is Chinese."""
    html = client_for(cast.user("owner_a")).get(reverse("applications:dashboard")).content.decode()
    assert "我的申报" in html and "My applications" not in html
    html = client_for(None).get(reverse("vouchers:programme", args=["hp-compute-voucher"])).content.decode()
    assert "<h1>算力券" in html and "Compute voucher" not in html


@pytest.mark.django_db
def test_choosing_english_with_the_language_button(client_for, db):
    client = client_for(None)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/").content.decode()
    assert "Policies and programmes" in html and ">中文</button>" in html


def test_a_request_in_english_leaves_the_thread_in_chinese(client_for, db):
    """The middleware activates the reader's language for the request only: what the same thread does
    next (another test, an eagerly run task writing a notification) is in the default language."""
    assert english(client_for(None)).get(reverse("home")).headers["Content-Language"] == "en"
    assert translation.get_language() == settings.LANGUAGE_CODE


@pytest.mark.django_db
def test_notifications_are_written_in_chinese_whatever_the_actor_reads(cast, django_capture_on_commit_callbacks):
    """A reviewer reading the English pages returns an application: the enterprise's notice (inbox and
    e-mail) is a record in the portal's language, not in the reviewer's."""
    from portal.models import Notification
    from reviews.services.formal import formal_review_return

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        formal_review_return(
            actor=cast.user("reviewer"),
            application=cast.a_formal,
            items=[{"code": "payment_proof", "note": "须加盖银行印章"}],
            note="请一次性补正所列材料。",
        )
        assert translation.get_language() == "en"  # the actor's own language is untouched
    notice = Notification.objects.filter(
        recipient=cast.user("owner_a"), kind=Notification.Kind.SUPPLEMENT, body__contains=cast.a_formal.reference
    ).get()
    assert notice.subject.startswith("补正通知") and "Supplement" not in notice.subject


# ---------------------------------------------------------------------------- words, never amounts


def test_programme_names_follow_the_language(catalogue):
    programme = catalogue["hp-compute-voucher"]
    with translation.override("en"):
        assert programme.display_name == "Compute voucher"
    with translation.override("zh-hans"):
        assert programme.display_name == "算力券"
    programme.name_en = ""
    with translation.override("en"):
        assert programme.display_name == "算力券"  # no English name in the catalogue: the Chinese one


def test_amounts_read_in_yuan_in_english():
    from portal.templatetags.money import wan, yuan

    with translation.override("en"):
        assert yuan(Decimal("1234567.5")) == "1,234,567.50 yuan"
        assert wan(Decimal("1234567.5")) == "123.46 ×10,000 yuan"
    with translation.override("zh-hans"):
        assert yuan(Decimal("1234567.5")) == "1,234,567.50 元"


def test_the_estimate_does_not_depend_on_the_readers_language(catalogue):
    """Industries are named in Chinese by the catalogue: an English reader's enterprise must match
    them as a Chinese reader's does (hp-revenue-growth is limited to software and internet firms)."""
    from applications.models import Industry
    from tests.factories import EnterpriseFactory
    from vouchers.display import eligibility_hint
    from vouchers.selectors import estimate_for

    programme = catalogue["hp-revenue-growth"]
    enterprise = EnterpriseFactory(industry=Industry.SOFTWARE_IT)
    inputs = {"revenue_current": "700000000", "revenue_previous": "500000000"}
    on = timezone.localdate().replace(month=1, day=15)
    results = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            est = estimate_for(programme=programme, inputs=inputs, on=on, enterprise=enterprise)
            hint = eligibility_hint(programme=programme, enterprise=enterprise)
            results[language] = (est.eligible, est.amount, hint.likely)
    assert results["en"] == results["zh-hans"] == (True, Decimal("800000.00"), True)
