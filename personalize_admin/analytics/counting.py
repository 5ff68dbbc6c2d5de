"""Counting events into the analytics tables as they are stored (see ``models``).

``count_events(rows)`` is called by ``edge.services.record_events`` inside its
transaction with the ``EdgeEvent`` rows it stored (impressions and the
conversions it derived), so the raw events and the counts commit together or
not at all.

Counting rules
--------------
- An impression counts once per (version, variant, user uid), on the day
  (UTC) of the first one that arrives.
- A conversion counts once per (version, metric event, user uid), on the day
  of the first one, for the variant ``record_events`` attributed it to: the
  variant of that user's latest impression of the version in the attribution
  window (``EDGE_ATTRIBUTION_DAYS``, the 30 days up to and including the
  moment the event arrives). A user who saw two variants of one version (two
  devices merged, or a client sending its own impressions) counts one
  impression for each but converts once, for the variant seen last.

Concurrency
-----------
Two requests for the same user at the same moment: the unique keys are
inserted with ``ON CONFLICT DO NOTHING … RETURNING``, which on PostgreSQL
waits for the other transaction and then returns nothing if it committed the
same key, so exactly one of them counts. Daily counts are upserts that add in
the database (``count = count + excluded.count``), so no increment is lost.
Every request writes its keys in one global order (impression keys, conversion
keys, daily impressions, daily conversions, each sorted), so two requests can
wait for each other but never deadlock. SQLite serializes writers.
"""

from collections import Counter
from datetime import UTC
from functools import cache

from django.db import connection

from personalize_admin.edge.models import EventKind

from .models import DailyConversions, DailyImpressions, UniqueConversion, UniqueImpression

# Rows per statement; well under SQLite's limit of bound parameters.
CHUNK = 500


def day_of(moment):
    """The UTC day a moment belongs to (days in analytics are UTC days)."""
    return moment.astimezone(UTC).date()


def _quoted(model, *fields):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [
        quote(model._meta.get_field(name).column) for name in fields
    ]


@cache
def _insert_keys_sql(vendor, model, fields, key, count):
    table, columns = _quoted(model, *fields)
    _, key_columns = _quoted(model, *key)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)} "
        f"ON CONFLICT ({', '.join(key_columns)}) DO NOTHING "
        f"RETURNING {', '.join(key_columns)}"
    )


@cache
def _upsert_counts_sql(vendor, model, key, count):
    table, columns = _quoted(model, *key, "count", "last_counted_at")
    _, key_columns = _quoted(model, *key)
    quote = connection.ops.quote_name
    number, last = quote("count"), quote("last_counted_at")
    latest = "GREATEST" if vendor == "postgresql" else "MAX"
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * count)} "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
        f"{number} = {table}.{number} + excluded.{number}, "
        f"{last} = {latest}({table}.{last}, excluded.{last})"
    )


def _chunks(items):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _insert_new_keys(cursor, model, fields, key, rows):
    """Insert ``rows`` (tuples in ``fields`` order, sorted) and return the keys
    that were new (not there before, also not committed meanwhile by another
    transaction)."""
    inserted = set()
    for chunk in _chunks(rows):
        sql = _insert_keys_sql(connection.vendor, model, fields, key, len(chunk))
        cursor.execute(sql, [value for row in chunk for value in row])
        inserted.update(tuple(found) for found in cursor.fetchall())
    return inserted


def _add_counts(cursor, model, key, increments, last_counted_at):
    rows = sorted(increments.items())
    for chunk in _chunks(rows):
        sql = _upsert_counts_sql(connection.vendor, model, key, len(chunk))
        params = []
        for key_values, number in chunk:
            params.extend(key_values)
            params.extend([number, last_counted_at[key_values]])
        cursor.execute(sql, params)


def count_events(rows):
    """Count the stored ``EdgeEvent`` rows ``rows`` into unique keys and daily
    counts. Must run inside the transaction that stored them. Other kinds of
    rows (plain custom events) are ignored. Returns ``(new impressions, new
    conversions)``."""
    ops = connection.ops
    impressions = {}
    conversions = {}
    for row in rows:
        if row.kind == EventKind.IMPRESSION:
            key = (row.version_id, row.variant_id, row.user_uid)
            impressions.setdefault(key, row.occurred_at)
        elif row.kind == EventKind.CONVERSION:
            key = (row.version_id, row.event_id, row.user_uid)
            conversions.setdefault(key, (row.variant_id, row.occurred_at))
    if not impressions and not conversions:
        return 0, 0

    with connection.cursor() as cursor:
        new_impressions = set()
        if impressions:
            new_impressions = _insert_new_keys(
                cursor,
                UniqueImpression,
                ("version", "variant", "user_uid", "day"),
                ("version", "variant", "user_uid"),
                [
                    (*key, ops.adapt_datefield_value(day_of(moment)))
                    for key, moment in sorted(impressions.items())
                ],
            )
        new_conversions = set()
        if conversions:
            new_conversions = _insert_new_keys(
                cursor,
                UniqueConversion,
                ("version", "event", "user_uid", "variant", "day"),
                ("version", "event", "user_uid"),
                [
                    (*key, variant_id, ops.adapt_datefield_value(day_of(moment)))
                    for key, (variant_id, moment) in sorted(conversions.items())
                ],
            )

        daily_impressions, impressions_last = Counter(), {}
        for key in new_impressions:
            version_id, variant_id, _user_uid = key
            moment = impressions[key]
            daily = (version_id, variant_id, ops.adapt_datefield_value(day_of(moment)))
            daily_impressions[daily] += 1
            impressions_last[daily] = max(impressions_last.get(daily, moment), moment)
        daily_conversions, conversions_last = Counter(), {}
        for key in new_conversions:
            version_id, event_id, _user_uid = key
            variant_id, moment = conversions[key]
            daily = (version_id, variant_id, event_id, ops.adapt_datefield_value(day_of(moment)))
            daily_conversions[daily] += 1
            conversions_last[daily] = max(conversions_last.get(daily, moment), moment)

        if daily_impressions:
            _add_counts(
                cursor,
                DailyImpressions,
                ("version", "variant", "day"),
                daily_impressions,
                {k: ops.adapt_datetimefield_value(v) for k, v in impressions_last.items()},
            )
        if daily_conversions:
            _add_counts(
                cursor,
                DailyConversions,
                ("version", "variant", "event", "day"),
                daily_conversions,
                {k: ops.adapt_datetimefield_value(v) for k, v in conversions_last.items()},
            )
    return len(new_impressions), len(new_conversions)
