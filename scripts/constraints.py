"""Write constraints.txt: every package the runtime requirements pull in, pinned to the
version installed in .venv (issue 12).

    .venv/bin/python scripts/constraints.py

Reads the "# Runtime" section of requirements.txt (up to "# Tests and tooling"), follows
each package's dependencies (with the extras asked for, on this Python and platform) and
pins what is installed. Test tools are left out unless the runtime needs them.
`scripts/install.sh` installs with `-c constraints.txt`, so Werkzeug, Jinja2, Pillow …
are the versions the suite ran with. Run it again after changing requirements.txt.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def runtime_requirements() -> list[Requirement]:
    section, wanted = None, []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line.startswith("#"):
            section = "runtime" if "runtime" in line.lower() else "other"
            continue
        if line and section == "runtime":
            wanted.append(Requirement(line))
    return wanted


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: list[Requirement]) -> dict[str, str]:
    """{canonical name: installed version} of the roots and everything they require."""
    pinned: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in roots]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        requirement, extras = todo.pop()
        key = (_canonical(requirement.name), extras)
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(requirement.name)
        pinned[_canonical(dist.metadata["Name"])] = dist.version
        for text in dist.requires or []:
            dep = Requirement(text)
            environments = [{"extra": e} for e in extras] or [{"extra": ""}]
            if dep.marker is None or any(dep.marker.evaluate(env) for env in environments):
                todo.append((dep, frozenset(dep.extras)))
    return pinned


def main() -> None:
    pins = closure(runtime_requirements())
    lines = [
        "# Every runtime package, direct and transitive, pinned (scripts/constraints.py).",
        "# Installed with: pip install -r requirements.txt -c constraints.txt",
    ]
    lines += [f"{name}=={version}" for name, version in sorted(pins.items())]
    (ROOT / "constraints.txt").write_text("\n".join(lines) + "\n")
    print(f"constraints.txt: {len(pins)} packages")


if __name__ == "__main__":
    main()
