"""OpenAPI schema shaping for generated clients (issue 15): one request media type per operation.

The API parses JSON, form and multipart bodies alike (the browsable API and the tests send forms), but
a client generated from a schema that offers every body three ways gets three competing signatures.
The schema therefore offers JSON, the default, and multipart only where a file is sent."""

from __future__ import annotations

JSON = "application/json"
MULTIPART = "multipart/form-data"


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[1], {})
    return schema


def sends_file(schema: dict, components: dict, _seen: frozenset = frozenset()) -> bool:
    """Whether a request schema holds a file (`format: binary`) anywhere, through references, arrays,
    nested objects and allOf/oneOf/anyOf."""
    ref = schema.get("$ref")
    if ref:
        if ref in _seen:
            return False
        return sends_file(_resolve(schema, components), components, _seen | {ref})
    if schema.get("format") == "binary":
        return True
    parts = [
        *schema.get("properties", {}).values(),
        *schema.get("allOf", []),
        *schema.get("oneOf", []),
        *schema.get("anyOf", []),
    ]
    if isinstance(schema.get("items"), dict):
        parts.append(schema["items"])
    return any(sends_file(part, components, _seen) for part in parts if isinstance(part, dict))


def one_request_media_type(result, generator, request, public):
    """drf-spectacular postprocessing hook: each request body is offered as multipart when its schema
    sends a file, else as JSON (when the operation parses JSON)."""
    components = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            content = (operation.get("requestBody") or {}).get("content") if isinstance(operation, dict) else None
            if not content or len(content) < 2 and (JSON in content or MULTIPART in content):
                continue
            with_file = any(sends_file(media.get("schema", {}), components) for media in content.values())
            keep = MULTIPART if with_file else JSON
            if keep not in content:
                # only form bodies parse here: a file needs multipart, anything else stays a form
                keep = MULTIPART if MULTIPART in content else next(iter(content))
            operation["requestBody"]["content"] = {keep: content[keep]}
    return result


def _drop_non_ascii_titles(node) -> None:
    if isinstance(node, dict):
        title = node.get("title")
        if isinstance(title, str) and not title.isascii():
            del node["title"]
        for value in node.values():
            _drop_non_ascii_titles(value)
    elif isinstance(node, list):
        for value in node:
            _drop_non_ascii_titles(value)


def client_names(result, generator, request, public):
    """drf-spectacular postprocessing hook: names a generated client can make identifiers of.
    A filter's enum parameter carries its model field's Chinese verbose name as `title`, which
    generators turn into class and module names (letters_list_状态.py): the Chinese stays in the
    description. An operation open to anyone without credentials (`security: [{}]`, the token
    endpoint) says it needs none (`[]`), so that clients do not ask for a token to obtain one."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _drop_non_ascii_titles(parameter.get("schema", {}))
            if operation.get("security") == [{}]:
                operation["security"] = []
    _drop_non_ascii_titles(result.get("components", {}).get("schemas", {}))
    return result
