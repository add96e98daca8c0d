"""How things are shown, one registry per app (issue 14 item 3): timeline event kinds (Font
Awesome icon + sentence written in the reader's language), the pages of the items events
are about, and the labels of changed fields.

Feature modules keep declaring through `carflow.timeline.register_event_kind`,
`register_item_endpoint` and `register_field_labels`, usually at import time. The app's
registry is built explicitly at app creation (`init_presentation`, from `create_app`) with
every declaration made so far; a declaration made later (a module imported lazily) reaches
the registries already built as well. Templates and views read the app's registry through
`presentation()`; `tests/test_presentation.py` checks that no declaration is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakSet

from flask import Flask, current_app

EXTENSION_KEY = "carflow.presentation"
TABLES = ("event_kinds", "item_endpoints", "field_labels")


@dataclass(frozen=True)
class EventKind:
    icon: str  # a Font Awesome 4 icon name, e.g. "fa-sticky-note"
    describe: Callable[[dict], str]


class Presentation:
    """The tables one app shows things with."""

    def __init__(self) -> None:
        self.event_kinds: dict[str, EventKind] = {}
        self.item_endpoints: dict[str, str] = {}  # ref_type → endpoint taking `id`
        self.field_labels: dict[str, object] = {}  # recorded field name → lazy label


_declared = Presentation()  # every declaration, in the order made
_built: WeakSet[Presentation] = WeakSet()  # the apps' registries


def declare(table: str, entries: dict) -> None:
    """Add `entries` to a table (one of TABLES): for apps created later, and for the
    registries already built."""
    if table not in TABLES:
        raise ValueError(f"unknown presentation table {table!r}")
    for registry in (_declared, *_built):
        getattr(registry, table).update(entries)


def init_presentation(app: Flask) -> Presentation:
    """Build this app's registry from the declarations (called once by `create_app`)."""
    registry = Presentation()
    for table in TABLES:
        getattr(registry, table).update(getattr(_declared, table))
    _built.add(registry)
    app.extensions[EXTENSION_KEY] = registry
    return registry


def presentation() -> Presentation:
    """The current app's registry."""
    return current_app.extensions[EXTENSION_KEY]
