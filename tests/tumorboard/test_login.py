import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tumorboard.roles import HOME_URL_NAME, Role

pytestmark = pytest.mark.django_db


def test_login_page_renders_a_form_with_labelled_fields(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_anonymous_home_redirects_to_login(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_after_login(client: Client, role: Role) -> None:
    UserFactory(username=f"u-{role.value}", role=role, is_staff=role == Role.ADMIN)
    response = client.post(
        reverse("login"),
        {"username": f"u-{role.value}", "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(HOME_URL_NAME[role])


def test_wrong_password_shows_an_error_and_logs_nobody_in(client: Client) -> None:
    UserFactory(username="helen")
    response = client.post(reverse("login"), {"username": "helen", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_role_visiting_another_roles_home_is_sent_to_its_own(client: Client) -> None:
    client.force_login(UserFactory(role=Role.NEUROSURGEON))
    response = client.get(reverse("home-breast"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home-neuro")


def test_logout_ends_the_session(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_site_works_for_the_administrator(client: Client, admin_person) -> None:
    client.force_login(admin_person)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:tumorboard_user_changelist")).status_code == 200
    assert client.get(reverse("admin:tumorboard_team_add")).status_code == 200


def test_home_page_lists_the_users_teams(client: Client, breast_surgeon) -> None:
    client.force_login(breast_surgeon)
    response = client.get(reverse("home-breast"))
    assert "Breast Service A" in response.content.decode()
