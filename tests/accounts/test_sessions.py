"""A password change ends every other session of the account; the session that made the change goes on."""

from __future__ import annotations

from marketplace.accounts.models import Role
from tests.factories import PASSWORD, user_with_role

NEW_PASSWORD = "gunung-penanggungan-2026"


def test_changing_the_password_signs_out_other_sessions(app, client, db) -> None:
    user = user_with_role(Role.PPK)
    other_device = app.test_client()
    client.login(user)
    other_device.login(user)
    assert other_device.get("/profil").status_code == 200

    answer = client.post_form(
        "/profil/sandi",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )

    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert client.get("/profil").status_code == 200
    assert other_device.get("/profil").status_code == 302  # back to the sign-in page


def test_a_session_id_with_a_forged_fingerprint_is_refused(app, client, db) -> None:
    user = user_with_role(Role.PPK)
    client.login(user)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:0000000000000000"
    assert client.get("/profil").status_code == 302
