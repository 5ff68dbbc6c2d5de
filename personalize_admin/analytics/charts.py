"""Line charts drawn on the server as SVG: no script library, no CDN.

``line_chart(...)`` turns per-day values into the geometry a template draws
(``templates/analytics/_chart.html``): axes with round ticks, gridlines, and
one polyline per series with its own colour, dash pattern and marker shape, so
the series can be told apart without colour. A ``<title>``/``<desc>`` and the
per-day table under the chart say the same in words.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 30
MAX_X_LABELS = 7
MAX_MARKERS = 31
# Styles cycle after eight series; with the dash and marker a series stays distinct
# even where two colours are hard to tell apart.
DASHES = ["", "7 4", "2 3", "10 3 2 3", "14 5", "4 2 1 2", "1 5", "9 2"]
MARKERS = ["circle", "square", "triangle", "diamond", "cross", "triangle-down", "plus", "bar"]
STYLES = len(DASHES)


def style_of(index):
    return {
        "index": index % STYLES,
        "dash": DASHES[index % STYLES],
        "marker": MARKERS[index % STYLES],
    }


def marker_path(shape, x, y, size=3.5):
    """SVG path data of one marker centred on ``(x, y)``."""
    s = size
    if shape == "circle":
        return f"M{x - s:.1f},{y:.1f}a{s},{s} 0 1,0 {2 * s},0a{s},{s} 0 1,0 {-2 * s},0"
    if shape == "square":
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s}v{2 * s}h{-2 * s}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - s - 0.5:.1f}l{s + 0.5},{2 * s}h{-2 * s - 1}z"
    if shape == "triangle-down":
        return f"M{x:.1f},{y + s + 0.5:.1f}l{s + 0.5},{-2 * s}h{-2 * s - 1}z"
    if shape == "diamond":
        return f"M{x:.1f},{y - s - 1:.1f}l{s + 1},{s + 1}l{-s - 1},{s + 1}l{-s - 1},{-s - 1}z"
    if shape == "cross":
        return f"M{x - s:.1f},{y - s:.1f}l{2 * s},{2 * s}M{x + s:.1f},{y - s:.1f}l{-2 * s},{2 * s}"
    if shape == "plus":
        return f"M{x - s - 1:.1f},{y:.1f}h{2 * s + 2}M{x:.1f},{y - s - 1:.1f}v{2 * s + 2}"
    return f"M{x - s - 1:.1f},{y:.1f}h{2 * s + 2}"  # bar


def nice_ticks(maximum, count=4):
    """Round tick values from 0 to at least ``maximum`` (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1) if maximum >= 1 else step
    top = math.ceil(maximum / step) * step
    return [round(step * i, 10) for i in range(int(round(top / step)) + 1)]


def _format_number(value):
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _day_label(day):
    return f"{day:%b} {day.day}"


@dataclass
class ChartSeries:
    key: str
    name: str
    style: dict
    points: str  # "x,y x,y …"
    markers: str  # path data of every marker
    total: int
    peak: int
    peak_day: object
    hidden: bool


@dataclass
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: list  # (y, label)
    x_ticks: list  # (x, label)
    series: list  # ChartSeries
    days: list
    rows: list  # (day, [value per series]) for the table under the chart


def line_chart(*, id, title, days, series, hidden=()):
    """A chart of ``series`` (``[(key, name, values per day)]``) over ``days``.
    Series whose key is in ``hidden`` start hidden (the legend shows them again)."""
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    maximum = max((max(values) for _key, _name, values in series if values), default=0)
    ticks = nice_ticks(maximum)
    top_value = ticks[-1]

    def x_at(index):
        if len(days) <= 1:
            return (plot_left + plot_right) / 2
        return plot_left + index * (plot_right - plot_left) / (len(days) - 1)

    def y_at(value):
        return plot_bottom - value / top_value * (plot_bottom - plot_top)

    y_ticks = [(round(y_at(value), 1), _format_number(value)) for value in ticks]
    step = max(1, math.ceil(len(days) / MAX_X_LABELS))
    x_ticks = [(round(x_at(i), 1), _day_label(days[i])) for i in range(0, len(days), step)]
    marker_step = max(1, math.ceil(len(days) / MAX_MARKERS))
    drawn = []
    for index, (key, name, values) in enumerate(series):
        style = style_of(index)
        coordinates = [(x_at(i), y_at(value)) for i, value in enumerate(values)]
        peak = max(values, default=0)
        drawn.append(
            ChartSeries(
                key=key,
                name=name,
                style=style,
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
                markers="".join(
                    marker_path(style["marker"], x, y)
                    for i, (x, y) in enumerate(coordinates)
                    if i % marker_step == 0 or i == len(coordinates) - 1
                ),
                total=sum(values),
                peak=peak,
                peak_day=days[values.index(peak)] if values else None,
                hidden=key in hidden,
            )
        )
    if days:
        span = f"from {days[0]:%b} {days[0].day} to {days[-1]:%b} {days[-1].day}, {days[-1]:%Y}"
    else:
        span = "with no days"
    parts = [f"{title} {span}."]
    for item in drawn:
        if item.total:
            parts.append(
                f"{item.name}: {item.total:,} in total, most on "
                f"{_day_label(item.peak_day)} ({item.peak:,})."
            )
        else:
            parts.append(f"{item.name}: none.")
    return Chart(
        id=id,
        title=title,
        description=" ".join(parts),
        width=WIDTH,
        height=HEIGHT,
        left=plot_left,
        right=plot_right,
        top=plot_top,
        bottom=plot_bottom,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        series=drawn,
        days=days,
        rows=[(day, [values[i] for _key, _name, values in series]) for i, day in enumerate(days)],
    )
