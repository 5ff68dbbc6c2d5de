"""The Analytics tab of the experience page and its CSV export, thin over ``services``.

The tab's state lives in its URL (``?version=<number>&range=&view=&metric=&hide=``)
so that a view can be bookmarked; htmx swaps the panel and pushes the URL.
"""

import csv
import re
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from personalize_admin.core.htmx import render_page_or_partial
from personalize_admin.experiences.views import ExperienceMixin

from . import charts, services

VIEWS = ("chart", "table")
# What a spreadsheet would run as a formula when a cell starts with it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class TabState:
    version: object
    range: str
    view: str
    metric: str
    hidden: tuple

    def query(self, **changes):
        values = {
            "version": self.version.number,
            "range": self.range,
            "view": self.view,
            "metric": self.metric,
            "hide": ",".join(self.hidden),
            **changes,
        }
        return "&".join(
            f"{key}={value}" for key, value in values.items() if value not in ("", None)
        )


def _selected_version(request, versions):
    """The version named by ``?version=<number>``, else the default; 404 for a
    number that is no version with analytics."""
    number = request.GET.get("version", "").strip()
    if not number:
        return services.default_version(versions)
    if not number.isdigit():
        raise Http404("No such version.")
    found = next((v for v in versions if v.number == int(number)), None)
    if found is None:
        raise Http404("This experience has no such version with analytics.")
    return found


def _state(request, versions):
    version = _selected_version(request, versions)
    get = request.GET
    chosen_range = get.get("range", services.DEFAULT_RANGE)
    if chosen_range not in services.RANGES:
        chosen_range = services.DEFAULT_RANGE
    view = get.get("view", "chart")
    if view not in VIEWS:
        view = "chart"
    hidden = tuple(
        key for key in get.get("hide", "").split(",") if re.fullmatch(r"[0-9]{1,10}", key)
    )
    return TabState(
        version=version,
        range=chosen_range,
        view=view,
        metric=get.get("metric", "")[:24],
        hidden=hidden,
    )


class AnalyticsView(ExperienceMixin, TemplateView):
    """Analytics: per version, a chart of unique impressions (and conversions for
    A/B tests) per day and variant, and a table with the statistics."""

    template_name = "analytics/analytics.html"
    tab = "analytics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # One query for the sidebar's Version History and the version selector.
        context["versions"] = versions = list(context["versions"])
        with_analytics = [v for v in versions if v.activated_at is not None]
        context["analytics_versions"] = with_analytics
        if not with_analytics:
            return context
        state = _state(self.request, with_analytics)
        analytics = services.load(state.version, now=timezone.now())
        summary = services.summary(analytics)
        metric = summary.metric(state.metric)
        if metric is not None:
            state.metric = metric.event.uid
        context.update(
            state=state,
            analytics=analytics,
            summary=summary,
            metric=metric,
            ranges=[(key, label) for key, (label, _days) in services.RANGES.items()],
            export_query=state.query(view="", range="", hide=""),
        )
        if state.view == "chart" and summary.has_data:
            context["series"] = series = services.time_series(
                analytics,
                **dict(
                    zip(("start", "end"), services.range_for(analytics, state.range), strict=True)
                ),
            )
            context["charts"] = self.charts(series, metric, state)
        return context

    def charts(self, series, metric, state):
        items = [
            charts.line_chart(
                id="impressions-chart",
                title="Unique impressions per day",
                days=series.days,
                series=[
                    (s.variant.short_uid, s.variant.name, s.impressions) for s in series.series
                ],
                hidden=state.hidden,
            )
        ]
        if metric is not None:
            items.append(
                charts.line_chart(
                    id="conversions-chart",
                    title=f"Conversions per day: {metric.event.key}",
                    days=series.days,
                    series=[
                        (s.variant.short_uid, s.variant.name, s.conversions[metric.event.pk])
                        for s in series.series
                    ],
                    hidden=state.hidden,
                )
            )
        return items

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return render_page_or_partial(request, self.template_name, "analytics-panel", context)


def _cell(value):
    """Text as a spreadsheet shows it, never run as a formula."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _csv_percent(value, digits=2, signed=False):
    """A number a spreadsheet reads as a percentage (ASCII signs, no words)."""
    if value is None:
        return ""
    return f"{value * 100:{'+' if signed else ''}.{digits}f}%"


def _file_name(experience, version):
    slug = re.sub(r"[^a-z0-9]+", "-", experience.name.lower()).strip("-")[:60] or "experience"
    return f"{slug}-v{version.number}-analytics.csv"


class ExportView(ExperienceMixin, View):
    """The table of the Analytics tab as CSV: every variant, and for A/B tests
    every metric."""

    def get(self, request, *args, **kwargs):
        versions = services.analytics_versions(self.experience)
        if not versions:
            raise Http404("This experience has no analytics yet.")
        version = _selected_version(request, versions)
        summary = services.summary(services.load(version))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{_file_name(self.experience, version)}"'
        )
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        if summary.metrics:
            writer.writerow(
                [
                    "Metric",
                    "Variant short UID",
                    "Variant",
                    "Impressions",
                    "Conversions",
                    "Conversion rate",
                    "Uplift",
                    "Uplift 95% low",
                    "Uplift 95% high",
                    "Probability to be best",
                    "Result",
                ]
            )
            for item in summary.metrics:
                for row in item.rows:
                    uplift = row.uplift
                    writer.writerow(
                        [
                            _cell(item.event.key),
                            _cell(row.variant.short_uid),
                            _cell(row.variant.name),
                            row.impressions,
                            row.conversions,
                            _csv_percent(row.conversion_rate),
                            "" if uplift is None else _csv_percent(uplift.value, 1, signed=True),
                            "" if uplift is None else _csv_percent(uplift.low, 1, signed=True),
                            "" if uplift is None else _csv_percent(uplift.high, 1, signed=True),
                            _csv_percent(row.probability_to_be_best, 1),
                            "Winner" if row.is_winner else ("Control" if row.is_control else ""),
                        ]
                    )
        else:
            writer.writerow(["Variant short UID", "Variant", "Impressions", "Share of impressions"])
            for row in summary.rows:
                writer.writerow(
                    [
                        _cell(row.variant.short_uid),
                        _cell(row.variant.name),
                        row.impressions,
                        _csv_percent(row.share, 1),
                    ]
                )
        return response
