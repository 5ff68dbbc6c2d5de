"""Numbers as the Analytics tab and its CSV show them."""

from django import template

from ..charts import marker_path

register = template.Library()


@register.filter
def count(value):
    """``1234`` → ``1,234``."""
    if value is None or value == "":
        return "-"
    return f"{int(value):,}"


@register.filter
def percent(value, digits=2):
    """A share or rate: ``0.0345`` → ``3.45%``; ``None`` → ``-``."""
    if value is None or value == "":
        return "-"
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def signed_percent(value):
    """An uplift: ``0.123`` → ``+12.3%``, ``-0.05`` → ``−5.0%``."""
    if value is None or value == "":
        return "-"
    text = f"{abs(value) * 100:.1f}%"
    if round(value * 100, 1) == 0:
        return text
    return ("+" if value > 0 else "−") + text


@register.filter
def probability(value):
    """A probability to be best, never shown as a certain 0% or 100%."""
    if value is None or value == "":
        return "-"
    if value >= 0.9995:
        return "> 99.9%"
    if value < 0.0005:
        return "< 0.1%"
    return f"{value * 100:.1f}%"


@register.simple_tag
def swatch_marker(shape):
    """Path data of a legend swatch's marker (the swatch is 28 × 12)."""
    return marker_path(shape, 14, 6)
