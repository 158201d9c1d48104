"""The operator's three-level category tree: add, rename, reorder, deactivate and reactivate; all audited."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.display import category_path
from marketplace.catalog.models import Category
from marketplace.catalog.services.reference.common import clean_lkpp_id, clean_name, require_operator
from marketplace.core.audit import record_changes, record_event
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.extensions import db

MAX_LEVEL = 3


@dataclass(frozen=True)
class CategoryNode:
    """A category in tree order with its depth and whether it can move up or down among its siblings."""

    category: Category
    depth: int
    first: bool
    last: bool
    child_count: int


def category_tree() -> list[CategoryNode]:
    """Every category (inactive ones too) depth first, siblings by position."""
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[CategoryNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        siblings = children.get(parent_id, [])
        for index, category in enumerate(siblings):
            count = len(children.get(category.id, []))
            nodes.append(CategoryNode(category, depth, index == 0, index == len(siblings) - 1, count))
            walk(category.id, depth + 1)

    walk(None, 0)
    return nodes


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("This category does not exist."))
    return category


def _siblings(parent_id: int | None) -> list[Category]:
    statement = select(Category).where(
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
    )
    return list(db.session.scalars(statement.order_by(Category.position, Category.id)))


def _check_unique_name(name: str, parent_id: int | None, exclude_id: int | None = None) -> None:
    for sibling in _siblings(parent_id):
        if sibling.id != exclude_id and sibling.name.lower() == name.lower():
            raise ValidationFailed("name taken", {"name": _("This level already has a category with this name.")})


def create_category(*, actor: User, name: str, parent_id: int | None = None, lkpp_id: str | None = None) -> Category:
    """Add a category under `parent_id` (a top-level one without), one level below its parent, at most level 3."""
    require_operator(actor)
    name = clean_name(name, limit=120)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Category, parent_id)
        if parent is None:
            raise ValidationFailed("unknown parent", {"parent_id": _("Choose an existing category.")})
        if parent.level >= MAX_LEVEL:
            raise ValidationFailed("too deep", {"parent_id": _("Categories have at most %(n)d levels.", n=MAX_LEVEL)})
        if not parent.is_active:
            raise ValidationFailed("inactive parent", {"parent_id": _("Activate the parent category first.")})
    _check_unique_name(name, parent_id)
    siblings = _siblings(parent_id)
    category = Category(
        name=name,
        parent_id=parent_id,
        level=parent.level + 1 if parent else 1,
        position=max((s.position for s in siblings), default=-1) + 1,
        lkpp_id=clean_lkpp_id(lkpp_id),
        is_active=True,
    )
    db.session.add(category)
    db.session.flush()
    record_event(
        "category.create",
        subject_type="category",
        subject_id=category.id,
        actor_id=actor.id,
        after={"name": category.name, "parent_id": parent_id, "level": category.level, "lkpp_id": category.lkpp_id},
    )
    db.session.commit()
    return category


def update_category(*, actor: User, category_id: int, name: str, lkpp_id: str | None = None) -> Category:
    """Rename a category and set its LKPP id; products keep it (their category path shows the new name)."""
    require_operator(actor)
    category = get_category(category_id)
    name = clean_name(name, limit=120)
    _check_unique_name(name, category.parent_id, exclude_id=category.id)
    record_changes(
        "category.update",
        subject=category,
        subject_type="category",
        actor_id=actor.id,
        values={"name": name, "lkpp_id": clean_lkpp_id(lkpp_id)},
    )
    db.session.commit()
    return category


def move_category(*, actor: User, category_id: int, direction: str) -> Category:
    """Move a category one place `up` or `down` among its siblings (positions are renumbered 0, 1, 2…)."""
    require_operator(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed("bad direction", {"direction": _("Choose up or down.")})
    category = get_category(category_id)
    siblings = _siblings(category.parent_id)
    index = siblings.index(category)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return category
    before = category.position
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    record_event(
        "category.move",
        subject_type="category",
        subject_id=category.id,
        actor_id=actor.id,
        before={"position": before},
        after={"position": category.position},
    )
    db.session.commit()
    return category


def _descendants(category: Category) -> list[Category]:
    found: list[Category] = []
    for child in _siblings(category.id):
        found += [child, *_descendants(child)]
    return found


def set_category_active(*, actor: User, category_id: int, active: bool) -> Category:
    """Deactivate a category with everything below it (sellers can no longer choose it), or reactivate one.

    Products already filed under it keep it until their next edit. A category comes back only under an active parent.
    """
    require_operator(actor)
    category = get_category(category_id)
    if category.is_active == active:
        return category
    if active:
        if category.parent is not None and not category.parent.is_active:
            raise ValidationFailed("inactive parent", {"parent_id": _("Activate the parent category first.")})
        changed = [category]
    else:
        changed = [category, *(c for c in _descendants(category) if c.is_active)]
    for item in changed:
        item.is_active = active
    record_event(
        "category.activate" if active else "category.deactivate",
        subject_type="category",
        subject_id=category.id,
        actor_id=actor.id,
        before={"is_active": not active},
        after={"is_active": active, "categories": [item.id for item in changed]},
    )
    db.session.commit()
    return category


def category_parent_choices() -> list[tuple[int, str]]:
    """Active categories of level 1 and 2 as (id, path), where a child may be added."""
    return [
        (node.category.id, category_path(node.category.id))
        for node in category_tree()
        if node.category.level < MAX_LEVEL and node.category.is_active
    ]
