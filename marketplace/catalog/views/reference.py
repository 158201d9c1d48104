"""Pages for reference data (categories, units, KBKI) for operators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.catalog.display import category_path
from marketplace.catalog.models import Category
from marketplace.catalog.review_forms import (
    ActiveForm,
    CategoryEditForm,
    CategoryForm,
    KbkiImportForm,
    MoveForm,
    UnitForm,
    show_field_errors,
)
from marketplace.catalog.services import reference as services
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required

bp = Blueprint("reference", __name__, url_prefix="/operator/referensi")
INVALID = 422


# Categories -----------------------------------------------------------------------------------------------------


def _category_form(formdata=None, parent: Category | None = None) -> CategoryForm:
    form = CategoryForm(formdata=formdata) if formdata is not None else CategoryForm(formdata=None)
    form.parent_id.choices = [("", _("— top level —")), *((str(i), p) for i, p in services.category_parent_choices())]
    if parent is not None and formdata is None:
        form.parent_id.data = str(parent.id)
    return form


@bp.get("/kategori")
@roles_required(Role.OPERATOR)
def categories():
    """The category tree with an add form."""
    return _categories_page(_category_form())


def _categories_page(form: CategoryForm, status: int = 200):
    return render_template("catalog/reference/categories.html", tree=services.category_tree(), form=form), status


@bp.post("/kategori")
@roles_required(Role.OPERATOR)
def category_create():
    """Add a category (top level or under a level-1 or level-2 category)."""
    form = _category_form(request.form)
    back = request.form.get("back") == "edit"
    if form.validate():
        try:
            category = services.create_category(
                actor=current_user, name=form.name.data, parent_id=form.parent(), lkpp_id=form.lkpp_id.data
            )
        except ValidationFailed as error:
            show_field_errors(form, error)
        else:
            flash(_("The category “%(name)s” was added.", name=category.name), "success")
            if back and category.parent_id:
                return redirect(url_for("reference.category_edit", category_id=category.parent_id))
            return redirect(url_for("reference.categories") + f"#category-{category.id}")
    if back and form.parent() is not None:
        return _category_edit_page(services.get_category(form.parent()), child_form=form, status=INVALID)
    return _categories_page(form, INVALID)


@bp.route("/kategori/<int:category_id>", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def category_edit(category_id: int):
    """Rename a category, set its LKPP id, add a child, deactivate or reactivate it."""
    category = services.get_category(category_id)
    form = CategoryEditForm(obj=category)
    if request.method == "POST":
        if form.validate():
            try:
                services.update_category(
                    actor=current_user, category_id=category.id, name=form.name.data, lkpp_id=form.lkpp_id.data
                )
            except ValidationFailed as error:
                show_field_errors(form, error)
            else:
                flash(_("The category was saved."), "success")
                return redirect(url_for("reference.categories") + f"#category-{category.id}")
        return _category_edit_page(category, form=form, status=INVALID)
    return _category_edit_page(category, form=form)


def _category_edit_page(category: Category, *, form=None, child_form=None, status: int = 200):
    page = render_template(
        "catalog/reference/category_edit.html",
        category=category,
        path=category_path(category.id),
        form=form or CategoryEditForm(formdata=None, obj=category),
        child_form=child_form or _category_form(parent=category),
        can_add_child=category.level < services.MAX_LEVEL and category.is_active,
        active_form=ActiveForm(formdata=None),
    )
    return page, status


@bp.post("/kategori/<int:category_id>/pindah")
@roles_required(Role.OPERATOR)
def category_move(category_id: int):
    """Move a category up or down among its siblings."""
    form = MoveForm()
    if form.validate():
        services.move_category(actor=current_user, category_id=category_id, direction=form.direction.data)
    else:
        services.get_category(category_id)
        flash(_("The form expired. Please try again."), "error")
    return redirect(url_for("reference.categories") + f"#category-{category_id}")


@bp.post("/kategori/<int:category_id>/status")
@roles_required(Role.OPERATOR)
def category_status(category_id: int):
    """Deactivate a category (with its subcategories) or reactivate it."""
    form = ActiveForm()
    if not form.validate():
        services.get_category(category_id)
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("reference.category_edit", category_id=category_id))
    active = form.active.data == "1"
    try:
        category = services.set_category_active(actor=current_user, category_id=category_id, active=active)
    except ValidationFailed as error:
        flash(next(iter(error.fields.values()), error.message), "error")
        return redirect(url_for("reference.category_edit", category_id=category_id))
    if active:
        flash(_("“%(name)s” is active again.", name=category.name), "success")
    else:
        flash(_("“%(name)s” and its subcategories are deactivated.", name=category.name), "success")
    return redirect(url_for("reference.categories") + f"#category-{category.id}")


# Units ----------------------------------------------------------------------------------------------------------


@bp.get("/satuan")
@roles_required(Role.OPERATOR)
def units():
    """Every unit with an add form."""
    return _units_page(UnitForm(formdata=None))


def _units_page(form: UnitForm, status: int = 200):
    page, per_page = requested_page()
    result = paginate(services.units_query(), page, max(per_page, 50))
    return render_template(
        "catalog/reference/units.html", page=result, form=form, active_form=ActiveForm(formdata=None)
    ), status


@bp.post("/satuan")
@roles_required(Role.OPERATOR)
def unit_create():
    """Add a unit."""
    form = UnitForm()
    if form.validate():
        try:
            unit = services.create_unit(actor=current_user, name=form.name.data, lkpp_id=form.lkpp_id.data)
        except ValidationFailed as error:
            show_field_errors(form, error)
        else:
            flash(_("The unit “%(name)s” was added.", name=unit.name), "success")
            return redirect(url_for("reference.units"))
    return _units_page(form, INVALID)


@bp.route("/satuan/<int:unit_id>", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def unit_edit(unit_id: int):
    """Rename a unit and set its LKPP id."""
    unit = services.get_unit(unit_id)
    form = UnitForm(obj=unit)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.validate():
            try:
                services.update_unit(
                    actor=current_user, unit_id=unit.id, name=form.name.data, lkpp_id=form.lkpp_id.data
                )
            except ValidationFailed as error:
                show_field_errors(form, error)
            else:
                flash(_("The unit was saved."), "success")
                return redirect(url_for("reference.units"))
    return render_template("catalog/reference/unit_edit.html", unit=unit, form=form), status


@bp.post("/satuan/<int:unit_id>/status")
@roles_required(Role.OPERATOR)
def unit_status(unit_id: int):
    """Deactivate or reactivate a unit."""
    form = ActiveForm()
    if not form.validate():
        services.get_unit(unit_id)
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("reference.units"))
    unit = services.set_unit_active(actor=current_user, unit_id=unit_id, active=form.active.data == "1")
    if unit.is_active:
        flash(_("“%(name)s” is active again.", name=unit.name), "success")
    else:
        flash(_("“%(name)s” is deactivated: sellers can no longer choose it.", name=unit.name), "success")
    return redirect(url_for("reference.units"))


# KBKI -----------------------------------------------------------------------------------------------------------


@bp.get("/kbki")
@roles_required(Role.OPERATOR)
def kbki():
    """The KBKI codes with a search and the CSV import form."""
    return _kbki_page(KbkiImportForm(formdata=None))


def _kbki_page(form: KbkiImportForm, *, bad_rows: list | None = None, status: int = 200):
    search = (request.args.get("q") or "").strip()[:100]
    page, per_page = requested_page()
    result = paginate(services.kbki_query(search=search or None), page, per_page)
    return render_template(
        "catalog/reference/kbki.html",
        page=result,
        search=search,
        form=form,
        bad_rows=bad_rows,
        max_shown=200,
    ), status


@bp.post("/kbki/impor")
@roles_required(Role.OPERATOR)
def kbki_import():
    """Import KBKI codes from a CSV; nothing is imported when any row is bad."""
    form = KbkiImportForm()
    if not form.validate():
        return _kbki_page(form, status=INVALID)
    try:
        result = services.import_kbki_csv(actor=current_user, data=form.file.data.read())
    except services.KbkiImportFailed as error:
        form.file.errors = [*form.file.errors, error.message]
        return _kbki_page(form, bad_rows=error.rows, status=INVALID)
    flash(
        _(
            "%(rows)d codes read: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.",
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    return redirect(url_for("reference.kbki"))
