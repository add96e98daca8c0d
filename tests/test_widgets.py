"""Issue 8: the fast widgets write exactly the HTML of WTForms' own widgets."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.meta import DefaultMeta

from carflow.admin import lead_action_forms as f
from carflow.admin.widgets import fast_html_params

TRICKY = "Line 1\n<b>\"quoted\"</b> & 'apostrophe'"


def _forms():
    assign = f.AssignForm(formdata=None, version=3)
    assign.assignee.choices = {
        "Users": [("user:1", "Jan <Peeters>"), ("user:2", 'Anne "A" Maes')],
        "Branch queues": [("branch:1", "Ghent & co queue")],
    }
    assign.assignee.data = "user:2"
    status = f.StatusForm(formdata=None, version=4, status="lost")
    status.lost_reason.choices = [("", "—"), ("1", "Price <too high>"), ("other", "Other")]
    status.lost_reason.data = "1"
    status.lost_reason_text.data = TRICKY
    note = f.NoteForm(formdata=MultiDict({"note": ""}))
    note.validate()  # errors → no change to the widget, but flags and data are set
    contact = f.ContactForm(
        formdata=None,
        data={"kind": "person", "last_name": TRICKY, "language": "fr", "vat_percentage": 21},
    )
    return [
        note,
        assign,
        status,
        f.CommentForm(formdata=None, version=1, comment=TRICKY),
        contact,
        f.NewContactForm(formdata=None),
        f.LinkContactForm(formdata=None),
    ]


@pytest.mark.parametrize("extra", [{}, {"id": "m-x", "class_": "form-control is-invalid"}])
def test_fast_widgets_write_wtforms_html(app, extra):
    with app.test_request_context():
        checked = 0
        for form in _forms():
            for field in form:
                if field.type == "CSRFTokenField":
                    continue
                stock = DefaultMeta().render_field(field, dict(extra))
                assert str(field(**extra)) == str(stock), field.name
                checked += 1
        assert checked > 25


def test_the_lead_page_forms_use_the_fast_widgets(app, monkeypatch):
    def refuse(self, field, **kwargs):
        raise AssertionError("stock widget used")

    for name in ("Select", "TextArea", "HiddenInput", "TextInput"):
        monkeypatch.setattr(f"wtforms.widgets.{name}.__call__", refuse)
    with app.test_request_context():
        for form in _forms()[:4]:
            for field in form:
                if field.type != "CSRFTokenField":
                    field()


def test_fast_html_params_escapes_like_wtforms():
    from wtforms.widgets import html_params

    values = {"value": TRICKY, "data_x": "a", "required": True, "readonly": False, "n": 5}
    assert fast_html_params(**values) == str(html_params(**values))
