"""``python manage.py drf_create_token <username> [--name NAME]``: print a new API token.

Only the token is printed, so a script can capture it:
``TOKEN=$(python manage.py drf_create_token alice)``.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from personalize_admin.core.errors import DomainError

from ... import services

DEFAULT_NAME = "Created with drf_create_token"


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument(
            "--name", default=DEFAULT_NAME, help="A name to recognise the token by."
        )

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f'No user with the username "{username}".') from None
        if not user.is_active:
            raise CommandError(f'The user "{username}" is inactive; a token would not work.')
        try:
            _token, key = services.create_token(user=user, name=name)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(key)
