"""Read the rules file (ALERT_RULES_FILE) and validate every rule in it, or say which is bad."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from alerter.rules import Rule

_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


class RuleFileError(ValueError):
    """A rules file that cannot be used: `rule` and `field` say where, `reason` what."""

    def __init__(self, rule: str, field: str, reason: str) -> None:
        super().__init__(f"rule {rule}, field {field}: {reason}")
        self.rule = rule
        self.field = field
        self.reason = reason


def load_rules(path: Path) -> tuple[Rule, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleFileError("-", "file", f"cannot read {path}: {error.strerror}") from None
    return parse_rules(text)


def parse_rules(text: str) -> tuple[Rule, ...]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RuleFileError("-", "file", f"not valid YAML: {error}") from None
    if document is None:
        return ()
    if not isinstance(document, dict) or set(document) != {"rules"}:
        raise RuleFileError("-", "file", "must be a mapping with one key, rules")
    entries = document["rules"] or []
    if not isinstance(entries, list):
        raise RuleFileError("-", "rules", "must be a list of rules")
    rules = tuple(_parse_rule(entry, position) for position, entry in enumerate(entries, 1))
    _check_unique_names(rules)
    return rules


def _parse_rule(entry: Any, position: int) -> Rule:
    name = entry.get("name") if isinstance(entry, dict) else None
    label = name if isinstance(name, str) and name else f"#{position}"
    try:
        return _RULE.validate_python(entry)
    except ValidationError as error:
        first = error.errors()[0]
        raise RuleFileError(label, _field_of(first["loc"]), first["msg"]) from None


def _field_of(location: Sequence[int | str]) -> str:
    # Pydantic puts the union's tag ("price_move") first; the user knows only the field.
    # An error with no location is about the tag itself; one with the tag alone, about
    # how the rule's fields go together.
    if not location:
        return "kind"
    return ".".join(str(part) for part in location[1:]) or "(rule)"


def _check_unique_names(rules: Sequence[Rule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise RuleFileError(rule.name, "name", "is used by more than one rule")
        seen.add(rule.name)
