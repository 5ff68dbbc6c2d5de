"""A content manager's first steps, clicked through in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from personalize_admin.projects.models import Membership, Project, Role
from tests.factories import PASSWORD, UserFactory, make_project
from tests.helpers.browser import screenshot


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", is_superuser=True, is_staff=True)


def test_sign_in_create_rename_add_member_and_delete_project(page, admin_user):
    UserFactory(username="marcus", email="marcus@example.com")

    # Sign in through the form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin/"))
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Personalize Projects")).to_be_visible()
    expect(page.get_by_text("No projects yet")).to_be_visible()

    # Create a project in the modal; a bad name first.
    page.get_by_role("button", name="New Personalize Project").first.click()
    dialog = page.get_by_role("dialog", name="New Personalize Project")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Create Project").click()
    expect(dialog.get_by_text("Please enter a project name.")).to_be_visible()
    dialog.get_by_label("Name").fill("Summer Campaign")
    dialog.get_by_label("Description").fill("Seasonal personalization")
    dialog.get_by_role("button", name="Create Project").click()
    expect(page.get_by_role("navigation", name="Project")).to_be_visible()
    expect(page.get_by_text('Project "Summer Campaign" created.')).to_be_visible()
    project = Project.objects.get(name="Summer Campaign")

    # Back on the landing page the card shows it.
    page.get_by_role("link", name="Personalize Projects").first.click()
    expect(page.get_by_role("link", name="Summer Campaign")).to_be_visible()
    expect(page.get_by_text("1 User")).to_be_visible()
    screenshot(page, "landing")

    # Open it and rename it in Settings.
    page.get_by_role("link", name="Summer Campaign").click()
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="General")).to_be_visible()
    expect(page.get_by_text(project.uid)).to_be_visible()
    page.get_by_label("Name").fill("Summer Campaign 2026")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Project settings saved.")).to_be_visible()
    project.refresh_from_db()
    assert project.name == "Summer Campaign 2026"
    screenshot(page, "settings-general")

    # Add a Member by email; an unknown user first.
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Username or email").fill("nobody@example.com")
    page.get_by_role("button", name="Add User").click()
    expect(
        page.get_by_text('No user with the username or email "nobody@example.com".')
    ).to_be_visible()
    page.get_by_label("Username or email").fill("marcus@example.com")
    page.get_by_label("Role", exact=True).select_option("MEMBER")
    page.get_by_role("button", name="Add User").click()
    expect(page.get_by_text("marcus added as Member.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("marcus"))).to_be_visible()
    assert Membership.objects.get(project=project, user__username="marcus").role == Role.MEMBER
    screenshot(page, "settings-users")

    # Delete the project: a wrong confirmation first.
    page.get_by_role("link", name="General").click()
    page.get_by_role("button", name="Delete Project").click()
    dialog = page.get_by_role("dialog", name="Delete Project")
    dialog.get_by_label("Type DELETE to confirm").fill("delete")
    dialog.get_by_role("button", name="Delete Project").click()
    expect(dialog.get_by_text("Type DELETE to confirm.")).to_be_visible()
    assert Project.objects.filter(pk=project.pk).exists()
    dialog.get_by_label("Type DELETE to confirm").fill("DELETE")
    dialog.get_by_role("button", name="Delete Project").click()
    expect(page.get_by_text('Project "Summer Campaign 2026" deleted.')).to_be_visible()
    assert not Project.objects.filter(pk=project.pk).exists()


def test_member_sees_no_settings_and_last_owner_is_protected(signed_in, owner, member):
    project = make_project(owner=owner, members=[member], name="Guarded")
    page = signed_in(member)
    page.goto(f"/projects/{project.uid}/")
    nav = page.get_by_role("navigation", name="Project")
    expect(nav.get_by_role("link", name="Experiences")).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)

    page = signed_in(owner)
    page.goto(f"/projects/{project.uid}/settings/users/")
    page.get_by_label("Role of olivia", exact=True).select_option("MEMBER")
    page.get_by_role("button", name="Change role of olivia").click()
    expect(page.get_by_role("alert").filter(has_text="last Owner")).to_be_visible()
    assert Membership.objects.get(project=project, user=owner).role == Role.OWNER


def test_search_filters_cards_and_keyboard_opens_user_menu(signed_in, owner):
    make_project(owner=owner, name="Alpine Shop")
    make_project(owner=owner, name="Beach Club")
    page = signed_in(owner)
    page.goto("/")
    page.get_by_role("searchbox", name="Search projects").fill("beach")
    expect(page.get_by_role("link", name="Alpine Shop")).to_have_count(0)
    expect(page.get_by_role("link", name="Beach Club")).to_be_visible()

    menu_button = page.get_by_role("button", name=re.compile("User menu"))
    menu_button.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Personalize Projects")).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("menuitem", name="Sign out")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    expect(page.get_by_role("menu")).to_be_hidden()
