"""Issue 13: rules the catalogs and the code keep — one meaning per msgid (else a context),
French typography and gender, no English in JavaScript, no hidden WTForms deprecation."""

from __future__ import annotations

import importlib
import pkgutil
import re
import warnings
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, pgettext
from wtforms import Form
from wtforms.fields.core import UnboundField

import carflow

ROOT = Path(__file__).resolve().parent.parent
NO_BREAK = ("\u00a0", "\u202f")


def _catalog(name: str):
    path = ROOT / "translations" / name
    with path.open("rb") as handle:
        return read_po(handle)


def _carflow_forms() -> list[type[Form]]:
    for module in pkgutil.walk_packages(carflow.__path__, "carflow."):
        importlib.import_module(module.name)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("carflow."):
            found.append(cls)
    return found


def _label_key(label) -> tuple[str | None, str] | None:
    """(context, msgid) of a lazy label; None for a plain string."""
    args = getattr(label, "_args", None)
    if not args:
        return None
    return (None, args[0]) if len(args) == 1 else (args[0], args[1])


def _form_labels() -> dict[tuple[str | None, str], set[str]]:
    """Every form field label (and Flask-Admin column label) → the field names it labels."""
    uses = defaultdict(set)
    for form in _carflow_forms():
        for klass in form.__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, UnboundField):
                    label = value.args[0] if value.args else value.kwargs.get("label")
                    if (key := _label_key(label)) is not None:
                        uses[key].add(name)
    from carflow.admin.stock import StockView

    for name, label in StockView.column_labels.items():
        uses[_label_key(label)].add(name.split(".")[0])
    return uses


def _meaning(field_name: str) -> str:
    """`contact_kind` and `kind`, `branch_id` and `branch`, `version_name` and `version`
    name the same thing."""
    return re.sub(r"_(id|name)$", "", field_name).split("_")[-1]


def test_one_label_never_names_two_different_fields_without_a_context():
    """ "Title" labelled both the document or task title and the salutation, so one
    translation ("Civilité") served both. A label shared by fields of different names
    (last word of the name: `contact_kind` and `kind` agree) needs a msgctxt."""
    clashes = {
        msgid: sorted(names)
        for (context, msgid), names in _form_labels().items()
        if context is None and len({_meaning(n) for n in names}) > 1
    }
    assert clashes == {}
    labels = _form_labels()
    assert labels[("salutation", "Title")] == {"salutation"}
    assert {"title"} <= labels[("task", "Title")] | labels[("document", "Title")]


AMBIGUOUS = ("Title", "Open", "Done")


def test_known_ambiguous_words_only_exist_with_a_context():
    template = _catalog("messages.pot")
    for message in template:
        if message.id in AMBIGUOUS:
            assert message.context, f"msgid {message.id!r} needs a msgctxt"
    contexts = {(m.context, m.id) for m in template if m.id in AMBIGUOUS}
    assert {("salutation", "Title"), ("task", "Title"), ("document", "Title")} <= contexts


@pytest.mark.parametrize(
    ("language", "context", "expected"),
    [
        ("fr", "salutation", "Civilité"),
        ("fr", "task", "Titre"),
        ("fr", "document", "Titre"),
        ("nl", "salutation", "Aanspreking"),
        ("nl", "task", "Titel"),
        ("nl", "document", "Titel"),
    ],
)
def test_title_is_translated_per_meaning(app, language, context, expected):
    with app.test_request_context(), force_locale(language):
        assert pgettext(context, "Title") == expected


def test_task_form_and_contact_form_show_their_own_title(client, login_as):
    from carflow.extensions import db
    from tests.factories import make_lead

    user = login_as("salesperson", language="fr")
    lead = make_lead(owner=user)
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}?tab=contacts").get_data(as_text=True)
    assert "Civilité" in page
    task_form = client.get(f"/admin/task/new/{lead.id}")
    assert task_form.status_code == 200
    text = task_form.get_data(as_text=True)
    assert ">Titre<" in text.replace("\n", "") or "Titre</label>" in text
    assert "Civilité" not in text


# A ":" ";" "!" "?" used as punctuation: followed by a space, the end or a closing quote
# (not "09:00", "https://", "?q=").
PUNCTUATION = re.compile(r"(.?)([:;!?])(?=\s|$|»|”|\")")


def _french_strings():
    for message in _catalog("fr/LC_MESSAGES/messages.po"):
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else message.string
        for text in strings:
            yield message.id, text


def test_french_has_a_no_break_space_before_colon_semicolon_and_marks():
    bad = []
    for msgid, text in _french_strings():
        for match in PUNCTUATION.finditer(text):
            if match.group(1) not in NO_BREAK:
                bad.append((msgid, text))
        if re.search(r" [:;!?]", text):
            bad.append((msgid, text))
    assert bad == []
    checked = [t for _m, t in _french_strings() if PUNCTUATION.search(t)]
    assert len(checked) > 30  # the rule is applied to real strings


def test_french_filter_words_agree_with_what_they_qualify():
    """Task filters and badges qualify "une tâche"; a lead's "Closed" qualifies "un lead"."""
    french = {(m.context, m.id): m.string for m in _catalog("fr/LC_MESSAGES/messages.po")}
    assert french[("task", "Open")] == "Ouverte"
    assert french[("task", "Done")] == "Terminée"
    assert french[("task", "All")] == "Toutes"
    assert french[(None, "Completed")] == "Terminée"  # the task page's badge
    assert french[(None, "Closed")] == "Clôturé"  # the lead header
    templates = ROOT / "templates" / "admin" / "tasks"
    filters = (templates / "_filters.html").read_text()
    assert "pgettext('task', 'Open')" in filters and "pgettext('task', 'Done')" in filters


def test_task_filter_reads_feminine_in_french(client, login_as):
    login_as("sales_manager", language="fr")
    response = client.get("/admin/tasks/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">Ouverte<" in page and ">Terminée<" in page
    assert ">Terminé<" not in page


# JavaScript: every text a user sees comes from the page (data- attributes or JSON).
JS_LITERAL = re.compile(r"""(["'`])((?:\\.|(?!\1).)*)\1""")
# Lines writing text or attributes a user sees (or a fallback for them).
JS_SINK = re.compile(
    r"textContent|innerText|innerHTML|\.title\b|setAttribute\(\s*[\"'](title|aria-label|"
    r"placeholder|alt)|alert\(|confirm\(|prompt\(|\|\|"
)
JS_ALLOWED = {"", " ", " · ", "—", ",,,", "{title}", "{t}", "{}", "en", "local"}


def _js_literals():
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("//")[0] if "://" not in line else line
            for match in JS_LITERAL.finditer(code):
                yield path.name, number, code, match.group(2)


def _looks_like_text(literal: str) -> bool:
    """Words a user would read: starts with a space or bracket and a word, or is a
    sentence ("No vehicle found", " (overdue)")."""
    return bool(
        re.match(r"^[\s(]+[A-Za-z]{2}", literal)
        or re.search(r"[A-Z][a-z]+ [a-z]+", literal)
        or re.search(r"[a-z]{2,}[.!?…]$", literal)
    )


def test_javascript_has_no_english_text_for_users():
    found = []
    for name, number, code, literal in _js_literals():
        if literal in JS_ALLOWED:
            continue
        on_sink = JS_SINK.search(code) and re.search(r"[A-Za-z]{2}", literal)
        if _looks_like_text(literal) or (on_sink and not _is_code(literal)):
            found.append(f"{name}:{number}: {literal!r}")
    assert found == []


def _is_code(literal: str) -> bool:
    """Selectors, attribute and class names, events, HTTP words."""
    return bool(re.fullmatch(r"[\w\-.#\[\]=:,>*\"\\ ()]+", literal)) and " " not in literal


def test_the_javascript_check_catches_the_old_overdue_suffix():
    assert _looks_like_text(" (overdue)")
    assert _looks_like_text("No vehicle found.")
    assert not _looks_like_text("list-group-item list-group-item-action contact-result")
    assert not _looks_like_text("select, textarea, input:not([type=hidden])")


def test_agenda_passes_the_overdue_wording_through_the_page(client, login_as):
    login_as("sales_manager", language="nl")
    response = client.get("/admin/tasks/agenda")
    assert response.status_code == 200
    assert 'data-label-overdue="{title} (overschreden)"' in response.get_data(as_text=True)
    script = (ROOT / "static" / "js" / "tasks_agenda.js").read_text()
    assert "data-label-overdue" in script and "(overdue)" not in script


def test_no_form_of_ours_passes_wtforms_deprecated_choices(app):
    """WTForms reports tuple choices as raised in wtforms itself, where pyproject.toml's
    module filter would hide them: build every form of ours and see none."""
    forms = _carflow_forms()
    assert len(forms) > 15
    with app.test_request_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for form in forms:
            form(meta={"csrf": False})
    deprecations = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecations == []


def test_pyproject_makes_tuple_choices_an_error():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"error:Passing SelectField choices:DeprecationWarning"' in text
    lines = [line.strip() for line in text.splitlines()]
    assert lines.index('"error:Passing SelectField choices:DeprecationWarning",') > lines.index(
        '"ignore::DeprecationWarning:wtforms.*",'
    )
