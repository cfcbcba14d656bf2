"""The schema's shape for generated clients (portal/schema.py), read from /api/schema/ without
generating anything: one request media type per operation, multipart exactly where a file is sent;
ASCII title, tags and parameter titles; the token endpoint needs no credentials."""

from __future__ import annotations

import pytest

from portal.schema import sends_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_for):
    return api_for(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_json_by_default_multipart_where_a_file_is_sent(schema):
    components = schema["components"]["schemas"]
    seen = set()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            content = (op.get("requestBody") or {}).get("content")
            if not content:
                continue
            (media,) = content  # exactly one
            with_file = sends_file(content[media]["schema"], components)
            assert media == ("multipart/form-data" if with_file else "application/json"), (method, path, media)
            seen.add(media)
    assert seen == {"application/json", "multipart/form-data"}
    assert list(schema["paths"]["/api/v1/applications/{id}/attachments/"]["post"]["requestBody"]["content"]) == [
        "multipart/form-data"
    ]
    assert list(schema["paths"]["/api/v1/applications/{id}/submit/"]["post"]["requestBody"]["content"]) == [
        "application/json"
    ]


def test_names_a_generator_can_use(schema):
    assert schema["info"]["title"].isascii()
    assert all(tag["name"].isascii() and tag["description"] for tag in schema["tags"])
    for item in schema["paths"].values():
        for op in item.values():
            assert all(tag.isascii() for tag in op.get("tags", [])), op["operationId"]
            for parameter in op.get("parameters", []):
                assert str(parameter["schema"].get("title", "")).isascii(), (op["operationId"], parameter["name"])
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["security"] == []


def test_sends_file_follows_references_arrays_and_nesting():
    components = {
        "Upload": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
        "Many": {
            "type": "object",
            "properties": {"evidence": {"type": "array", "items": {"type": "string", "format": "binary"}}},
        },
        "Loop": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/Loop"}}},
        "Plain": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    assert sends_file({"$ref": "#/components/schemas/Upload"}, components)
    assert sends_file({"$ref": "#/components/schemas/Many"}, components)
    assert sends_file(
        {"allOf": [{"$ref": "#/components/schemas/Plain"}, {"$ref": "#/components/schemas/Upload"}]}, components
    )
    assert not sends_file({"$ref": "#/components/schemas/Plain"}, components)
    assert not sends_file({"$ref": "#/components/schemas/Loop"}, components)
