"""The product page of its maker and managers: live beside proposed, review status and notes, history, actions
(submit, withdraw, bring back), media management through the pages, and escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.catalog.models import ProductAttachment, ProductImage
from marketplace.catalog.services import (
    add_image,
    approve_revision,
    open_revision,
    reject_revision,
    request_changes,
    submit_listing,
    update_listing,
)
from marketplace.extensions import db
from tests.catalog.media.files import as_file, image_bytes, pdf_bytes, upload
from tests.factories import listing_data


def page(client, product) -> str:
    response = client.get(f"/produk-saya/{product.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def changed_fields(html: str) -> list[str]:
    return re.findall(r'<tr data-field="([a-z_]+)" class="changed"', html)


class TestVersions:
    def test_a_draft_shows_its_data_and_can_be_submitted(self, client, login_as, maker, draft) -> None:
        login_as(maker)
        html = page(client, draft)
        assert "Beras Premium Majapahit 5 kg" in html and "DRAFT-1" in html
        assert 'data-action="submit"' in html and 'data-action="edit"' in html
        assert 'data-action="withdraw"' not in html
        assert changed_fields(html) == []  # nothing live to compare with

        response = client.post_form(f"/produk-saya/{draft.id}/ajukan")
        assert response.status_code == 302
        assert open_revision(draft).status == "submitted"
        html = page(client, draft)
        assert 'data-action="submit"' not in html and 'data-action="edit"' not in html
        assert 'data-revision-status="submitted"' in html

    def test_live_and_proposed_side_by_side_with_changes_highlighted(
        self, client, login_as, maker, live, reference
    ) -> None:
        update_listing(
            actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", price=80000, name="Beras Wangi")
        )
        login_as(maker)
        html = page(client, live)
        assert set(changed_fields(html)) == {"name", "price"}
        row = re.search(r'<tr data-field="price".*?</tr>', html, re.S).group(0)
        assert "Rp72.500" in row and "Rp80.000" in row

    def test_a_quick_stock_change_is_not_shown_as_a_proposed_change(
        self, client, login_as, maker, live, reference
    ) -> None:
        from marketplace.catalog.services import update_stock

        update_stock(actor=maker, product=live, stock=7)
        update_listing(actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", stock=7, name="Baru"))
        login_as(maker)
        assert changed_fields(page(client, live)) == ["name"]

    def test_the_managers_notes_and_reasons_are_shown(self, client, login_as, maker, manager, draft) -> None:
        revision = submit_listing(actor=maker, product=draft)
        request_changes(actor=manager, revision_id=revision.id, notes="Mohon tambahkan nomor SNI kemasan.")
        login_as(maker)
        html = page(client, draft)
        assert 'data-decision="changes_requested"' in html
        assert "Mohon tambahkan nomor SNI kemasan." in html and "Pak Pengurus" in html
        assert 'data-action="submit"' in html  # it can go back after editing

    def test_a_rejected_change_of_a_live_product(self, client, login_as, maker, manager, live, reference) -> None:
        revision = update_listing(
            actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", price=99000), submit=True
        )
        reject_revision(actor=manager, revision_id=revision.id, reason="Harga terlalu tinggi dibanding pasar.")
        login_as(maker)
        html = page(client, live)
        assert 'data-decision="rejected"' in html and "Harga terlalu tinggi dibanding pasar." in html
        assert 'data-action="edit"' in html

    def test_history_lists_every_version(self, client, login_as, maker, manager, live, reference) -> None:
        revision = update_listing(actor=maker, product=live, data=listing_data(reference, sku="LIVE-1"), submit=True)
        approve_revision(actor=manager, revision_id=revision.id)
        update_listing(actor=maker, product=live, data=listing_data(reference, sku="LIVE-1", price=75000))
        login_as(maker)
        html = page(client, live)
        history = re.search(r'<section class="card" id="history">.*?</section>', html, re.S).group(0)
        assert re.findall(r'data-revision="(\d+)"', history) == ["3", "2", "1"]
        assert re.findall(r'data-revision-status="([a-z_]+)"', history) == ["draft", "approved", "superseded"]

    def test_descriptions_are_escaped_and_keep_their_line_breaks(self, client, login_as, maker, reference) -> None:
        from marketplace.catalog.services import create_listing

        evil = "Enak sekali.\n<script>alert('x')</script>"
        product = create_listing(
            actor=maker, data=listing_data(reference, description=evil, name="Kerupuk <img src=x onerror=alert(1)>")
        ).product
        login_as(maker)
        html = page(client, product)
        assert "<script>alert(" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "Kerupuk &lt;img src=x onerror=alert(1)&gt;" in html
        assert 'class="text-block"' in html  # line breaks shown with white-space: pre-line


class TestWithdrawAndBringBack:
    def test_withdraw_with_a_reason_and_a_confirmation(self, client, login_as, maker, live) -> None:
        login_as(maker)
        html = page(client, live)
        assert re.search(r'<form[^>]*/produk-saya/\d+/tarik"[^>]*data-confirm="[^"]+"', html, re.S)
        response = client.post_form(f"/produk-saya/{live.id}/tarik", {"reason": "Gagal panen musim ini"})
        assert response.status_code == 302
        assert live.status == "withdrawn"
        html = page(client, live)
        assert 'data-product-status="withdrawn"' in html and 'data-action="withdraw"' not in html
        assert 'data-action="edit"' in html  # "edit to bring back"
        assert "Gagal panen musim ini" in html  # in the activity list

    def test_withdrawing_a_draft_is_refused_politely(self, client, login_as, maker, draft) -> None:
        login_as(maker)
        response = client.post_form(f"/produk-saya/{draft.id}/tarik", {"reason": ""})
        assert response.status_code == 302
        assert draft.status == "draft"


class TestMediaPages:
    def test_upload_an_image(self, client, login_as, maker, draft, sent_tasks) -> None:
        login_as(maker)
        response = client.post_form(
            f"/media/produk/{draft.id}/gambar",
            {"file": as_file(image_bytes(), "foto.jpg")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        image = db.session.scalar(select(ProductImage))
        assert image.product_id == draft.id
        assert ("catalog.make_image_sizes", {"image_id": image.id}) in sent_tasks
        html = page(client, draft)
        assert f'data-image-id="{image.id}" class="main"' in html
        assert f'src="/media/gambar/{image.id}/300"' in html

    def test_a_text_file_named_jpg_is_refused_next_to_the_field(self, client, login_as, maker, draft) -> None:
        login_as(maker)
        response = client.post_form(
            f"/media/produk/{draft.id}/gambar",
            {"file": as_file(b"hello, not an image", "foto.jpg")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert re.search(r'<p class="error" id="file-error">[^<]*JPEG', response.get_data(as_text=True))
        assert db.session.scalar(select(ProductImage)) is None

    def test_arrange_and_remove_images(self, client, login_as, maker, draft) -> None:
        first = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(200, 100))))
        second = add_image(actor=maker, product=draft, file_storage=upload(image_bytes(size=(100, 200))))
        login_as(maker)
        client.post_form(f"/media/produk/{draft.id}/gambar/{second.id}/utama")
        client.post_form(f"/media/produk/{draft.id}/gambar/{second.id}/geser", {"direction": "up"})
        links = sorted(open_revision(draft).images, key=lambda link: link.position)
        assert [(link.image_id, link.is_main) for link in links] == [(second.id, True), (first.id, False)]
        client.post_form(f"/media/produk/{draft.id}/gambar/{second.id}/hapus")
        assert [(link.image_id, link.is_main) for link in open_revision(draft).images] == [(first.id, True)]

    def test_attach_and_remove_a_pdf(self, client, login_as, maker, draft) -> None:
        login_as(maker)
        client.post_form(
            f"/media/produk/{draft.id}/lampiran",
            {"file": as_file(pdf_bytes(), "tkdn.pdf"), "description": "Sertifikat TKDN"},
            content_type="multipart/form-data",
        )
        attachment = db.session.scalar(select(ProductAttachment))
        html = page(client, draft)
        assert f'href="/media/lampiran/{attachment.id}"' in html and "Sertifikat TKDN" in html
        impostor = client.post_form(
            f"/media/produk/{draft.id}/lampiran",
            {"file": as_file(image_bytes(), "tkdn.pdf")},
            content_type="multipart/form-data",
        )
        assert impostor.status_code == 422 and 'id="file-error"' in impostor.get_data(as_text=True)
        client.post_form(f"/media/produk/{draft.id}/lampiran/{attachment.id}/hapus")
        assert open_revision(draft).attachments == []

    def test_media_cannot_change_while_under_review(self, client, login_as, maker, draft) -> None:
        submit_listing(actor=maker, product=draft)
        login_as(maker)
        html = page(client, draft)
        assert 'data-action="upload-image"' not in html
        response = client.post_form(
            f"/media/produk/{draft.id}/gambar",
            {"file": as_file(image_bytes(), "foto.jpg")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        assert db.session.scalar(select(ProductImage)) is None

    def test_an_operator_sees_the_page_without_actions(self, client, login_as, operator, draft) -> None:
        login_as(operator)
        html = page(client, draft)
        for action in ("edit", "submit", "withdraw", "upload-image", "upload-attachment"):
            assert f'data-action="{action}"' not in html
        assert 'href="/produk-saya"' not in html  # a list operators cannot open: back to the cooperative instead
        assert f'href="/operator/koperasi/{draft.cooperative_id}"' in html


def test_a_manager_is_pointed_to_the_review_of_a_submitted_version(
    app, client, login_as, manager, maker, draft
) -> None:
    revision = submit_listing(actor=maker, product=draft)
    login_as(maker)
    assert 'data-action="review"' not in page(client, draft)
    login_as(manager)
    html = page(client, draft)
    if "review.detail" in app.view_functions:
        assert f'href="/koperasi/tinjauan/{revision.id}"' in html
