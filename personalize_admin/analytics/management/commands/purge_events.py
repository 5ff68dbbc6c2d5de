"""``python manage.py purge_events``: delete raw events past the retention period.

Safe to run at any time, e.g. nightly from cron; see ``analytics.retention``.
"""

from django.core.management.base import BaseCommand, CommandError

from personalize_admin.analytics import retention


class Command(BaseCommand):
    help = (
        "Delete raw Edge API events older than ANALYTICS_RETENTION_DAYS (and the unique keys "
        "of versions archived before then). Analytics numbers do not change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help=f"Retention in days (default: ANALYTICS_RETENTION_DAYS, {retention.retention_days()}).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=retention.DEFAULT_BATCH_SIZE,
            help="Rows deleted per transaction.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, days, batch_size, dry_run, **options):
        try:
            report = retention.purge(days=days, batch_size=batch_size, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        verb = "Would delete" if dry_run else "Deleted"
        cutoff = f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
        self.stdout.write(
            f"{verb} {report.events:,} raw events from before {cutoff}"
            + ("" if dry_run else f" in {report.event_batches:,} batches")
            + "."
        )
        self.stdout.write(
            f"{verb} {report.keys:,} unique keys of {report.versions:,} versions archived before "
            f"{cutoff}."
        )
        self.stdout.write(self.style.SUCCESS("Daily counts are kept: analytics are unchanged."))
