"""API plumbing shared by every app: pagination and errors in the user's language."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, pagination, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from .pagination import IdFirstPaginator


class DefaultPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdFirstPagination(DefaultPagination):
    """DefaultPagination's pages of a long list ordered by an index (the review queue): the page's
    ids first, then its rows, and the count shared for a few seconds (portal.pagination)."""

    rows = None  # as IdFirstPaginator's: what a page's queryset is read as (e.g. a view's .values())

    def django_paginator_class(self, queryset, page_size):
        return IdFirstPaginator(queryset, page_size, rows=self.rows)


class KeysetPagination(pagination.CursorPagination):
    """Keyset (cursor) pages, newest first, for lists that grow without bound: every page is one
    range of an index on (created_at, id) — page 2,000 costs what page 1 costs — and nothing counts
    the whole table. The answer is {"next", "previous", "results"}; follow `next` (an opaque
    `cursor`) to the end. `page_size` up to 200 (default 50)."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self._position_field = queryset.model._meta.get_field(self.ordering[0].lstrip("-"))
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor whose position is not a value of the ordering field (made up or damaged) is a 404
        like any other invalid cursor, never a database error."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                self._position_field.to_python(cursor.position)
            except DjangoValidationError:
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return cursor


MAX_ID = 2**63 - 1  # primary keys are bigints: a larger number is refused as input (400), not a crash


def id_field(**kwargs):
    """An object id as API input: a positive integer that fits a primary key."""

    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def paginated(serializer_class):
    """The schema of a page of DefaultPagination around `serializer_class`, for views that paginate
    by hand (drf-spectacular sees the pagination of generic views only)."""

    return inline_serializer(
        name=f"Paginated{serializer_class.__name__.removesuffix('Serializer')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def validation_error_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Django's ValidationError and PermissionDenied raised by services become 400 and 403 with the
    services' messages, field by field."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------- OpenAPI: the error answers

ERROR_RESPONSES = {
    "400": "输入有误：各字段的错误信息 (invalid input: messages by field)",
    "401": "未登录或令牌无效 (not authenticated)",
    "403": "无权进行此操作 (not allowed for this user)",
    "404": "对象不存在或不属于您 (not found, or not yours)",
    "429": "请求过于频繁 (throttled)",
    "503": "服务暂时不可用，请稍后重试 (temporarily unavailable)",
}


def schema_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error answers every operation can give
    (the body is {"detail": "…"}, or field → messages for 400), so that clients and the schema
    fuzzing know them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ErrorDetail",
        {
            "type": "object",
            "description": "错误说明 (an error message)",
            "additionalProperties": True,
            "properties": {"detail": {"type": "string"}},
        },
    )
    schemas.setdefault(
        "ValidationErrors",
        {"type": "object", "description": "字段 → 错误信息列表 (field → messages)", "additionalProperties": True},
    )
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if method in ("post", "put", "patch"):
                errors["415"] = "不支持的请求格式 (unsupported media type)"
            for code, text in errors.items():
                ref = "ValidationErrors" if code == "400" else "ErrorDetail"
                responses.setdefault(
                    code,
                    {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
                    },
                )
    return result
