"""Read a multi-stage Dockerfile the way a build resolves it, for what an image keeps of it.

One Dockerfile builds every service: its SERVICE build argument names the stage that is
the image. A stage built FROM another stage keeps what that one set, so an image's
healthcheck, user or command is the last one set along the chain of stages from its own
down to the base image. Supports what our Dockerfile uses: global ARGs with or without
defaults, `${VAR}` in FROM, `FROM image [AS name]`, continuation lines, comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_EXEC_FORM_CMD = re.compile(r"(?:^|\s)CMD\s+(\[.*\])\s*$")


@dataclass
class Stage:
    name: str | None
    base: str  # the image or stage it is built FROM, build arguments substituted
    parent: Stage | None  # the earlier stage that `base` names, if it names one
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (KEYWORD, arguments)

    def last(self, keyword: str) -> str | None:
        found = [arguments for name, arguments in self.instructions if name == keyword]
        return found[-1] if found else None


def read_stages(dockerfile: Path, build_args: Mapping[str, str]) -> list[Stage]:
    text = dockerfile.read_text().replace("\\\n", " ")
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    named: dict[str, Stage] = {}
    for line in text.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if not keyword or keyword.startswith("#"):
            continue
        if keyword == "FROM":
            resolved = _VARIABLE.sub(lambda m: arguments.get(m[1] or m[2], ""), rest)
            words = [word for word in resolved.split() if not word.startswith("--")]
            name = words[2].lower() if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(name, words[0].lower(), named.get(words[0].lower())))
            if name:
                named[name] = stages[-1]
        elif stages:
            stages[-1].instructions.append((keyword, rest))
        elif keyword == "ARG":  # before the first FROM: usable in FROM lines
            name, _, default = rest.partition("=")
            arguments[name] = build_args.get(name, default)
    return stages


def image_stages(
    dockerfile: Path, build_args: Mapping[str, str], target: str | None = None
) -> list[Stage]:
    """The stages that make the image of `target` (the last stage if None): that stage,
    the stage it is built FROM, and so on down to the one built FROM an image."""
    stages = read_stages(dockerfile, build_args)
    chain = [next(s for s in stages if s.name == target) if target else stages[-1]]
    while (parent := chain[-1].parent) is not None:
        chain.append(parent)
    return chain


def image_setting(chain: list[Stage], keyword: str) -> str | None:
    """The arguments of the last `keyword` (HEALTHCHECK, USER, CMD) that the image keeps."""
    return next((a for s in chain if (a := s.last(keyword)) is not None), None)


def image_healthcheck(dockerfile: Path, build_args: Mapping[str, str]) -> list[str] | None:
    """The image's exec-form `HEALTHCHECK ... CMD [...]`, as argv; None without one."""
    arguments = image_setting(image_stages(dockerfile, build_args), "HEALTHCHECK")
    match = _EXEC_FORM_CMD.search(arguments or "")
    if match is None:
        return None
    argv: list[str] = json.loads(match[1])
    return argv
