"""Every HTML route, every role: who is let in, who gets 403, and anonymous visitors are sent to sign in.

Each route must be listed in ACCESS, so a new page cannot appear without a decision about who may open it.
(The JSON API has its own parametrised checks in tests/api.)
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from marketplace.accounts.models import Role
from tests.factories import user_with_role

PUBLIC = "public"
SIGNED_IN = "signed in"
BUYERS = frozenset({Role.PP, Role.PPK, Role.BENDAHARA})
MANAGERS_AND_OPERATORS = frozenset({Role.COOP_MANAGER, Role.OPERATOR})
OPERATORS = frozenset({Role.OPERATOR})
MANAGERS = frozenset({Role.COOP_MANAGER})
SELLERS_AND_MANAGERS = frozenset({Role.SELLER, Role.COOP_MANAGER})
OFFICERS = frozenset({Role.PP, Role.PPK})

#: endpoint → who may use it: PUBLIC, SIGNED_IN (any role) or the set of roles.
ACCESS: dict[str, object] = {
    "dashboard.index": PUBLIC,
    "dashboard.cooperative_sales": OPERATORS,
    "dashboard.work_unit_purchases": OPERATORS,
    "core.health": PUBLIC,
    "core.regions": PUBLIC,
    "core.set_language": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.register": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.set_password": PUBLIC,
    "accounts.logout": SIGNED_IN,
    "accounts.profile": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.edit_account": SIGNED_IN,
    "accounts.create_api_token": SIGNED_IN,
    "accounts.revoke_api_token": SIGNED_IN,
    "accounts.edit_business": frozenset({Role.SELLER}),
    "cooperatives.members": MANAGERS,
    "cooperatives.settings": MANAGERS,
    "cooperatives.rotate_key": MANAGERS,
    "cooperatives.invite_manager": MANAGERS,
    "cooperatives.member_detail": MANAGERS_AND_OPERATORS,
    "cooperatives.approve_member": MANAGERS_AND_OPERATORS,
    "cooperatives.reject_member": MANAGERS_AND_OPERATORS,
    "cooperatives.suspend_member": MANAGERS_AND_OPERATORS,
    "cooperatives.reactivate_member": MANAGERS_AND_OPERATORS,
    "cooperatives.operator_index": OPERATORS,
    "cooperatives.operator_new": OPERATORS,
    "cooperatives.operator_detail": OPERATORS,
    "cooperatives.operator_members": OPERATORS,
    "cooperatives.operator_invite_manager": OPERATORS,
    "cooperatives.operator_set_active": OPERATORS,
    "agencies.my_work_unit": BUYERS,
    "agencies.operator_index": OPERATORS,
    "agencies.operator_new": OPERATORS,
    "agencies.operator_detail": OPERATORS,
    "agencies.work_unit_new": OPERATORS,
    "agencies.work_unit_detail": OPERATORS,
    "agencies.invite_buyer": OPERATORS,
    "admin.users": OPERATORS,
    "admin.user_detail": OPERATORS,
    "admin.audit_log": OPERATORS,
    "admin.change_roles": OPERATORS,
    "admin.disable_user": OPERATORS,
    "admin.enable_user": OPERATORS,
    "admin.resend_invitation": OPERATORS,
    "catalog.index": PUBLIC,
    "catalog.product": PUBLIC,
    "media.image": PUBLIC,
    "media.attachment": PUBLIC,
    "media.upload_image": SELLERS_AND_MANAGERS,
    "media.main_image": SELLERS_AND_MANAGERS,
    "media.move_image": SELLERS_AND_MANAGERS,
    "media.remove_image": SELLERS_AND_MANAGERS,
    "media.upload_attachment": SELLERS_AND_MANAGERS,
    "media.remove_attachment": SELLERS_AND_MANAGERS,
    "listings.index": SELLERS_AND_MANAGERS,
    "listings.new": SELLERS_AND_MANAGERS,
    "listings.detail": SELLERS_AND_MANAGERS | OPERATORS,
    "listings.edit": SELLERS_AND_MANAGERS,
    "listings.kbki_codes": SELLERS_AND_MANAGERS,
    "listings.quick_update": SELLERS_AND_MANAGERS,
    "listings.submit": SELLERS_AND_MANAGERS,
    "listings.withdraw": SELLERS_AND_MANAGERS,
    "imports.index": SELLERS_AND_MANAGERS,
    "imports.template": SELLERS_AND_MANAGERS,
    "imports.template_csv": SELLERS_AND_MANAGERS,
    "imports.import_good_rows": SELLERS_AND_MANAGERS,
    "imports.discard": SELLERS_AND_MANAGERS,
    "imports.detail": SELLERS_AND_MANAGERS | OPERATORS,
    "imports.progress": SELLERS_AND_MANAGERS | OPERATORS,
    "review.index": MANAGERS,
    "review.detail": MANAGERS,
    "review.approve": MANAGERS,
    "review.approve_selected": MANAGERS,
    "review.reject": MANAGERS,
    "review.request_changes": MANAGERS,
    "review.policy": MANAGERS,
    "reference.categories": OPERATORS,
    "reference.category_create": OPERATORS,
    "reference.category_edit": OPERATORS,
    "reference.category_move": OPERATORS,
    "reference.category_status": OPERATORS,
    "reference.units": OPERATORS,
    "reference.unit_create": OPERATORS,
    "reference.unit_edit": OPERATORS,
    "reference.unit_status": OPERATORS,
    "reference.kbki": OPERATORS,
    "reference.kbki_import": OPERATORS,
    "feeds.index": MANAGERS,
    "feeds.request_feed": MANAGERS,
    "feeds.rotate_key": MANAGERS,
    "feeds.operator_index": OPERATORS,
    "feeds.operator_request_all": OPERATORS,
    "feeds.operator_cooperative": OPERATORS,
    "feeds.operator_request_feed": OPERATORS,
    "feeds.operator_rotate_key": OPERATORS,
    "feeds.detail": MANAGERS_AND_OPERATORS,
    "feeds.progress": MANAGERS_AND_OPERATORS,
    "feeds.download": MANAGERS_AND_OPERATORS,
    "feeds.report": MANAGERS_AND_OPERATORS,
    "feeds.report_download": MANAGERS_AND_OPERATORS,
    "feeds.retry": MANAGERS_AND_OPERATORS,
    "feeds.columns_page": PUBLIC,
    "procurement.cart": OFFICERS,
    "procurement.cart_add": OFFICERS,
    "procurement.cart_update": OFFICERS,
    "procurement.cart_remove": OFFICERS,
    "procurement.checkout": OFFICERS,
    # Every role may have orders; whether this user may see this order (404) or make this move (403) is the
    # services' decision, tested in tests/procurement.
    **dict.fromkeys(
        (
            "procurement.orders",
            "procurement.orders_export",
            "procurement.order_detail",
            "procurement.document",
            "procurement.document_pdf",
            "procurement.sign",
            "procurement.approve",
            "procurement.reject",
            "procurement.propose",
            "procurement.accept_offer",
            "procurement.accept",
            "procurement.refuse",
            "procurement.cancel",
            "procurement.ship_order",
            "procurement.deliver_shipment",
            "procurement.receive_order",
            "procurement.invoice_order",
            "procurement.pay_outside",
            "procurement.confirm_payment",
        ),
        SIGNED_IN,
    ),
    # Stripe calls it; the signature is the check.
    "payments.stripe_webhook": PUBLIC,
    "payments.balances": MANAGERS,
    "payments.balances_csv": MANAGERS,
    "payments.member_ledger": MANAGERS,
    "payments.member_ledger_csv": MANAGERS,
    "payments.record_payout": MANAGERS,
    "payments.fee": MANAGERS,
    "payments.my_earnings": frozenset({Role.SELLER}),
    "payments.my_earnings_csv": frozenset({Role.SELLER}),
    "payments.operator_payments": OPERATORS,
    "payments.operator_payment": OPERATORS,
    "payments.operator_webhooks": OPERATORS,
    "payments.operator_reconcile": OPERATORS,
    "payments.operator_run_reconcile": OPERATORS,
    "payments.pay": frozenset({Role.BENDAHARA}),
    "payments.pay_card": frozenset({Role.BENDAHARA}),
    "payments.abandon_card_payment": frozenset({Role.BENDAHARA}),
    # Anyone who may see the order (404 otherwise).
    "payments.payment_status": SIGNED_IN,
    "payments.confirm_transfer": MANAGERS,
    "payments.reject_transfer": MANAGERS,
    "payments.refund": MANAGERS,
    "payments.payment_proof": BUYERS | MANAGERS_AND_OPERATORS,
    "payments.refund_proof": BUYERS | MANAGERS_AND_OPERATORS,
}
ROLES = (Role.SELLER, Role.COOP_MANAGER, Role.PP, Role.PPK, Role.BENDAHARA, Role.OPERATOR)
#: Every blueprint with HTML pages (the API is checked in tests/api).
CHECKED_BLUEPRINTS = (
    "core", "dashboard", "accounts", "cooperatives", "agencies", "admin", "catalog", "listings", "media", "imports",
    "review", "reference", "feeds", "procurement", "payments",
)  # fmt: skip


def html_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, URL with placeholder arguments) for every HTML route of the checked blueprints."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in CHECKED_BLUEPRINTS:
            continue
        url = re.sub(r"<int:\w+>", "999999", rule.rule)
        url = re.sub(r"<any\((\w+)[^>]*>", r"\1", url)  # the first of the choices
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return sorted(set(routes))


def test_every_html_route_declares_who_may_use_it(app: Flask) -> None:
    undeclared = sorted({endpoint for endpoint, _, _ in html_routes(app)} - set(ACCESS))
    assert undeclared == [], f"declare access for {undeclared} in tests/test_access.py"


def _request(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post_form(url, {})


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_access_for_each_role(app: Flask, client, role: Role | None) -> None:
    if role is not None:
        client.login(user_with_role(role))
    wrong: list[str] = []
    for endpoint, method, url in html_routes(app):
        if endpoint == "accounts.logout":
            continue  # would end the session for the routes after it; covered in tests/accounts
        rule = ACCESS[endpoint]
        status = _request(client, method, url).status_code
        if rule == PUBLIC:
            ok = status not in (401, 403)
        elif role is None:
            ok = status == 302
        elif rule == SIGNED_IN or role in rule:
            ok = status != 403
        else:
            ok = status == 403
        if not ok:
            wrong.append(f"{method} {url} ({endpoint}) → {status}")
    assert wrong == []
