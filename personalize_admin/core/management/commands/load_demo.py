"""``python manage.py load_demo``: a demo login and a project to explore.

Each app that has demo content provides ``personalize_admin.<app>.demo.load(project, user)``;
they run in dependency order. Running the command again changes nothing.
"""

from importlib import import_module

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from personalize_admin.projects import services as project_services
from personalize_admin.projects.models import Project

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "personalize-demo"
DEMO_PROJECT = "Demo: Acme Outdoor Store"
DEMO_APPS = ["audiences", "experiences", "edge", "analytics"]


class Command(BaseCommand):
    help = "Create the demo login and a demo project with sample content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, username, password, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_password(password)
            user.save()
        if Project.objects.filter(name=DEMO_PROJECT).exists():
            self.stdout.write(f"The demo project already exists; sign in as {username}.")
            return
        with transaction.atomic():
            project = project_services.create_project(
                name=DEMO_PROJECT,
                description="An outdoor gear shop personalizing its home page and checkout.",
                actor=user,
            )
            for app in DEMO_APPS:
                try:
                    module = import_module(f"personalize_admin.{app}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"personalize_admin.{app}.demo":
                        raise
                    continue
                module.load(project=project, user=user)
        self.stdout.write(self.style.SUCCESS(f'Demo project "{project.name}" created.'))
