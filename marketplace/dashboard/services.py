"""What a signed-in user's home page shows, per role: what waits for them (counts the page links to the lists
behind them) and how sales (or, for a work unit, purchases) go. Each figure comes from its domain's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Select, func, select

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.services.review import waiting_count
from marketplace.catalog.states import ProductStatus, RevisionStatus
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.services.members import membership_counts
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.states import FeedStatus
from marketplace.payments.models import StripeEvent
from marketplace.payments.services.ledger_queries import balance
from marketplace.payments.states import EventOutcome
from marketplace.procurement.models import CartItem, Order
from marketplace.procurement.permissions import orders_awaiting
from marketplace.procurement.services import sales
from marketplace.procurement.services.cart import BUYERS
from marketplace.procurement.services.sales import MemberSales, MonthSales, ProductSales, SalesScope, SalesTotal

#: Failed feeds and payment events of this many days are shown to operators.
RECENT_DAYS = 7
#: A seller's changes waiting for the manager or sent back to them.
WAITING_REVISIONS = (RevisionStatus.SUBMITTED, RevisionStatus.CHANGES_REQUESTED)


@dataclass(frozen=True)
class SalesOverview:
    """This month's and this year's completed sales, those under way, the last twelve months and the best
    sellers of the year."""

    this_month: SalesTotal
    this_year: SalesTotal
    under_way: SalesTotal
    months: list[MonthSales]
    best_products: list[ProductSales]
    best_members: list[MemberSales] = field(default_factory=list)

    @property
    def peak(self) -> int:
        """The largest month's amount (the bars' scale), at least 1."""
        return max([month.amount for month in self.months] + [1])


@dataclass(frozen=True)
class ManagerOverview:
    cooperative: Cooperative
    listings_waiting: int
    applications: int
    members_active: int
    sales: SalesOverview


@dataclass(frozen=True)
class SellerOverview:
    listing_counts: dict[str, int]
    balance: int
    sales: SalesOverview


@dataclass(frozen=True)
class OfficerOverview:
    #: None for a bendahara, who has no cart.
    cart_items: int | None
    purchases: SalesOverview


@dataclass(frozen=True)
class OperatorOverview:
    cooperatives_active: int
    members_active: int
    products_on_sale: int
    feeds_failed: int
    payment_events: int
    sales: SalesOverview


@dataclass
class Dashboard:
    """One user's home page: how many orders wait for them (whatever their roles), then a section per role (None:
    the user does not have that role)."""

    orders_awaiting: int = 0
    manager: ManagerOverview | None = None
    seller: SellerOverview | None = None
    officer: OfficerOverview | None = None
    operator: OperatorOverview | None = None


def dashboard_for(user: User) -> Dashboard:
    """Every section `user`'s roles give them."""
    board = Dashboard(orders_awaiting=_count(select(Order.id).where(orders_awaiting(user))))
    if user.has_role(Role.COOP_MANAGER) and user.cooperative_id is not None:
        board.manager = manager_overview(user)
    if user.has_role(Role.SELLER) and user.membership is not None:
        board.seller = seller_overview(user)
    if user.has_role(Role.PP, Role.PPK, Role.BENDAHARA) and user.work_unit_id is not None:
        board.officer = officer_overview(user)
    if user.has_role(Role.OPERATOR):
        board.operator = operator_overview()
    return board


def sales_overview(scope: SalesScope, *, by_member: bool = False) -> SalesOverview:
    """The sales figures of `scope` as of today (WIB)."""
    today = today_wib()
    year_start = today.replace(month=1, day=1)
    return SalesOverview(
        this_month=sales.completed_sales(scope, since=today.replace(day=1)),
        this_year=sales.completed_sales(scope, since=year_start),
        under_way=sales.sales_under_way(scope),
        months=sales.monthly_sales(scope, today=today),
        best_products=sales.best_selling_products(scope, since=year_start),
        best_members=sales.sales_by_member(scope, since=year_start) if by_member else [],
    )


def manager_overview(user: User) -> ManagerOverview:
    """A manager's cooperative: listings and applications to decide, orders to act on, its sales."""
    cooperative_id = user.cooperative_id
    members = membership_counts(cooperative_id=cooperative_id)
    return ManagerOverview(
        cooperative=db.session.get(Cooperative, cooperative_id),
        listings_waiting=waiting_count(cooperative_id=cooperative_id),
        applications=members[MembershipStatus.PENDING],
        members_active=members[MembershipStatus.ACTIVE],
        sales=sales_overview(SalesScope(cooperative_id=cooperative_id), by_member=True),
    )


def seller_overview(user: User) -> SellerOverview:
    """A member's products by state, their balance and their sales."""
    return SellerOverview(
        listing_counts=listing_counts(user.id),
        balance=balance(user.membership.cooperative_id, user.id),
        sales=sales_overview(SalesScope(seller_id=user.id)),
    )


def officer_overview(user: User) -> OfficerOverview:
    """A PP's, PPK's or bendahara's cart and their work unit's purchases."""
    return OfficerOverview(
        cart_items=_count(select(CartItem.id).where(CartItem.user_id == user.id)) if user.has_role(*BUYERS) else None,
        purchases=sales_overview(SalesScope(work_unit_id=user.work_unit_id)),
    )


def operator_overview() -> OperatorOverview:
    """The platform: cooperatives, members and products on sale, recent failures, all sales."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    return OperatorOverview(
        cooperatives_active=_count(select(Cooperative.id).where(Cooperative.is_active)),
        members_active=_count(select(Membership.id).where(Membership.status == MembershipStatus.ACTIVE)),
        products_on_sale=_count(select(Product.id).where(Product.status == ProductStatus.ACTIVE)),
        feeds_failed=_count(select(Feed.id).where(Feed.status == FeedStatus.FAILED, Feed.finished_at >= since)),
        payment_events=_count(
            select(StripeEvent.id).where(
                StripeEvent.outcome.in_([EventOutcome.UNMATCHED, EventOutcome.FAILED]), StripeEvent.received_at >= since
            )
        ),
        sales=sales_overview(SalesScope(), by_member=False),
    )


def listing_counts(seller_id: int) -> dict[str, int]:
    """A seller's products on sale, not yet published and withdrawn, and their changes waiting for review or sent
    back (the keys are the product list's status filters)."""
    products = dict(
        db.session.execute(
            select(Product.status, func.count()).where(Product.seller_id == seller_id).group_by(Product.status)
        ).all()
    )
    revisions = dict(
        db.session.execute(
            select(ProductRevision.status, func.count(func.distinct(ProductRevision.product_id)))
            .join(Product, ProductRevision.product_id == Product.id)
            .where(
                Product.seller_id == seller_id,
                ProductRevision.status.in_(WAITING_REVISIONS),
            )
            .group_by(ProductRevision.status)
        ).all()
    )
    counts = {str(status): products.get(status, 0) for status in ProductStatus}
    counts.update(
        {
            str(status): revisions.get(status, 0)
            for status in (RevisionStatus.SUBMITTED, RevisionStatus.CHANGES_REQUESTED)
        }
    )
    return counts


def _count(statement: Select) -> int:
    """How many rows `statement` reads."""
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
