"""Reading a rendered form's fields the way a browser would submit them."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = 0
        self.fields = []
        self.select = None
        self.select_value = None
        self.textarea = None
        self.option_value = None
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = 1
            return
        if not self.inside:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button") or "name" not in attrs or "disabled" in attrs:
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select" and "disabled" not in attrs:
            self.select, self.select_value, self.first_option = attrs.get("name"), None, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.select_value = value
        elif tag == "textarea":
            self.textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            self.fields.append(
                (
                    self.select,
                    self.select_value if self.select_value is not None else self.first_option,
                )
            )
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.fields.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside = 0


def form_fields(html, form_id):
    """The (name, value) pairs the form ``form_id`` in ``html`` submits."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return dict(parser.fields)
