"""The ledger pages: member balances with debts, a member's history and payouts, the fee, CSV downloads, a seller's
own earnings (issue 6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import Payout
from marketplace.payments.services import ledger
from tests.payments.test_ledger import A_TOTAL, B_TOTAL, paid, payout, refunded


@pytest.fixture
def earned(market):
    """The market order paid (no fee): seller_a earned A_TOTAL, seller_b B_TOTAL."""
    market.coop.fee_bps = 0
    payment = paid(market)
    ledger.record_earnings(payment)
    return payment


def test_manager_sees_balances_with_debts_first_and_highlighted(client, market, earned):
    payout(market, market.seller_b, 50_000)
    ledger.reverse_for_refund(refunded(market, earned, earned.amount))
    client.login(market.manager)

    page = client.get("/koperasi/saldo-anggota").get_data(as_text=True)

    assert page.index("Budi Santoso") < page.index("Siti Aminah")
    assert f'data-member-id="{market.seller_b.id}" data-debt="1"' in page
    assert f'data-member-id="{market.seller_a.id}" data-debt' not in page
    assert 'data-debts="' in page
    debts_only = client.get("/koperasi/saldo-anggota?utang=1").get_data(as_text=True)
    assert "Budi Santoso" in debts_only and "Siti Aminah" not in debts_only


def test_manager_records_a_payout_from_the_member_page(client, market, earned):
    client.login(market.manager)
    url = f"/koperasi/saldo-anggota/{market.seller_a.id}"
    assert "Siti Aminah" in client.get(url).get_data(as_text=True)

    response = client.post_form(
        f"{url}/pembayaran",
        {
            "amount": "800.000",
            "bank_reference": "BRI-7788",
            "paid_on": date.today().isoformat(),
            "note": "",
            "key": "k1",
        },
    )

    assert response.status_code == 302
    assert ledger.balance(market.coop.id, market.seller_a.id) == A_TOTAL - 800_000
    page = client.get(url).get_data(as_text=True)
    assert "BRI-7788" in page


def test_payout_above_the_balance_shows_the_error_next_to_the_amount(client, market, earned):
    client.login(market.manager)

    response = client.post_form(
        f"/koperasi/saldo-anggota/{market.seller_b.id}/pembayaran",
        {"amount": str(B_TOTAL + 1), "bank_reference": "X", "paid_on": date.today().isoformat(), "key": "k2"},
    )

    assert response.status_code == 422
    assert 'id="amount-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Payout.id)) is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"bank_reference": ""}, "bank_reference"),
        ({"paid_on": (date.today() + timedelta(days=3)).isoformat()}, "paid_on"),
    ],
)
def test_payout_form_errors(client, market, earned, values, field):
    client.login(market.manager)
    data = {"amount": "1000", "bank_reference": "X", "paid_on": date.today().isoformat(), "key": "k3"} | values

    response = client.post_form(f"/koperasi/saldo-anggota/{market.seller_a.id}/pembayaran", data)

    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_manager_of_another_cooperative_sees_no_member_of_ours(client, market, earned):
    client.login(market.other_manager)
    assert client.get(f"/koperasi/saldo-anggota/{market.seller_a.id}").status_code == 404
    assert client.get(f"/koperasi/saldo-anggota/{market.seller_a.id}.csv").status_code == 404
    response = client.post_form(
        f"/koperasi/saldo-anggota/{market.seller_a.id}/pembayaran",
        {"amount": "1", "bank_reference": "X", "paid_on": date.today().isoformat(), "key": "k4"},
    )
    assert response.status_code in (404, 422)
    assert db.session.scalar(select(Payout.id)) is None
    assert "Siti Aminah" not in client.get("/koperasi/saldo-anggota").get_data(as_text=True)


def test_manager_downloads_the_cooperatives_and_a_members_csv(client, market, earned):
    client.login(market.manager)

    everyone = client.get("/koperasi/saldo-anggota.csv")
    one = client.get(f"/koperasi/saldo-anggota/{market.seller_b.id}.csv")

    assert everyone.mimetype == "text/csv" and "attachment" in everyone.headers["Content-Disposition"]
    text = everyone.get_data(as_text=True)
    assert str(A_TOTAL) in text and str(B_TOTAL) in text
    assert str(A_TOTAL) not in one.get_data(as_text=True)


def test_seller_sees_only_their_own_earnings(client, market, earned):
    payout(market, market.seller_a, 24_750)
    client.login(market.seller_a)

    page = client.get("/saya/penghasilan").get_data(as_text=True)
    csv_text = client.get("/saya/penghasilan.csv").get_data(as_text=True)

    assert f'data-balance="{A_TOTAL - 24_750}"' in page
    assert "TRF-0001" in page
    assert 'id="payout"' not in page
    assert str(B_TOTAL) not in csv_text and "Budi" not in csv_text
    assert client.get("/koperasi/saldo-anggota").status_code == 403


def test_seller_with_nothing_yet_sees_a_zero_balance(client, market):
    client.login(market.seller_b)
    page = client.get("/saya/penghasilan")
    assert page.status_code == 200
    assert 'data-balance="0"' in page.get_data(as_text=True)


def test_manager_sets_the_fee_in_percent_with_two_decimals(client, market):
    client.login(market.manager)
    assert "/koperasi/biaya" in client.get("/koperasi/pengaturan").get_data(as_text=True)

    response = client.post_form("/koperasi/biaya", {"fee_percent": "2,75"})

    assert response.status_code == 302
    assert market.coop.fee_bps == 275
    assert 'value="2.75"' in client.get("/koperasi/biaya").get_data(as_text=True)


@pytest.mark.parametrize("value", ["100.01", "-1", "1.255", "abc", "", "  "])
def test_fee_outside_the_range_or_with_three_decimals_or_empty_is_refused(client, market, value):
    market.coop.fee_bps = 250
    client.login(market.manager)

    response = client.post_form("/koperasi/biaya", {"fee_percent": value})

    assert response.status_code == 422
    assert 'id="fee_percent-error"' in response.get_data(as_text=True)
    assert market.coop.fee_bps == 250


@pytest.mark.parametrize(
    "url", ["/koperasi/saldo-anggota", "/koperasi/saldo-anggota.csv", "/koperasi/biaya", "/saya/penghasilan"]
)
def test_buyers_cannot_open_ledger_pages(client, market, url):
    client.login(market.bendahara)
    assert client.get(url).status_code == 403
