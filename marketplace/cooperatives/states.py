"""The membership lifecycle of a seller in a cooperative."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.core.lifecycle import Lifecycle


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


#: pending → active → suspended → active; pending → rejected. Every move is audited as `membership.<action>`.
MEMBERSHIP = Lifecycle(
    "membership",
    {
        "approve": ({MembershipStatus.PENDING.value}, MembershipStatus.ACTIVE.value),
        "reject": ({MembershipStatus.PENDING.value}, MembershipStatus.REJECTED.value),
        "suspend": ({MembershipStatus.ACTIVE.value}, MembershipStatus.SUSPENDED.value),
        "reactivate": ({MembershipStatus.SUSPENDED.value}, MembershipStatus.ACTIVE.value),
    },
)

#: Actions that need a written reason.
ACTIONS_NEEDING_REASON = frozenset({"reject", "suspend"})

#: Order of the status tabs on the members page.
STATUS_ORDER = (
    MembershipStatus.PENDING,
    MembershipStatus.ACTIVE,
    MembershipStatus.SUSPENDED,
    MembershipStatus.REJECTED,
)

STATUS_LABELS = {
    MembershipStatus.PENDING: _l("Waiting for approval"),
    MembershipStatus.ACTIVE: _l("Active"),
    MembershipStatus.SUSPENDED: _l("Suspended"),
    MembershipStatus.REJECTED: _l("Rejected"),
}

ACTION_LABELS = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "suspend": _l("Suspended"),
    "reactivate": _l("Reactivated"),
}
