"""The operator's list of units (`unit_pengukuran`): add, rename, deactivate and reactivate; all audited."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from marketplace.accounts.models import User
from marketplace.catalog.models import Unit
from marketplace.catalog.rules import forget_active_units
from marketplace.catalog.services.reference.common import clean_lkpp_id, clean_name, require_operator
from marketplace.core.audit import record_changes, record_event
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.extensions import db


def units_query() -> Select:
    """Every unit (inactive ones too), in the order sellers see them."""
    return select(Unit).order_by(Unit.is_active.desc(), Unit.position, Unit.name)


def get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_("This unit does not exist."))
    return unit


def _check_unit_name(name: str, exclude_id: int | None = None) -> None:
    statement = select(Unit.id).where(func.lower(Unit.name) == name.lower())
    if exclude_id is not None:
        statement = statement.where(Unit.id != exclude_id)
    if db.session.scalar(statement.limit(1)) is not None:
        raise ValidationFailed("unit taken", {"name": _("A unit with this name exists already.")})


def create_unit(*, actor: User, name: str, lkpp_id: str | None = None) -> Unit:
    """Add a unit at the end of the list."""
    require_operator(actor)
    name = clean_name(name, limit=40)
    _check_unit_name(name)
    position = (db.session.scalar(select(func.max(Unit.position))) or 0) + 1
    unit = Unit(name=name, lkpp_id=clean_lkpp_id(lkpp_id), position=position, is_active=True)
    db.session.add(unit)
    db.session.flush()
    record_event(
        "unit.create",
        subject_type="unit",
        subject_id=unit.id,
        actor_id=actor.id,
        after={"name": unit.name, "lkpp_id": unit.lkpp_id},
    )
    db.session.commit()
    forget_active_units()
    return unit


def update_unit(*, actor: User, unit_id: int, name: str, lkpp_id: str | None = None) -> Unit:
    """Rename a unit and set its LKPP id; products using it show the new name."""
    require_operator(actor)
    unit = get_unit(unit_id)
    name = clean_name(name, limit=40)
    _check_unit_name(name, exclude_id=unit.id)
    record_changes(
        "unit.update",
        subject=unit,
        subject_type="unit",
        actor_id=actor.id,
        values={"name": name, "lkpp_id": clean_lkpp_id(lkpp_id)},
    )
    db.session.commit()
    forget_active_units()
    return unit


def set_unit_active(*, actor: User, unit_id: int, active: bool) -> Unit:
    """Deactivate a unit (sellers can no longer choose it; products keep it) or reactivate it."""
    require_operator(actor)
    unit = get_unit(unit_id)
    record_changes(
        "unit.activate" if active else "unit.deactivate",
        subject=unit,
        subject_type="unit",
        actor_id=actor.id,
        values={"is_active": active},
    )
    db.session.commit()
    forget_active_units()
    return unit
