"""Every user-facing string has a French and a Dutch translation (pleasant in fr and nl)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("carflow/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the code and templates translate."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return {m for m in found if m[1]}


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_catalog_translates_every_string_with_the_same_placeholders(language):
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = {
            (m.context, m.id if isinstance(m.id, str) else m.id[0]): m
            for m in read_po(handle)
            if m.id
        }
    missing = sorted(m for m in _source_messages() if m not in catalog or not catalog[m].string)
    assert missing == [], f"run `bash scripts/i18n.sh update` and translate: {missing[:20]}"
    for (_context, msgid), message in catalog.items():
        text = message.string if isinstance(message.string, str) else message.string[0]
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), msgid
