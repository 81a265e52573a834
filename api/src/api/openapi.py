"""Put what the configuration decides (the sources, the largest page) into the OpenAPI docs."""

from __future__ import annotations

from typing import Any

from api.settings import ApiSettings


def _integer_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The integer branch of `int | None` (an anyOf), or the schema itself."""
    return next((s for s in schema.get("anyOf", []) if s.get("type") == "integer"), schema)


def document_settings(openapi: dict[str, Any], settings: ApiSettings) -> None:
    for path in openapi["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                if parameter["name"] == "source":
                    parameter["schema"]["enum"] = list(settings.source_names)
                elif parameter["name"] == "limit":
                    _integer_schema(parameter["schema"])["maximum"] = settings.max_limit
