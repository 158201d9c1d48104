"""The named permission checks of the cooperatives domain."""

from __future__ import annotations

import pytest

from marketplace.cooperatives import permissions
from tests.factories import UserFactory, user_with_role


@pytest.fixture
def people(cooperative, other_cooperative) -> dict:
    return {
        "operator": user_with_role("operator"),
        "own_manager": user_with_role("coop_manager", cooperative=cooperative),
        "other_manager": user_with_role("coop_manager", cooperative=other_cooperative),
        "seller": user_with_role("seller", cooperative=cooperative),
        "ppk": user_with_role("ppk"),
        # cooperative_id set but without the coop_manager role (e.g. the role was removed).
        "former_manager": UserFactory(roles=["seller"], managed_cooperative=cooperative),
    }


MAY_MANAGE = {"operator", "own_manager"}


@pytest.mark.parametrize("who", ["operator", "own_manager", "other_manager", "seller", "ppk", "former_manager"])
def test_cooperative_checks(who, people, cooperative, make_member) -> None:
    user = people[who]
    membership = make_member("pending")
    expected = who in MAY_MANAGE

    assert permissions.can_view_cooperative(user, cooperative) is expected
    assert permissions.can_manage_cooperative(user, cooperative) is expected
    assert permissions.can_invite_manager(user, cooperative) is expected
    assert permissions.can_view_membership(user, membership) is expected
    assert permissions.can_decide_membership(user, membership) is expected


@pytest.mark.parametrize("who", ["operator", "own_manager", "other_manager", "seller", "ppk"])
def test_operator_only_checks(who, people) -> None:
    user = people[who]
    expected = who == "operator"

    assert permissions.can_create_cooperative(user) is expected
    assert permissions.can_rename_cooperative(user) is expected
    assert permissions.can_set_cooperative_active(user) is expected


def test_nobody_signed_in_may_do_anything(cooperative, make_member) -> None:
    assert not permissions.can_view_cooperative(None, cooperative)
    assert not permissions.can_view_membership(None, make_member("pending"))
    assert not permissions.can_create_cooperative(None)


def test_manager_without_a_cooperative_manages_nothing(cooperative) -> None:
    orphan = UserFactory(roles=["coop_manager"])
    assert not permissions.can_manage_cooperative(orphan, cooperative)
    assert not permissions.is_manager_of(orphan, None)
