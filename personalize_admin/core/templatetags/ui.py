"""The component set used by every page: tags, icons, modals, menus, empty states.

Loaded as a template builtin, so templates use these without ``{% load %}``.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Status tags: one look per status across the app (experiences, versions, audiences).
TAG_TONES = {
    "ACTIVE": "success",
    "PAUSED": "warning",
    "DRAFT": "neutral",
    "ARCHIVED": "muted",
    "SEGMENTED": "info",
    "AB_TEST": "accent",
    "OWNER": "accent",
    "MEMBER": "neutral",
    "PRESET": "muted",
    "CUSTOM": "info",
}

ICONS = {
    "ellipsis": '<circle cx="12" cy="5" r="1.8"/><circle cx="12" cy="12" r="1.8"/><circle cx="12" cy="19" r="1.8"/>',
    "copy": '<rect x="9" y="9" width="11" height="11" rx="2" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M5 15V5a2 2 0 0 1 2-2h8" fill="none" stroke="currentColor" stroke-width="2"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "plus": '<path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "search": '<circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M20 20l-4-4" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "user": '<circle cx="12" cy="8" r="4" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M4 21c0-4 4-6 8-6s8 2 8 6" fill="none" stroke="currentColor" stroke-width="2"/>',
    "grip": '<circle cx="9" cy="6" r="1.5"/><circle cx="15" cy="6" r="1.5"/><circle cx="9" cy="12" r="1.5"/>'
    '<circle cx="15" cy="12" r="1.5"/><circle cx="9" cy="18" r="1.5"/><circle cx="15" cy="18" r="1.5"/>',
    "up": '<path d="M6 15l6-6 6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "down": '<path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "trash": '<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linejoin="round"/>',
    "check": '<path d="M5 12l5 5 9-10" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "warning": '<path d="M12 3l10 18H2z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>'
    '<path d="M12 10v5M12 18v.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "info": '<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/>'
    '<path d="M12 11v6M12 7.5v.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
    "folder": '<path d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>',
}


@register.simple_tag
def icon(name, label=""):
    """An inline SVG icon; decorative unless ``label`` is given."""
    paths = ICONS[name]
    if label:
        return format_html(
            '<svg class="icon" viewBox="0 0 24 24" fill="currentColor" role="img" aria-label="{}">{}</svg>',
            label,
            mark_safe(paths),
        )
    return format_html(
        '<svg class="icon" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">{}</svg>',
        mark_safe(paths),
    )


@register.simple_tag
def status_tag(value, label=None):
    """A coloured tag whose text says the status, so colour is never the only cue."""
    value = str(value)
    tone = TAG_TONES.get(value, "neutral")
    text = label or value.replace("_", " ").title()
    if value == "AB_TEST" and label is None:
        text = "A/B Test"
    return format_html('<span class="tag tag--{}">{}</span>', tone, text)


@register.simple_tag
def copy_button(value, label):
    """A button that copies ``value``; ``label`` is its accessible name."""
    return format_html(
        '<button type="button" class="btn btn--icon btn--ghost" data-copy="{}" aria-label="{}" title="{}">{}</button>',
        value,
        label,
        label,
        icon("copy"),
    )


@register.filter
def dash(value):
    """Empty cells show "-"."""
    if value is None or value == "" or value == []:
        return "-"
    return value


class ModalNode(template.Node):
    def __init__(self, nodelist, dialog_id, title, size):
        self.nodelist = nodelist
        self.dialog_id = dialog_id
        self.title = title
        self.size = size

    def render(self, context):
        dialog_id = self.dialog_id.resolve(context)
        title = self.title.resolve(context)
        size = self.size.resolve(context) if self.size else ""
        body = self.nodelist.render(context)
        return render_to_string(
            "components/modal.html",
            {"dialog_id": dialog_id, "title": title, "body": body, "size": size},
        )


@register.tag
def modal(parser, token):
    """``{% modal "dialog-id" "Title" [size] %}…{% endmodal %}``: a ``<dialog>`` with a
    heading that names it and a close button. Open it with a button carrying
    ``data-open-dialog="dialog-id"``."""
    bits = token.split_contents()
    if len(bits) not in (3, 4):
        raise template.TemplateSyntaxError('Usage: {% modal "id" "Title" ["wide"] %}')
    nodelist = parser.parse(("endmodal",))
    parser.delete_first_token()
    size = parser.compile_filter(bits[3]) if len(bits) == 4 else None
    return ModalNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), size)


class ActionsMenuNode(template.Node):
    def __init__(self, nodelist, label):
        self.nodelist = nodelist
        self.label = label

    def render(self, context):
        label = self.label.resolve(context) if self.label else "Actions"
        return render_to_string(
            "components/actions_menu.html", {"label": label, "items": self.nodelist.render(context)}
        )


@register.tag
def actions_menu(parser, token):
    """``{% actions_menu ["Actions"] %}<a role="menuitem" …>Edit</a>…{% endactions_menu %}``:
    the vertical-ellipsis button named "Actions" and its keyboard-navigable menu."""
    bits = token.split_contents()
    nodelist = parser.parse(("endactions_menu",))
    parser.delete_first_token()
    label = parser.compile_filter(bits[1]) if len(bits) > 1 else None
    return ActionsMenuNode(nodelist, label)


@register.inclusion_tag("components/empty_state.html")
def empty_state(title, text="", action_label="", action_dialog="", action_url=""):
    return {
        "title": title,
        "text": text,
        "action_label": action_label,
        "action_dialog": action_dialog,
        "action_url": action_url,
    }


@register.inclusion_tag("components/field.html")
def field(bound_field, help_text=None, autofocus=False):
    """A labelled form field with its help text and errors tied to it for screen readers."""
    help_text = help_text or bound_field.help_text
    described_by = []
    if help_text:
        described_by.append(f"{bound_field.auto_id}-help")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-errors")
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if autofocus:
        attrs["autofocus"] = True
    return {
        "field": bound_field,
        "help_text": help_text,
        "widget": bound_field.as_widget(attrs=attrs),
        "is_checkbox": bound_field.widget_type == "checkbox",
    }


@register.filter
def add_attrs(bound_field, attrs):
    """Render a bound field's widget with extra attributes (``"key=value;key2=value2"``)."""
    extra = {}
    for pair in attrs.split(";"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        extra[key.strip()] = value.strip() if value else True
    return bound_field.as_widget(attrs=extra)


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context, page, target="", noun="items", path=""):
    """Page navigation under a list: Previous/Next, page numbers and "Showing 1–50 of 1,000".

    Links keep the request's other query parameters (search, filters) and, given
    ``target`` (the table fragment that includes this component), swap it with
    htmx; otherwise they load the page. ``path`` is the list's URL when the
    request is another (an edit modal rendered over the list).
    """
    request = context["request"]
    path = path or request.path
    paginator = page.paginator

    def url(number):
        params = request.GET.copy()
        for key in [key for key, values in params.lists() if not any(values)]:
            del params[key]  # empty filters (status=&type=) only lengthen the link
        params["page"] = number
        return f"{path}?{params.urlencode()}"

    numbers = []
    if paginator.num_pages > 1:
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            if number == paginator.ELLIPSIS:
                numbers.append({"ellipsis": True})
            else:
                numbers.append(
                    {"number": number, "url": url(number), "current": number == page.number}
                )
    return {
        "page": page,
        "target": target,
        "noun": noun,
        "start": f"{page.start_index():,}",
        "end": f"{page.end_index():,}",
        "count": f"{paginator.count:,}",
        "numbers": numbers,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }
