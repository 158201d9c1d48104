"""Images and attachments through the services: checked by content, attached to the draft, ordered, removed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import ProductAttachment, ProductImage
from marketplace.catalog.services import (
    add_attachment,
    add_image,
    move_image,
    open_revision,
    remove_attachment,
    remove_image,
    set_main_image,
    submit_listing,
)
from marketplace.catalog.services.media import MAX_IMAGES, clean_filename
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.core.storage import storage
from tests.catalog.media.files import image_bytes, noise_png, pdf_bytes, upload


def image_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ProductImage))


def order_of(revision) -> list[tuple[int, bool]]:
    return [(link.image_id, link.is_main) for link in sorted(revision.images, key=lambda link: link.position)]


class TestAddImage:
    def test_first_image_is_main_and_stored_under_a_generated_key(self, db, maker, draft, sent_tasks) -> None:
        image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(), "../../etc/Foto Saya.JPG"))

        assert re.fullmatch(rf"products/{draft.id}/[0-9a-f]{{32}}\.jpg", image.storage_key)
        assert storage().exists(image.storage_key)
        assert (image.content_type, image.width, image.height, image.sizes) == ("image/jpeg", 1200, 900, [])
        revision = open_revision(draft)
        assert order_of(revision) == [(image.id, True)]
        second = add_image(actor=maker, product=draft, file_storage=upload(image_bytes("PNG", (400, 300)), "b.png"))
        assert second.content_type == "image/png"
        assert order_of(revision) == [(image.id, True), (second.id, False)]
        assert [name for name, _ in sent_tasks] == ["catalog.make_image_sizes"] * 2
        assert sent_tasks[0][1] == {"image_id": image.id}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "product.image_add"))
        assert (event.subject_id, event.actor_id, event.after["image_id"]) == (draft.id, maker.id, image.id)

    def test_webp_is_accepted(self, db, maker, draft) -> None:
        image = add_image(actor=maker, product=draft, file_storage=upload(image_bytes("WEBP", (300, 300)), "x.webp"))
        assert (image.content_type, image.storage_key[-5:]) == ("image/webp", ".webp")

    @pytest.mark.parametrize(
        "data, filename",
        [
            (b"Ini bukan gambar, hanya teks biasa.\n" * 20, "foto.jpg"),
            (pdf_bytes(), "sertifikat.png"),
            (image_bytes("GIF", (50, 50), mode="P", color=(1,)), "anim.gif"),
            (image_bytes("BMP", (50, 50)), "gambar.jpg"),
        ],
        ids=["text", "pdf", "gif", "bmp"],
    )
    def test_files_that_are_not_jpeg_png_or_webp_are_refused(self, db, maker, draft, data, filename) -> None:
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(data, filename))
        assert "JPEG, PNG" in error.value.fields["file"]
        assert image_count(db) == 0

    def test_a_truncated_png_is_refused(self, db, maker, draft) -> None:
        data = image_bytes("PNG", (300, 300))
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(data[: len(data) // 2], "half.png"))
        assert "file" in error.value.fields
        assert image_count(db) == 0

    def test_an_image_over_5_mb_is_refused_with_a_clear_message(self, db, maker, draft) -> None:
        data = noise_png(1500)
        assert len(data) > 6 * 1024 * 1024
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(data, "besar.png"))
        assert "5 MB" in error.value.fields["file"]
        assert image_count(db) == 0

    def test_more_than_40_megapixels_is_refused(self, db, maker, draft) -> None:
        data = image_bytes("PNG", (8000, 6000), mode="L", color=(0,))  # tiny file, 48 MP once decoded
        assert len(data) < 1024 * 1024
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(data, "bom.png"))
        assert "40" in error.value.fields["file"]

    def test_a_ninth_image_is_refused(self, db, maker, draft) -> None:
        for n in range(MAX_IMAGES):
            add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(60 + n, 60)), f"{n}.jpg"))
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(90, 60)), "9.jpg"))
        assert "8" in error.value.fields["file"]
        assert len(open_revision(draft).images) == MAX_IMAGES

    def test_an_empty_upload_is_refused(self, db, maker, draft) -> None:
        with pytest.raises(ValidationFailed) as error:
            add_image(actor=maker, product=draft, file_storage=upload(b"", ""))
        assert "file" in error.value.fields
        with pytest.raises(ValidationFailed):
            add_image(actor=maker, product=draft, file_storage=None)

    def test_on_a_live_product_a_new_draft_gets_the_image_and_the_live_version_keeps_its_own(
        self, db, maker, live
    ) -> None:
        first = add_image(actor=maker, product=live, file_storage=upload(image_bytes(), "a.jpg"))
        live_revision = live.live_revision
        assert live_revision.images == []
        draft_revision = open_revision(live)
        assert (draft_revision.number, draft_revision.status) == (2, "draft")
        assert order_of(draft_revision) == [(first.id, True)]
        add_image(actor=maker, product=live, file_storage=upload(image_bytes(), "b.jpg"))
        assert open_revision(live).id == draft_revision.id  # the same draft collects further changes

    def test_a_version_waiting_for_review_cannot_change(self, db, maker, draft) -> None:
        submit_listing(actor=maker, product=draft)
        with pytest.raises(Conflict):
            add_image(actor=maker, product=draft, file_storage=upload(image_bytes(), "a.jpg"))

    def test_only_the_maker_and_the_managers_may_add(self, db, draft, stranger, operator, manager) -> None:
        with pytest.raises(NotFound):
            add_image(actor=stranger, product=draft, file_storage=upload(image_bytes()))
        with pytest.raises(Forbidden):
            add_image(actor=operator, product=draft, file_storage=upload(image_bytes()))
        assert add_image(actor=manager, product=draft, file_storage=upload(image_bytes())).uploaded_by_id == manager.id


class TestArrangeImages:
    @pytest.fixture
    def three(self, maker, draft) -> list[ProductImage]:
        return [
            add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(100 + n, 80)), f"{n}.jpg"))
            for n in range(3)
        ]

    def test_set_main_and_move(self, db, maker, draft, three) -> None:
        a, b, c = (image.id for image in three)
        set_main_image(actor=maker, product=draft, image_id=c)
        assert order_of(open_revision(draft)) == [(a, False), (b, False), (c, True)]
        move_image(actor=maker, product=draft, image_id=c, position=0)
        assert order_of(open_revision(draft)) == [(c, True), (a, False), (b, False)]
        move_image(actor=maker, product=draft, image_id=c, position=99)
        assert [image_id for image_id, _ in order_of(open_revision(draft))] == [a, b, c]
        assert [link.position for link in sorted(open_revision(draft).images, key=lambda li: li.position)] == [0, 1, 2]

    def test_removing_the_main_image_makes_the_next_one_main_and_deletes_unused_files(
        self, db, maker, draft, three
    ) -> None:
        a, b, c = three
        key = a.storage_key
        remove_image(actor=maker, product=draft, image_id=a.id)
        assert order_of(open_revision(draft)) == [(b.id, True), (c.id, False)]
        assert db.session.get(ProductImage, a.id) is None
        assert not storage().exists(key)

    def test_removing_from_a_live_product_keeps_the_live_image(self, db, maker, reference, live, manager) -> None:
        image = add_image(actor=maker, product=live, file_storage=upload(image_bytes()))
        submit_listing(actor=maker, product=live)
        from marketplace.catalog.services import approve_revision

        approve_revision(actor=manager, revision_id=open_revision(live).id)
        assert [link.image_id for link in live.live_revision.images] == [image.id]

        remove_image(actor=maker, product=live, image_id=image.id)

        assert open_revision(live).images == []
        assert [link.image_id for link in live.live_revision.images] == [image.id]
        assert storage().exists(image.storage_key)

    def test_an_image_of_another_product_is_not_found(self, db, maker, reference, draft, three) -> None:
        from marketplace.catalog.services import create_listing
        from tests.factories import listing_data

        other = create_listing(actor=maker, data=listing_data(reference, sku="OTHER-1")).product
        with pytest.raises(NotFound):
            set_main_image(actor=maker, product=other, image_id=three[0].id)
        with pytest.raises(NotFound):
            remove_image(actor=maker, product=other, image_id=three[0].id)


class TestAttachments:
    def test_a_pdf_is_attached_with_a_cleaned_name(self, db, maker, draft) -> None:
        attachment = add_attachment(
            actor=maker,
            product=draft,
            file_storage=upload(pdf_bytes(), 'C:\\dok\\Sertifikat "TKDN" 2026?.PDF', "application/pdf"),
            description="  Sertifikat   TKDN ",
        )
        assert attachment.filename == "Sertifikat TKDN 2026.pdf"
        assert re.fullmatch(rf"products/{draft.id}/[0-9a-f]{{32}}\.pdf", attachment.storage_key)
        assert attachment.content_type == "application/pdf"
        link = open_revision(draft).attachments[0]
        assert (link.attachment_id, link.description) == (attachment.id, "Sertifikat TKDN")

    @pytest.mark.parametrize(
        "data, message",
        [
            (image_bytes(), "PDF"),
            (b"<html><script>alert(1)</script></html>", "PDF"),
            (b"%PDF-1.4\n" + b"0" * 4000, "PDF"),  # a header and nothing that ends a PDF
        ],
        ids=["jpeg-named-pdf", "html", "no-eof"],
    )
    def test_pdf_impostors_are_refused(self, db, maker, draft, data, message) -> None:
        with pytest.raises(ValidationFailed) as error:
            add_attachment(actor=maker, product=draft, file_storage=upload(data, "sertifikat.pdf", "application/pdf"))
        assert message in error.value.fields["file"]
        assert db.session.scalar(select(func.count()).select_from(ProductAttachment)) == 0

    def test_over_10_mb_is_refused(self, db, maker, draft) -> None:
        with pytest.raises(ValidationFailed) as error:
            add_attachment(actor=maker, product=draft, file_storage=upload(pdf_bytes(10 * 1024 * 1024), "big.pdf"))
        assert "10 MB" in error.value.fields["file"]

    def test_a_long_description_is_refused(self, db, maker, draft) -> None:
        with pytest.raises(ValidationFailed) as error:
            add_attachment(actor=maker, product=draft, file_storage=upload(pdf_bytes()), description="x" * 201)
        assert "description" in error.value.fields

    def test_remove(self, db, maker, draft) -> None:
        attachment = add_attachment(actor=maker, product=draft, file_storage=upload(pdf_bytes(), "a.pdf"))
        key = attachment.storage_key
        remove_attachment(actor=maker, product=draft, attachment_id=attachment.id)
        assert open_revision(draft).attachments == []
        assert not storage().exists(key)
        with pytest.raises(NotFound):
            remove_attachment(actor=maker, product=draft, attachment_id=attachment.id)


@pytest.mark.parametrize(
    "name, cleaned",
    [
        ("sertifikat.pdf", "sertifikat.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("Sertifikat Halal — Beras.PDF", "Sertifikat Halal — Beras.pdf"),
        ("a\r\nb.pdf", "a b.pdf"),
        ("", "lampiran.pdf"),
        (None, "lampiran.pdf"),
        ("...", "lampiran.pdf"),
        ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
    ],
)
def test_clean_filename(name, cleaned) -> None:
    assert clean_filename(name) == cleaned
