"""Agencies (pemda, kementerian, lembaga), their work units (satker/OPD) and the buyers who belong to them."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from marketplace.accounts.invitations import invite_user
from marketplace.accounts.models import BUYER_ROLES, Role, User
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.agencies.permissions import can_manage_agencies, can_view_agency, can_view_work_unit
from marketplace.core.audit import record_changes, record_event
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.core.validators import InvalidValue, check_email, check_npwp
from marketplace.extensions import db
from marketplace.reference.regions import get_region

#: Kinds of agency with their labels.
AGENCY_KINDS = {
    "pemda_provinsi": _l("Provincial government (pemda provinsi)"),
    "pemda_kabupaten": _l("Regency government (pemda kabupaten)"),
    "pemda_kota": _l("City government (pemda kota)"),
    "kementerian": _l("Ministry (kementerian)"),
    "lembaga": _l("Agency (lembaga)"),
}
#: A local government governs a region of exactly this type.
PEMDA_REGION_TYPES = {"pemda_provinsi": "provinsi", "pemda_kabupaten": "kabupaten", "pemda_kota": "kota"}
PEMDA_REGION_MESSAGES = {
    "pemda_provinsi": _l("A provincial government needs a province."),
    "pemda_kabupaten": _l("A regency government needs a kabupaten."),
    "pemda_kota": _l("A city government needs a kota."),
}
AGENCY_FIELDS = ("name", "kind", "region_code")
WORK_UNIT_FIELDS = ("name", "short_code", "kode_satker", "npwp", "address", "region_code")
SHORT_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KODE_SATKER = re.compile(r"\d{1,20}")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _check_length(errors: dict[str, str], field: str, value: str, limit: int) -> None:
    if field not in errors and len(value) > limit:
        errors[field] = _("At most %(n)d characters.", n=limit)


def _require_manager(actor: User) -> None:
    if not can_manage_agencies(actor):
        raise Forbidden("operators only")


def _reject_unknown_keys(data: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed("unknown fields", {key: _("This field cannot be changed.") for key in unknown})


# Agencies --------------------------------------------------------------------------------------------------------


def agencies_query(*, search: str | None = None) -> Select:
    """Agencies by name, optionally those whose name contains `search`."""
    statement = select(Agency).order_by(Agency.name, Agency.id)
    if search and search.strip():
        statement = statement.where(Agency.name.ilike(f"%{_escape_like(search.strip())}%", escape="\\"))
    return statement


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _agency_name_taken(name: str, exclude_id: int | None) -> bool:
    statement = select(func.count()).select_from(Agency).where(func.lower(Agency.name) == name.lower())
    if exclude_id is not None:
        statement = statement.where(Agency.id != exclude_id)
    return (db.session.scalar(statement) or 0) > 0


def _clean_agency(values: dict[str, Any], *, agency_id: int | None = None) -> dict[str, Any]:
    """Check an agency's fields; raise ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    name = " ".join(_text(values.get("name")).split())
    kind = _text(values.get("kind"))
    region_code = _text(values.get("region_code"))
    if not name:
        errors["name"] = _("Enter the agency's name.")
    _check_length(errors, "name", name, 200)
    if "name" not in errors and _agency_name_taken(name, agency_id):
        errors["name"] = _("An agency with this name already exists.")
    if kind not in AGENCY_KINDS:
        errors["kind"] = _("Choose the kind of agency.")
    region = get_region(region_code)
    if region is None or region.level not in (1, 2):
        errors["region_code"] = _("Choose a province or a regency/city.")
    elif kind in PEMDA_REGION_TYPES and region.type != PEMDA_REGION_TYPES[kind]:
        errors["region_code"] = str(PEMDA_REGION_MESSAGES[kind])
    if errors:
        raise ValidationFailed("invalid agency", errors)
    return {"name": name, "kind": kind, "region_code": region_code}


def create_agency(*, actor: User, name: str, kind: str, region_code: str) -> Agency:
    """Create an agency (operators only); the name is unique, a pemda's region matches its kind.

    Raises ValidationFailed with keys `name`, `kind`, `region_code`.
    """
    _require_manager(actor)
    cleaned = _clean_agency({"name": name, "kind": kind, "region_code": region_code})
    agency = Agency(**cleaned)
    db.session.add(agency)
    db.session.flush()
    record_event("agency.create", subject_type="agency", subject_id=agency.id, actor_id=actor.id, after=cleaned)
    db.session.commit()
    return agency


def update_agency(*, actor: User, agency: Agency, data: dict) -> Agency:
    """Change some of `name`, `kind`, `region_code` (a pemda keeps its work units inside); audits changed fields."""
    _require_manager(actor)
    _reject_unknown_keys(data, AGENCY_FIELDS)
    current = {key: getattr(agency, key) for key in AGENCY_FIELDS}
    cleaned = _clean_agency({**current, **data}, agency_id=agency.id)
    if any(not _region_fits(cleaned["kind"], cleaned["region_code"], u.region_code) for u in agency.work_units):
        raise ValidationFailed(
            "work units outside", {"region_code": _("Some of the agency's work units lie outside this region.")}
        )
    record_changes("agency.update", subject=agency, subject_type="agency", actor_id=actor.id, values=cleaned)
    db.session.commit()
    return agency


def visible_agency(*, actor: User, agency_id: int) -> Agency:
    """The agency if `actor` may see it (operator: any; buyer: their own); NotFound otherwise."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not can_view_agency(actor, agency):
        raise NotFound("agency")
    return agency


# Work units ------------------------------------------------------------------------------------------------------


def _kode_satker_taken(kode: str, exclude_id: int | None) -> bool:
    statement = select(func.count()).select_from(WorkUnit).where(WorkUnit.kode_satker == kode)
    if exclude_id is not None:
        statement = statement.where(WorkUnit.id != exclude_id)
    return (db.session.scalar(statement) or 0) > 0


def _short_code_taken(agency_id: int, short_code: str, exclude_id: int | None) -> bool:
    statement = (
        select(func.count())
        .select_from(WorkUnit)
        .where(WorkUnit.agency_id == agency_id, WorkUnit.short_code == short_code)
    )
    if exclude_id is not None:
        statement = statement.where(WorkUnit.id != exclude_id)
    return (db.session.scalar(statement) or 0) > 0


def _region_fits(kind: str, agency_region: str, region_code: str) -> bool:
    if kind not in PEMDA_REGION_TYPES:
        return True
    return region_code == agency_region or region_code.startswith(agency_region + ".")


def region_fits_agency(agency: Agency, region_code: str) -> bool:
    """A pemda's work units lie inside its region; ministries and lembaga have units anywhere."""
    return _region_fits(agency.kind, agency.region_code, region_code)


def _clean_work_unit(agency: Agency, values: dict[str, Any], *, work_unit_id: int | None = None) -> dict[str, Any]:
    """Check a work unit's fields; raise ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    name = " ".join(_text(values.get("name")).split())
    short_code = _text(values.get("short_code")).lower()
    kode_satker = re.sub(r"\s", "", _text(values.get("kode_satker")))
    npwp = _text(values.get("npwp")) or None
    address = _text(values.get("address")) or None
    region_code = _text(values.get("region_code"))
    if not name:
        errors["name"] = _("Enter the work unit's name.")
    _check_length(errors, "name", name, 200)
    if not SHORT_CODE.fullmatch(short_code):
        errors["short_code"] = _("Use lowercase letters, digits and hyphens, e.g. dinsos.")
    _check_length(errors, "short_code", short_code, 30)
    if "short_code" not in errors and _short_code_taken(agency.id, short_code, work_unit_id):
        errors["short_code"] = _("Another work unit of this agency already uses this code.")
    if not KODE_SATKER.fullmatch(kode_satker):
        errors["kode_satker"] = _("The kode satker is made of digits only (at most 20).")
    elif _kode_satker_taken(kode_satker, work_unit_id):
        errors["kode_satker"] = _("Another work unit already has this kode satker.")
    if npwp is not None:
        try:
            npwp = check_npwp(npwp)
        except InvalidValue as exc:
            errors["npwp"] = str(exc.message)
    _check_length(errors, "address", address or "", 500)
    if get_region(region_code) is None:
        errors["region_code"] = _("Unknown region code. Choose the region from the list.")
    elif not region_fits_agency(agency, region_code):
        errors["region_code"] = _("The work unit must lie in the agency's region.")
    if errors:
        raise ValidationFailed("invalid work unit", errors)
    return {
        "name": name,
        "short_code": short_code,
        "kode_satker": kode_satker,
        "npwp": npwp,
        "address": address,
        "region_code": region_code,
    }


def create_work_unit(
    *,
    actor: User,
    agency: Agency,
    name: str,
    short_code: str,
    kode_satker: str,
    npwp: str | None = None,
    address: str | None = None,
    region_code: str,
) -> WorkUnit:
    """Create a work unit of `agency` (operators only).

    `short_code` is lower-cased and unique in the agency, `kode_satker` digits and unique, `npwp` checked, the
    region known (inside the agency's region for a pemda). Raises ValidationFailed with the field keys.
    """
    _require_manager(actor)
    values = {
        "name": name,
        "short_code": short_code,
        "kode_satker": kode_satker,
        "npwp": npwp,
        "address": address,
        "region_code": region_code,
    }
    cleaned = _clean_work_unit(agency, values)
    work_unit = WorkUnit(agency_id=agency.id, **cleaned)
    db.session.add(work_unit)
    db.session.flush()
    record_event(
        "work_unit.create",
        subject_type="work_unit",
        subject_id=work_unit.id,
        actor_id=actor.id,
        after={"agency_id": agency.id, **cleaned},
    )
    db.session.commit()
    return work_unit


def update_work_unit(*, actor: User, work_unit: WorkUnit, data: dict) -> WorkUnit:
    """Change some of the work unit's fields (not its agency); audits the changed fields only."""
    _require_manager(actor)
    _reject_unknown_keys(data, WORK_UNIT_FIELDS)
    current = {key: getattr(work_unit, key) for key in WORK_UNIT_FIELDS}
    cleaned = _clean_work_unit(work_unit.agency, {**current, **data}, work_unit_id=work_unit.id)
    record_changes("work_unit.update", subject=work_unit, subject_type="work_unit", actor_id=actor.id, values=cleaned)
    db.session.commit()
    return work_unit


def visible_work_unit(*, actor: User, work_unit_id: int) -> WorkUnit:
    """The work unit if `actor` may see it (operator: any; buyer: their own); NotFound otherwise."""
    work_unit = db.session.get(WorkUnit, work_unit_id)
    if work_unit is None or not can_view_work_unit(actor, work_unit):
        raise NotFound("work unit")
    return work_unit


def work_unit_members(*, work_unit_id: int) -> list[User]:
    """The people attached to a work unit, by name."""
    return list(
        db.session.scalars(select(User).where(User.work_unit_id == work_unit_id).order_by(User.full_name, User.id))
    )


# Buyers ----------------------------------------------------------------------------------------------------------


def _buyer_roles(roles: list[Role | str]) -> list[Role]:
    chosen: list[Role] = []
    for value in roles or ():
        try:
            role = Role(value)
        except ValueError:
            role = None
        if role not in BUYER_ROLES:
            raise ValidationFailed("invalid role", {"roles": _("Choose among PP, PPK and bendahara.")})
        if role not in chosen:
            chosen.append(role)
    if not chosen:
        raise ValidationFailed("no role", {"roles": _("Choose at least one role.")})
    return chosen


def invite_buyer(*, actor: User, work_unit: WorkUnit, email: str, full_name: str, roles: list[Role]) -> User:
    """Create a buyer account in `work_unit` with one or more of pp, ppk, bendahara and email a set-password link.

    Raises ValidationFailed with keys `email` (malformed or taken), `full_name`, `roles`.
    """
    _require_manager(actor)
    errors: dict[str, str] = {}
    address = ""
    try:
        address = check_email(email)
    except InvalidValue as exc:
        errors["email"] = str(exc.message)
    name = " ".join(_text(full_name).split())
    if not name:
        errors["full_name"] = _("Enter the person's full name.")
    _check_length(errors, "full_name", name, 120)
    try:
        chosen = _buyer_roles(roles)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("invalid invitation", errors)
    user = invite_user(email=address, full_name=name, roles=chosen, actor=actor, work_unit_id=work_unit.id)
    db.session.commit()
    return user
