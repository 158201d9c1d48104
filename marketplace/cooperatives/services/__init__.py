"""Use cases of the cooperatives domain; import them from here."""

from marketplace.cooperatives.services.admin import (
    cooperative_code,
    cooperative_history,
    cooperatives_query,
    create_cooperative,
    invite_manager,
    member_counts,
    set_cooperative_active,
)
from marketplace.cooperatives.services.members import (
    approve_member,
    check_reason,
    get_membership,
    members_query,
    membership_counts,
    membership_history,
    reactivate_member,
    reject_member,
    suspend_member,
)
from marketplace.cooperatives.services.profile import (
    EDITABLE_FIELDS,
    cooperative_managers,
    datafeed_key_matches,
    masked_key,
    rotate_datafeed_key,
    update_cooperative,
    visible_cooperative,
)

__all__ = [
    "EDITABLE_FIELDS",
    "approve_member",
    "check_reason",
    "cooperative_code",
    "cooperative_history",
    "cooperative_managers",
    "cooperatives_query",
    "create_cooperative",
    "datafeed_key_matches",
    "get_membership",
    "invite_manager",
    "masked_key",
    "member_counts",
    "members_query",
    "membership_counts",
    "membership_history",
    "reactivate_member",
    "reject_member",
    "rotate_datafeed_key",
    "set_cooperative_active",
    "suspend_member",
    "update_cooperative",
    "visible_cooperative",
]
