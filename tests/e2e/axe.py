"""Accessibility checks with axe-core (npm devDependency) in the page under test.

axe's source is evaluated through Playwright (not a <script> tag, which the CSP would
refuse); the results of each page are stored as JSON next to the screenshots.
"""

from __future__ import annotations

import json
from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page, name: str, output: Path) -> list[dict]:
    """Run axe (WCAG 2.1 A and AA rules) on the page as it is now; store the results as
    `output/axe-<name>.json`; return the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    output.mkdir(exist_ok=True)
    (output / f"axe-{name}.json").write_text(
        json.dumps(
            {"url": page.url, "violations": results["violations"]},
            indent=1,
            ensure_ascii=False,
        )
    )
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']}")
    return "\n".join(lines)
