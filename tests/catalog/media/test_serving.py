"""Serving images and attachments: public only on a product on sale, otherwise the maker, the cooperative's
managers and operators; everyone else gets 404. Right type, nosniff, download names, cache headers."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.catalog.services import (
    add_attachment,
    add_image,
    approve_revision,
    open_revision,
    submit_listing,
    withdraw_product,
)
from tests.catalog.media.files import image_bytes, pdf_bytes, upload
from tests.factories import user_with_role


def publish(maker, manager, product) -> None:
    """Submit and approve the product's open draft."""
    submit_listing(actor=maker, product=product)
    approve_revision(actor=manager, revision_id=open_revision(product).id)


@pytest.fixture
def live_image(maker, manager, draft):
    image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(1000, 500))))
    publish(maker, manager, draft)
    return image


@pytest.fixture
def draft_image(maker, draft):
    return add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(1000, 500))))


def image_url(image, size="original") -> str:
    return f"/media/gambar/{image.id}/{size}"


class TestImages:
    def test_an_image_of_a_product_on_sale_is_public_and_cached(self, client, live_image) -> None:
        response = client.get(image_url(live_image), buffered=True)

        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000"
        assert Image.open(BytesIO(response.data)).size == (1000, 500)

    def test_a_size_falls_back_to_the_original_until_it_is_made(self, db, client, run_tasks, live_image) -> None:
        before = client.get(image_url(live_image, 300), buffered=True)
        assert Image.open(BytesIO(before.data)).size == (1000, 500)
        assert before.headers["Cache-Control"] == "public, max-age=60"

        assert [50, 100, 300, 800] in run_tasks()  # beside the approval email
        db.session.expire_all()  # the task wrote through its own session
        after = client.get(image_url(live_image, 300), buffered=True)

        assert Image.open(BytesIO(after.data)).size == (300, 150)
        assert after.headers["Cache-Control"] == "public, max-age=31536000"

    @pytest.mark.parametrize("size", ["123", "0", "big", "800px", "²", "8" * 5000])
    def test_unknown_sizes_are_not_found(self, client, live_image, size) -> None:
        assert client.get(image_url(live_image, size), buffered=True).status_code == 404

    def test_a_draft_image_is_not_public(self, client, login_as, draft_image, stranger) -> None:
        assert client.get(image_url(draft_image), buffered=True).status_code == 404
        login_as(stranger)
        assert client.get(image_url(draft_image), buffered=True).status_code == 404
        login_as(user_with_role(Role.COOP_MANAGER))  # of another cooperative
        assert client.get(image_url(draft_image, 100), buffered=True).status_code == 404
        login_as(Role.PP)
        assert client.get(image_url(draft_image), buffered=True).status_code == 404

    @pytest.mark.parametrize("who", ["maker", "manager", "operator"])
    def test_the_maker_managers_and_operators_see_draft_images_privately(
        self, request, client, login_as, draft_image, who
    ) -> None:
        login_as(request.getfixturevalue(who))
        response = client.get(image_url(draft_image), buffered=True)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    def test_an_image_only_in_the_proposed_version_of_a_live_product_is_not_public(self, client, maker, live) -> None:
        proposed = add_image(actor=maker, product=live, file_storage=upload(image_bytes()))
        assert client.get(image_url(proposed), buffered=True).status_code == 404

    def test_a_withdrawn_products_images_are_no_longer_public(self, client, login_as, maker, draft, live_image) -> None:
        assert client.get(image_url(live_image), buffered=True).status_code == 200
        withdraw_product(actor=maker, product=draft, reason="Musim panen selesai")
        assert client.get(image_url(live_image), buffered=True).status_code == 404
        login_as(maker)
        assert client.get(image_url(live_image), buffered=True).status_code == 200

    def test_an_unknown_image_is_not_found(self, client) -> None:
        assert client.get("/media/gambar/999999/original").status_code == 404


class TestAttachments:
    @pytest.fixture
    def certificate(self, maker, draft):
        return add_attachment(
            actor=maker,
            product=draft,
            file_storage=upload(pdf_bytes(), "Sertifikat TKDN Beras—Mojokerto.pdf", "application/pdf"),
            description="Sertifikat TKDN",
        )

    def test_a_live_attachment_downloads_with_its_name(self, client, maker, manager, draft, certificate) -> None:
        publish(maker, manager, draft)
        response = client.get(f"/media/lampiran/{certificate.id}", buffered=True)

        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data == pdf_bytes()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="Sertifikat TKDN BerasMojokerto.pdf"; '
            "filename*=UTF-8''Sertifikat%20TKDN%20Beras%E2%80%94Mojokerto.pdf"
        )
        assert response.headers["Cache-Control"].startswith("public")

    def test_a_draft_attachment_is_private(self, client, login_as, certificate, maker, stranger) -> None:
        assert client.get(f"/media/lampiran/{certificate.id}", buffered=True).status_code == 404
        login_as(stranger)
        assert client.get(f"/media/lampiran/{certificate.id}", buffered=True).status_code == 404
        login_as(maker)
        response = client.get(f"/media/lampiran/{certificate.id}", buffered=True)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Content-Disposition"].startswith("attachment;")
