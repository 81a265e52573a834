"""Read docker-compose.yml the way Docker Compose does, for running its services without Docker.

Supports what our compose file uses: `${VAR}`, `${VAR:-default}`, `${VAR-default}` and
`$$` interpolation, YAML anchors and merge keys, exec-form commands, mapping-style
environments, and healthchecks from the compose file or from the image that the
service's build makes (devstack/dockerfile.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devstack.dockerfile import image_healthcheck

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*)|(?P<invalid>))"
)


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"unsupported interpolation in {text!r}")
        name = match["braced"] or match["bare"]
        value = variables.get(name)
        if match["op"] == ":-" and not value:
            return interpolate(match["default"], variables)
        if match["op"] == "-" and value is None:
            return interpolate(match["default"], variables)
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _interpolate_tree(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    return node


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: list[str]
    environment: dict[str, str]
    depends_on: list[str]
    healthcheck: list[str] | None
    dockerfile: Path | None


def _healthcheck_argv(test: list[str] | str) -> list[str]:
    if isinstance(test, str):
        return ["/bin/sh", "-c", test]
    kind, *rest = test
    return ["/bin/sh", "-c", rest[0]] if kind == "CMD-SHELL" else rest


def load_compose(path: Path, variables: Mapping[str, str]) -> dict[str, ServiceSpec]:
    document = _interpolate_tree(yaml.safe_load(path.read_text()), variables)
    specs: dict[str, ServiceSpec] = {}
    for name, service in document["services"].items():
        environment = service.get("environment") or {}
        if not isinstance(environment, dict):
            raise TypeError(f"service {name}: use a mapping for `environment`")
        build = service.get("build")
        dockerfile = None
        test = (service.get("healthcheck") or {}).get("test")
        healthcheck = _healthcheck_argv(test) if test else None
        if isinstance(build, dict):
            dockerfile = (
                path.parent / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
            )
            args = build.get("args") or {}
            if not isinstance(args, dict):
                raise TypeError(f"service {name}: use a mapping for `build.args`")
            healthcheck = healthcheck or image_healthcheck(dockerfile, args)
        command = service.get("command") or []
        specs[name] = ServiceSpec(
            name=name,
            command=command if isinstance(command, list) else [command],
            environment={key: "" if v is None else str(v) for key, v in environment.items()},
            depends_on=list(service.get("depends_on") or []),
            healthcheck=healthcheck,
            dockerfile=dockerfile,
        )
    return specs
