"""Names for admin inputs that Django 5.2 leaves without one (axe's `label` and `select-name`).

A tabular inline shows a field's label once, as its column header, so the inputs in its rows
have no <label>; and the date/time pair of a DateTimeField sits after loose "Date:" and "Time:"
text (Django 6.0 gives it real labels). Used by the project's copies of the admin's
edit_inline/tabular.html and includes/fieldset.html.
"""

import copy

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def in_column(field: BoundField, header: str) -> SafeString:
    """A field in a row of a tabular inline, named by its column header."""
    widget = field.field.widget
    inner = getattr(widget, "widget", widget)  # inside the admin's related-object links
    if widget.is_hidden or isinstance(inner, forms.RadioSelect):
        # Hidden inputs need no name; each radio or checkbox option has its own <label>.
        return _render(field)
    if isinstance(widget, forms.MultiWidget):
        return _with_named_parts(field, capfirst(header))
    return _render(field, attrs={"aria-label": capfirst(header)})


@register.filter
def parts_named(field: BoundField) -> SafeString:
    """A field beside its own <label>: only the inputs of a date/time pair need names (the
    label cannot point at two inputs)."""
    if isinstance(field.field.widget, forms.MultiWidget) and not field.field.widget.is_hidden:
        return _with_named_parts(field, capfirst(field.label))
    return _render(field)


def _with_named_parts(field: BoundField, name: str) -> SafeString:
    widget = copy.deepcopy(field.field.widget)
    if isinstance(widget, forms.SplitDateTimeWidget):
        parts = [_("date"), _("time")]
    else:
        parts = [str(n) for n in range(1, len(widget.widgets) + 1)]
    for part, subwidget in zip(parts, widget.widgets, strict=True):
        subwidget.attrs["aria-label"] = f"{name}: {part}"
    return _render(field, widget=widget)


def _render(field: BoundField, **kwargs) -> SafeString:
    # As str(field) renders it, hidden initial value included.
    html = field.as_widget(**kwargs)
    if field.field.show_hidden_initial:
        html += field.as_hidden(only_initial=True)
    return html
