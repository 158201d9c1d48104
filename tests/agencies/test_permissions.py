"""The named permission checks of the agencies domain."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from marketplace.agencies import permissions
from tests.factories import user_with_role


@pytest.mark.parametrize(
    ("role", "manage"),
    [
        ("operator", True),
        ("pp", False),
        ("ppk", False),
        ("bendahara", False),
        ("seller", False),
        ("coop_manager", False),
    ],
)
def test_only_operators_manage_agencies(db, role: str, manage: bool) -> None:
    assert permissions.can_manage_agencies(user_with_role(role)) is manage


def test_buyers_see_their_own_unit_and_agency_only(work_unit, other_work_unit, other_agency) -> None:
    buyer = user_with_role("bendahara", work_unit=work_unit)

    assert permissions.can_view_work_unit(buyer, work_unit)
    assert not permissions.can_view_work_unit(buyer, other_work_unit)
    assert permissions.can_view_agency(buyer, work_unit.agency)
    assert not permissions.can_view_agency(buyer, other_agency)


def test_operators_see_everything_others_nothing(work_unit) -> None:
    operator = user_with_role("operator")
    manager = user_with_role("coop_manager")

    assert permissions.can_view_work_unit(operator, work_unit) and permissions.can_view_agency(
        operator, work_unit.agency
    )
    assert not permissions.can_view_work_unit(manager, work_unit)
    assert not permissions.can_view_agency(manager, work_unit.agency)


def test_a_user_who_lost_buyer_roles_no_longer_sees_the_unit(work_unit) -> None:
    former = user_with_role("seller")
    former.work_unit_id = work_unit.id

    assert not permissions.can_view_work_unit(former, work_unit)


def test_anonymous_and_missing_users_are_refused(work_unit) -> None:
    for nobody in (None, AnonymousUserMixin()):
        assert not permissions.is_operator(nobody)
        assert not permissions.can_view_work_unit(nobody, work_unit)
        assert not permissions.can_view_agency(nobody, work_unit.agency)
