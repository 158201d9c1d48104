"""The review pages: the queue, one revision, the decisions, bulk approval and the review policy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.services import update_listing
from marketplace.cooperatives.services.profile import cooperative_managers
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.catalog.review.conftest import submitted
from tests.factories import add_image, listing, listing_data, seller, user_with_role

QUEUE = "/koperasi/tinjauan"
POLICY = "/koperasi/tinjauan/kebijakan"


def detail_url(revision) -> str:
    return f"{QUEUE}/{revision.id}"


def rows(html: str) -> list[int]:
    return [int(match) for match in re.findall(r'<tr data-revision-id="(\d+)"', html)]


def input_tag(html: str, field_id: str) -> str:
    return re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html).group(0)


def expire(revision) -> None:
    revision.valid_until = date.today() - timedelta(days=1)
    db.session.flush()


class TestAccess:
    @pytest.fixture
    def urls(self, reference, maker) -> list[tuple[str, str]]:
        revision = submitted(maker, reference)
        base = detail_url(revision)
        return [
            ("GET", QUEUE), ("POST", f"{QUEUE}/setujui"), ("GET", base), ("POST", f"{base}/setujui"),
            ("POST", f"{base}/tolak"), ("POST", f"{base}/minta-perubahan"), ("GET", POLICY), ("POST", POLICY),
        ]  # fmt: skip

    @pytest.mark.parametrize("role", [Role.SELLER, Role.PP, Role.PPK, Role.BENDAHARA, Role.OPERATOR])
    def test_other_roles_are_refused(self, client, login_as, urls, role) -> None:
        login_as(role)
        for method, url in urls:
            response = client.get(url) if method == "GET" else client.post_form(url, {})
            assert response.status_code == 403, (method, url)

    def test_visitors_are_sent_to_sign_in(self, client, urls) -> None:
        for method, url in urls:
            response = client.get(url) if method == "GET" else client.post_form(url, {})
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/masuk"), (method, url)

    def test_another_cooperatives_revision_is_not_found(self, client, login_as, reference, maker) -> None:
        revision = submitted(maker, reference)
        login_as(Role.COOP_MANAGER)
        assert client.get(detail_url(revision)).status_code == 404
        for action, data in [
            ("setujui", {}),
            ("tolak", {"reason": "x" * 20}),
            ("minta-perubahan", {"notes": "x" * 20}),
        ]:
            assert client.post_form(f"{detail_url(revision)}/{action}", data).status_code == 404
        assert revision.status == "submitted"

    def test_another_cooperatives_revisions_are_not_in_the_queue(self, client, login_as, reference, maker) -> None:
        submitted(maker, reference)
        login_as(Role.COOP_MANAGER)
        page = client.get(QUEUE).get_data(as_text=True)
        assert rows(page) == [] and "Beras Premium" not in page


class TestQueue:
    def test_lists_waiting_revisions_oldest_first_with_their_quality(
        self, client, login_as, reference, cooperative, manager, maker
    ) -> None:
        newer = submitted(maker, reference, sku="N-1", name="Gula Pasir Lokal 1 kg")
        older = submitted(maker, reference, sku="N-2", name="Telur Ayam Kampung")
        older.submitted_at = newer.submitted_at - timedelta(hours=2)
        expire(newer)
        live = listing(maker, reference, sku="N-3")
        change = update_listing(
            actor=maker, product=live, data=listing_data(reference, sku="N-3", price=1), submit=True
        )
        login_as(manager)

        page = client.get(QUEUE).get_data(as_text=True)

        assert rows(page) == [older.id, newer.id, change.id]
        newer_row = page[page.index(f'data-revision-id="{newer.id}"') :].split("</tr>")[0]
        assert 'data-errors="1"' in newer_row and "disabled" in newer_row
        change_row = page[page.index(f'data-revision-id="{change.id}"') :].split("</tr>")[0]
        assert 'data-kind="change"' in change_row and 'data-errors="1"' not in change_row
        assert 'data-kind="new"' in page
        assert older.submitted_at.strftime("%Y") in page and "WIB" in page

    def test_filters_by_member_and_category(self, client, login_as, reference, cooperative, manager, maker) -> None:
        sri = seller(cooperative, full_name="Bu Sri")
        mine = submitted(maker, reference, sku="F-1")
        hers = submitted(sri, reference, sku="F-2")
        login_as(manager)
        assert rows(client.get(f"{QUEUE}?member={sri.id}").get_data(as_text=True)) == [hers.id]
        page = client.get(f"{QUEUE}?category={reference['category_id']}").get_data(as_text=True)
        assert rows(page) == [mine.id, hers.id]
        page = client.get(f"{QUEUE}?category=999999").get_data(as_text=True)
        assert rows(page) == [] and f'href="{QUEUE}"' in page  # the empty state offers to show all
        assert rows(client.get(f"{QUEUE}?member=abc").get_data(as_text=True)) == [mine.id, hers.id]

    def test_is_paginated(self, client, login_as, reference, manager, maker) -> None:
        revisions = [submitted(maker, reference, sku=f"P-{n}") for n in range(3)]
        login_as(manager)
        assert rows(client.get(f"{QUEUE}?per_page=2").get_data(as_text=True)) == [r.id for r in revisions[:2]]
        assert rows(client.get(f"{QUEUE}?per_page=2&page=2").get_data(as_text=True)) == [revisions[2].id]

    def test_empty_queue(self, client, login_as, manager) -> None:
        login_as(manager)
        response = client.get(QUEUE)
        assert response.status_code == 200 and 'class="card empty"' in response.get_data(as_text=True)


class TestDetail:
    def test_shows_the_change_beside_the_live_version(self, client, login_as, reference, manager, maker) -> None:
        product = listing(maker, reference)
        revision = update_listing(
            actor=maker, product=product, data=listing_data(reference, price=80000, name="Beras <b>Wangi</b>"),
            submit=True,
        )  # fmt: skip
        add_image(revision)
        login_as(manager)

        page = client.get(detail_url(revision)).get_data(as_text=True)

        changed = re.findall(r'<tr class="changed" data-field="(\w+)"', page)
        assert changed == ["name", "price", "images"]
        assert "Rp72.500" in page and "Rp80.000" in page
        assert "Beras &lt;b&gt;Wangi&lt;/b&gt;" in page and "<b>Wangi</b>" not in page
        assert re.search(r'data-revision-number="1".*?data-status="approved"', page, re.S)
        assert 'data-revision-number="2"' in page
        assert 'data-issue="tkdn_without_certificate"' in page  # a warning
        assert 'data-action="approve"' in page and "data-approve-blocked" not in page
        assert "Pak Darmo" in page and "UD Sumber Rejeki" in page  # the member's profile
        assert f'data-image-id="{revision.images[0].image_id}"' in page

    def test_errors_block_the_approve_button(self, client, login_as, reference, manager, maker) -> None:
        revision = submitted(maker, reference)
        expire(revision)
        login_as(manager)
        page = client.get(detail_url(revision)).get_data(as_text=True)
        assert 'data-issue="validity_past"' in page and "data-approve-blocked" in page
        assert 'data-action="approve"' not in page and 'data-action="request-changes"' in page

    def test_a_change_the_manager_wrote_offers_no_decision_to_them(self, client, login_as, manager, maker, reference):
        product = listing(maker, reference, sku="BRS-OWN")
        change = update_listing(
            actor=manager, product=product, data=listing_data(reference, sku="BRS-OWN", name="Beras Baru"), submit=True
        )
        login_as(manager)
        page = client.get(detail_url(change)).get_data(as_text=True)
        assert "data-own-listing" in page and 'data-action="approve"' not in page
        assert "data-invite-manager" not in page  # the manager who approved the listing decides
        for other in cooperative_managers(cooperative_id=manager.cooperative_id):
            other.is_enabled = other.id == manager.id
        page = client.get(detail_url(change)).get_data(as_text=True)
        assert "data-own-listing" in page and "data-invite-manager" in page  # the only one left: invite another

    def test_a_decided_revision_is_read_only(self, client, login_as, reference, manager, maker) -> None:
        product = listing(maker, reference)
        login_as(manager)
        page = client.get(detail_url(product.live_revision)).get_data(as_text=True)
        assert 'data-decided="approved"' in page and 'data-action="reject"' not in page


class TestDecisions:
    def test_approve(self, client, login_as, reference, manager, maker, mailbox) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        response = client.post_form(f"{detail_url(revision)}/setujui")
        assert response.status_code == 302 and response.headers["Location"].endswith(QUEUE)
        assert revision.product.status == "active"
        assert len(mailbox.to(maker.email)) == 1

    def test_approval_with_errors_is_refused(self, client, login_as, reference, manager, maker, mailbox) -> None:
        revision = submitted(maker, reference)
        expire(revision)
        login_as(manager)
        response = client.post_form(f"{detail_url(revision)}/setujui")
        assert response.status_code == 422
        assert 'class="flash flash-error"' in response.get_data(as_text=True)
        db.session.expire_all()
        assert (revision.status, revision.product.status) == ("submitted", "draft")
        assert mailbox.to(maker.email) == []

    def test_reject_needs_a_reason(self, client, login_as, reference, manager, maker, mailbox) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        response = client.post_form(f"{detail_url(revision)}/tolak", {"reason": "no"})
        assert response.status_code == 422
        assert re.search(r'<p class="error" id="reason-error">', response.get_data(as_text=True))
        assert revision.status == "submitted"

        response = client.post_form(f"{detail_url(revision)}/tolak", {"reason": "Produk ini bukan buatan anggota."})
        assert response.status_code == 302 and revision.status == "rejected"
        assert "Produk ini bukan buatan anggota." in mailbox.body(mailbox.to(maker.email)[0])

    def test_request_changes_needs_notes(self, client, login_as, reference, manager, maker, mailbox) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        response = client.post_form(f"{detail_url(revision)}/minta-perubahan", {"notes": ""})
        assert response.status_code == 422 and 'id="notes-error"' in response.get_data(as_text=True)
        response = client.post_form(f"{detail_url(revision)}/minta-perubahan", {"notes": "Foto kemasan kurang jelas."})
        assert response.status_code == 302 and revision.status == "changes_requested"
        assert "Foto kemasan kurang jelas." in mailbox.body(mailbox.to(maker.email)[0])

    def test_deciding_twice_changes_nothing(self, client, login_as, reference, manager, maker) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        client.post_form(f"{detail_url(revision)}/minta-perubahan", {"notes": "Foto kemasan kurang jelas."})
        response = client.post_form(f"{detail_url(revision)}/setujui")
        assert response.status_code == 302 and response.headers["Location"].endswith(detail_url(revision))
        assert revision.status == "changes_requested"

    def test_a_form_without_csrf_token_is_refused(self, client, login_as, reference, manager, maker) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        assert client.post(f"{detail_url(revision)}/setujui").status_code in (400, 422)
        assert revision.status == "submitted"


class TestBulkApprove:
    def test_approves_the_selection_and_reports_the_failure(
        self, client, login_as, reference, manager, maker, mailbox
    ) -> None:
        good = submitted(maker, reference, sku="B-1", name="Gula Pasir 1 kg")
        bad = submitted(maker, reference, sku="B-2", name="Minyak Goreng 2 L")
        expire(bad)
        login_as(manager)

        response = client.post_form(
            f"{QUEUE}/setujui", {"revision_ids": [str(good.id), str(bad.id)]}, follow_redirects=True
        )

        page = response.get_data(as_text=True)
        assert re.search(r"flash-success[^>]*>[^<]*\b1\b", page)
        assert re.search(r"flash-error[^>]*>[^<]*Minyak Goreng 2 L", page)
        assert (good.status, bad.status) == ("approved", "submitted")
        assert rows(page) == [bad.id]
        assert len(mailbox.to(maker.email)) == 1

    def test_an_empty_selection_approves_nothing(self, client, login_as, reference, manager, maker) -> None:
        revision = submitted(maker, reference)
        login_as(manager)
        response = client.post_form(f"{QUEUE}/setujui", {}, follow_redirects=True)
        assert "flash-error" in response.get_data(as_text=True) and revision.status == "submitted"

    def test_another_cooperatives_revision_in_the_selection_is_left_alone(
        self, client, login_as, reference, manager, maker
    ) -> None:
        mine = submitted(maker, reference, sku="C-1")
        foreign = submitted(seller(), reference, sku="C-2")
        login_as(manager)
        client.post_form(f"{QUEUE}/setujui", {"revision_ids": [str(mine.id), str(foreign.id)]})
        assert (mine.status, foreign.status) == ("approved", "submitted")


class TestPolicy:
    def test_shows_and_saves_the_policy(self, client, login_as, cooperative, manager) -> None:
        login_as(manager)
        page = client.get(POLICY).get_data(as_text=True)
        assert "checked" in input_tag(page, "validity_needs_review")
        assert "checked" not in input_tag(page, "stock_needs_review")

        response = client.post_form(POLICY, {"stock_needs_review": "y"})

        assert response.status_code == 302
        assert (cooperative.stock_needs_review, cooperative.validity_needs_review) == (True, False)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.review_policy"))
        assert event.actor_id == manager.id and event.subject_id == cooperative.id

    def test_the_nav_links_to_the_queue(self, client, login_as, manager) -> None:
        login_as(manager)
        assert f'href="{QUEUE}"' in client.get(POLICY).get_data(as_text=True)

    def test_sellers_do_not_see_the_link(self, client, login_as) -> None:
        login_as(user_with_role(Role.SELLER))
        assert f'href="{QUEUE}"' not in client.get("/").get_data(as_text=True)
