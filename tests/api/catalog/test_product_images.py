"""Product images through the API: multipart upload into the open revision, the main image, bad files, access."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.catalog.services import submit_listing
from tests.api.conftest import error_of
from tests.factories import seller, user_with_role


def picture(size: tuple[int, int] = (640, 480), image_format: str = "PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(api, product_id: int, user, data: bytes | None = None, name: str = "foto.png", **form):
    fields = {"file": (BytesIO(picture() if data is None else data), name), **form}
    return api.post(f"/products/{product_id}/images", user=user, data=fields, content_type="multipart/form-data")


def test_upload_into_a_draft(api, maker, draft_product) -> None:
    response = upload(api, draft_product.id, maker)
    assert response.status_code == 201, response.json
    image = response.json
    assert (image["is_main"], image["position"], image["content_type"]) == (True, 0, "image/png")
    assert (image["width"], image["height"], image["sizes"], image["urls"]) == (640, 480, [], {})
    assert image["url"].endswith(f"/media/gambar/{image['id']}/original")
    revision = api.get(f"/products/{draft_product.id}", user=maker).json["latest_revision"]
    assert [item["id"] for item in revision["images"]] == [image["id"]]


def test_upload_to_a_live_product_goes_into_a_new_revision(api, maker, live_product) -> None:
    image = upload(api, live_product.id, maker, picture(image_format="JPEG"), "foto.jpg").json
    assert image["content_type"] == "image/jpeg"
    data = api.get(f"/products/{live_product.id}", user=maker).json
    assert data["live"]["images"] == []
    assert data["latest_revision"]["number"] == 2
    assert [item["id"] for item in data["latest_revision"]["images"]] == [image["id"]]
    assert api.get(f"/products/{live_product.id}").json["live"]["images"] == []


def test_a_later_image_can_be_made_main(api, maker, draft_product) -> None:
    first = upload(api, draft_product.id, maker).json
    second = upload(api, draft_product.id, maker).json
    assert (second["is_main"], second["position"]) == (False, 1)
    third = upload(api, draft_product.id, maker, main="true").json
    assert third["is_main"] is True
    images = api.get(f"/products/{draft_product.id}", user=maker).json["latest_revision"]["images"]
    assert [(item["id"], item["is_main"]) for item in images] == [
        (first["id"], False),
        (second["id"], False),
        (third["id"], True),
    ]


def test_resized_versions_appear_once_made(api, maker, draft_product, run_tasks) -> None:
    image = upload(api, draft_product.id, maker).json
    run_tasks()
    [shown] = api.get(f"/products/{draft_product.id}", user=maker).json["latest_revision"]["images"]
    assert shown["id"] == image["id"]
    assert shown["sizes"] == [50, 100, 300]  # no version larger than the 640 px original
    assert set(shown["urls"]) == {"50", "100", "300"}
    assert shown["urls"]["300"].endswith(f"/media/gambar/{image['id']}/300")


def test_a_file_that_is_not_an_image_is_refused_on_the_field_file(api, maker, draft_product) -> None:
    response = upload(api, draft_product.id, maker, b"just some text, not a photo", "foto.jpg")
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"file"}
    assert draft_product.revisions[0].images == []


def test_the_file_must_be_sent_as_multipart(api, maker, draft_product) -> None:
    missing = api.post(
        f"/products/{draft_product.id}/images", user=maker, data={"main": "true"}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"file"}
    as_json = api.post(f"/products/{draft_product.id}/images", {"file": "foto.png"}, user=maker)
    assert as_json.status_code == 415


def test_no_upload_while_the_revision_waits_for_review(api, maker, draft_product) -> None:
    submit_listing(actor=maker, product=draft_product)
    response = upload(api, draft_product.id, maker)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("who", "status"),
    [("neighbour", 404), ("other_manager", 404), ("ppk", 403), ("operator", 403), ("anonymous", 401)],
)
def test_only_the_maker_and_managers_upload(api, maker, draft_product, who, status) -> None:
    users = {
        "neighbour": lambda: seller(maker.membership.cooperative),
        "other_manager": lambda: user_with_role(Role.COOP_MANAGER),
        "ppk": lambda: user_with_role(Role.PPK),
        "operator": lambda: user_with_role(Role.OPERATOR),
        "anonymous": lambda: None,
    }
    assert upload(api, draft_product.id, users[who]()).status_code == status
    assert draft_product.revisions[0].images == []


def test_manager_uploads_for_a_member(api, manager, draft_product) -> None:
    assert upload(api, draft_product.id, manager).status_code == 201


def test_a_request_over_the_size_limit_is_a_json_413(api, app, maker, draft_product, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = upload(api, draft_product.id, maker, b"x" * 5000)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_entity_too_large"
    assert draft_product.revisions[0].images == []
