import pytest
from django.core.management import CommandError, call_command

from personalize_admin.api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_drf_create_token_prints_a_working_token(capsys, client, owner, project):
    call_command("drf_create_token", "olivia")
    key = capsys.readouterr().out.strip()
    assert key.startswith("pa_") and "\n" not in key
    assert ApiToken.objects.get(user=owner).name == "Created with drf_create_token"
    assert client.get("/api/projects", headers={"authtoken": key}).json()[0]["uid"] == project.uid


def test_drf_create_token_with_name(capsys, owner):
    call_command("drf_create_token", "olivia", "--name", "Nightly sync")
    assert ApiToken.objects.get(user=owner).name == "Nightly sync"


def test_drf_create_token_unknown_user_fails_clearly(db):
    with pytest.raises(CommandError, match='No user with the username "ghost"'):
        call_command("drf_create_token", "ghost")
    assert not ApiToken.objects.exists()


def test_drf_create_token_inactive_user_fails(owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("drf_create_token", "olivia")


def test_drf_create_token_duplicate_name_fails(owner):
    call_command("drf_create_token", "olivia", "--name", "CI", stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="already have a token"):
        call_command("drf_create_token", "olivia", "--name", "CI")
