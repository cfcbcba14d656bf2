"""The cast's vocabulary: its roles, its programmes, the `Cast` it returns, and the helpers that make
an application of it (shared with the tests that build their own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, Attachment
from portal.models import User

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# The roles of the matrix, in the order the tables print them.
ROLES = (
    "anon",
    "owner_a",
    "agent_a",
    "owner_b",
    "reviewer",
    "reviewer_other",
    "expert",
    "admin",
    "provider",
    "reviewer_th",
    "admin_th",
)

STANDARD = "hp-compute-voucher"  # standard path, a voucher programme
COMPETITIVE = "hp-vertical-model-compute"  # competitive path (expert review)

DRAFT = {
    "title": "大模型推理算力采购",
    "description": "租用区内智算中心算力用于开源模型本地部署。",
    "contract_numbers": "HT-2026-001",
    "invoice_numbers": "26442000000012345678",
    "inputs": {"eligible_cost": "300000.00"},
}


@dataclass
class Cast:
    users: dict[str, User | None]
    tokens: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str) -> User | None:
        return self.users[role]


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _draft(programme, owner, *, n: int, data: dict | None = None) -> Application:
    from applications.services import application_create, attachment_add

    data = dict(data or DRAFT)
    data["contract_numbers"] = f"HT-2026-{n:03d}"
    data["invoice_numbers"] = f"2644200000001234{n:04d}"
    app = application_create(actor=owner, programme=programme, data=data).application
    for material in programme.materials:
        attachment_add(
            actor=owner, application=app, material=material["code"], upload=_upload(f"{material['code']}.pdf")
        )
    app.refresh_from_db()
    return app


def _submitted(programme, owner, *, n: int, data: dict | None = None) -> Application:
    from applications.services import application_submit

    app = _draft(programme, owner, n=n, data=data)
    return application_submit(actor=owner, application=app, declaration=True)


def _maximum(app: Application) -> str:
    from reviews.selectors import decision_estimate

    return str(decision_estimate(app).amount)


def _code(n: int) -> str:
    from tests.factories import make_uscc

    return make_uscc(n + 9000)


def attachment_of(app: Application) -> Attachment:
    return app.attachments.filter(superseded_at__isnull=True).order_by("pk").first()
