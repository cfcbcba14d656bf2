"""Serializers of 快申快享's API: the document library, the pre-filled start, the payment-promise watch."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.models import Application

from .models_library import LibraryDocument, LibraryMaterial


class LibraryDocumentSerializer(serializers.ModelSerializer):
    material_label = serializers.CharField(source="get_material_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LibraryDocument
        fields = [
            "id",
            "material",
            "material_label",
            "year",
            "valid_until",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, doc) -> str:
        return reverse("api-library-document-download", args=[doc.pk])


class LibraryUploadSerializer(serializers.Serializer):
    material = serializers.ChoiceField(choices=LibraryMaterial.choices)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=9999)
    valid_until = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField()


class LibraryReuseSerializer(serializers.Serializer):
    document = serializers.IntegerField(help_text="a current file of the enterprise's library")


class PrefillSerializer(serializers.Serializer):
    input = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text="as the application's input takes it")
    display = serializers.CharField()
    department = serializers.CharField()
    department_label = serializers.CharField()
    source = serializers.CharField()
    period = serializers.CharField()
    fact_import = serializers.IntegerField(allow_null=True)
    file_name = serializers.CharField()


class QuickStartSerializer(serializers.Serializer):
    inputs = serializers.DictField(
        required=False, help_text="values the enterprise gives itself (they win over the facts; no source kept)"
    )


class QuickStartResultSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    reference = serializers.CharField()
    input_sources = serializers.JSONField()
    errors = serializers.DictField(child=serializers.CharField(), help_text=_("预填值未通过校验的数据项"))


class PaymentPromiseSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True)
    programme_name = serializers.CharField(source="programme.name_zh", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    workdays_left = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "enterprise",
            "enterprise_name",
            "programme",
            "programme_name",
            "route",
            "state",
            "state_label",
            "submitted_at",
            "payment_promised_on",
            "workdays_left",
        ]
        read_only_fields = fields

    def get_workdays_left(self, app) -> int:
        """Working days from today to the promise (negative: past it)."""
        return int(self.context["workdays_left"][app.pk])
