"""Who may see and change which product."""

from __future__ import annotations

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product
from marketplace.cooperatives.states import MembershipStatus


def is_active_member(user: User) -> bool:
    """A seller whose membership is active (may list products)."""
    membership = user.membership
    return user.has_role(Role.SELLER) and membership is not None and membership.status == MembershipStatus.ACTIVE


def manages_cooperative(user: User, cooperative_id: int) -> bool:
    return user.has_role(Role.COOP_MANAGER) and user.cooperative_id == cooperative_id


def can_view_product(user: User, product: Product) -> bool:
    """Drafts and revisions: the maker, the cooperative's managers and operators."""
    return (
        product.seller_id == user.id
        or manages_cooperative(user, product.cooperative_id)
        or user.has_role(Role.OPERATOR)
    )


def can_edit_product(user: User, product: Product) -> bool:
    """The maker (while an active member) or a manager of the product's cooperative."""
    if product.seller_id == user.id:
        return is_active_member(user) and user.membership.cooperative_id == product.cooperative_id
    return manages_cooperative(user, product.cooperative_id)


def can_review(user: User, cooperative_id: int) -> bool:
    """Approve, reject or send back the cooperative's listings."""
    return manages_cooperative(user, cooperative_id)
