"""Categories, units and the KBKI list through the services: rules, audit events and the CSV import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.catalog.rules import clean_listing
from marketplace.catalog.services.reference import (
    KbkiImportFailed,
    category_parent_choices,
    category_tree,
    create_category,
    create_unit,
    import_kbki_csv,
    kbki_query,
    move_category,
    set_category_active,
    set_unit_active,
    update_category,
    update_unit,
)
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, ValidationFailed
from marketplace.extensions import db
from tests.factories import catalog_reference, listing_data, user_with_role


def actions(subject_type: str) -> list[str]:
    statement = select(AuditEvent.action).where(AuditEvent.subject_type == subject_type).order_by(AuditEvent.id)
    return list(db.session.scalars(statement))


@pytest.fixture
def tree(operator) -> dict[str, Category]:
    """Bahan Pokok › Beras dan Serealia › Beras, and Bahan Pokok › Minyak dan Lemak."""
    top = create_category(actor=operator, name="Bahan Pokok")
    grains = create_category(actor=operator, name="Beras dan Serealia", parent_id=top.id)
    rice = create_category(actor=operator, name="Beras", parent_id=grains.id, lkpp_id="LKPP-77")
    oils = create_category(actor=operator, name="Minyak dan Lemak", parent_id=top.id)
    return {"top": top, "grains": grains, "rice": rice, "oils": oils}


class TestCategories:
    def test_levels_follow_the_parent_up_to_three(self, operator, tree) -> None:
        assert [tree[key].level for key in ("top", "grains", "rice")] == [1, 2, 3]
        assert tree["rice"].lkpp_id == "LKPP-77"
        with pytest.raises(ValidationFailed) as error:
            create_category(actor=operator, name="Beras Merah", parent_id=tree["rice"].id)
        assert "parent_id" in error.value.fields
        assert actions("category") == ["category.create"] * 4

    def test_names_are_unique_among_siblings_ignoring_case(self, operator, tree) -> None:
        with pytest.raises(ValidationFailed) as error:
            create_category(actor=operator, name="  beras   DAN serealia ", parent_id=tree["top"].id)
        assert "name" in error.value.fields
        with pytest.raises(ValidationFailed):
            create_category(actor=operator, name="bahan pokok")  # top level: parent NULL
        other = create_category(actor=operator, name="Beras", parent_id=tree["oils"].id)  # another parent: fine
        assert other.level == 3

    def test_empty_or_unknown_input_is_refused(self, operator) -> None:
        with pytest.raises(ValidationFailed) as error:
            create_category(actor=operator, name="   ")
        assert "name" in error.value.fields
        with pytest.raises(ValidationFailed) as error:
            create_category(actor=operator, name="Tekstil", parent_id=999999)
        assert "parent_id" in error.value.fields
        with pytest.raises(ValidationFailed) as error:
            create_category(actor=operator, name="x" * 121)
        assert "name" in error.value.fields

    def test_rename_is_audited_with_before_and_after(self, operator, tree) -> None:
        update_category(actor=operator, category_id=tree["rice"].id, name="Beras Putih", lkpp_id="")
        assert (tree["rice"].name, tree["rice"].lkpp_id) == ("Beras Putih", None)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "category.update"))
        assert event.before == {"name": "Beras", "lkpp_id": "LKPP-77"}
        assert event.after == {"name": "Beras Putih", "lkpp_id": None}
        with pytest.raises(ValidationFailed):
            update_category(actor=operator, category_id=tree["oils"].id, name="BERAS DAN SEREALIA")
        update_category(actor=operator, category_id=tree["oils"].id, name="Minyak dan lemak")  # its own name, recased

    def test_moving_swaps_neighbours_and_stops_at_the_ends(self, operator, tree) -> None:
        sugar = create_category(actor=operator, name="Gula", parent_id=tree["top"].id)
        siblings = lambda: [c.name for c in tree["top"].children]  # noqa: E731
        db.session.expire(tree["top"], ["children"])
        assert siblings() == ["Beras dan Serealia", "Minyak dan Lemak", "Gula"]
        move_category(actor=operator, category_id=sugar.id, direction="up")
        db.session.expire(tree["top"], ["children"])
        assert siblings() == ["Beras dan Serealia", "Gula", "Minyak dan Lemak"]
        move_category(actor=operator, category_id=tree["grains"].id, direction="up")  # already first
        move_category(actor=operator, category_id=tree["grains"].id, direction="down")
        db.session.expire(tree["top"], ["children"])
        assert siblings() == ["Gula", "Beras dan Serealia", "Minyak dan Lemak"]
        assert actions("category").count("category.move") == 2
        with pytest.raises(ValidationFailed):
            move_category(actor=operator, category_id=sugar.id, direction="sideways")

    def test_the_tree_lists_every_category_depth_first(self, operator, tree) -> None:
        nodes = category_tree()
        assert [(n.category.name, n.depth) for n in nodes] == [
            ("Bahan Pokok", 0), ("Beras dan Serealia", 1), ("Beras", 2), ("Minyak dan Lemak", 1),
        ]  # fmt: skip
        assert [(n.first, n.last, n.child_count) for n in nodes][1] == (True, False, 1)
        assert [label for _, label in category_parent_choices()] == [
            "Bahan Pokok", "Bahan Pokok › Beras dan Serealia", "Bahan Pokok › Minyak dan Lemak",
        ]  # fmt: skip

    def test_deactivating_takes_the_subtree_out_of_the_sellers_choices(self, operator, tree) -> None:
        reference = {"category_id": tree["rice"].id, "kbki": catalog_reference()["kbki"]}
        set_category_active(actor=operator, category_id=tree["grains"].id, active=False)
        assert (tree["grains"].is_active, tree["rice"].is_active, tree["top"].is_active) == (False, False, True)
        with pytest.raises(ValidationFailed) as error:
            clean_listing(listing_data(reference), is_pkp=False, today=date.today())
        assert "category_id" in error.value.fields
        with pytest.raises(ValidationFailed):
            create_category(actor=operator, name="Jagung", parent_id=tree["grains"].id)
        with pytest.raises(ValidationFailed):  # the parent must come back first
            set_category_active(actor=operator, category_id=tree["rice"].id, active=True)
        set_category_active(actor=operator, category_id=tree["grains"].id, active=True)
        set_category_active(actor=operator, category_id=tree["rice"].id, active=True)
        assert tree["rice"].is_active
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "category.deactivate"))
        assert event.after["categories"] == [tree["grains"].id, tree["rice"].id]

    def test_only_operators(self, tree) -> None:
        for role in (Role.SELLER, Role.COOP_MANAGER, Role.PPK):
            with pytest.raises(Forbidden):
                create_category(actor=user_with_role(role), name="Jasa")
            with pytest.raises(Forbidden):
                set_category_active(actor=user_with_role(role), category_id=tree["top"].id, active=False)


class TestUnits:
    def test_the_seeded_list_is_there(self, db) -> None:
        assert db.session.scalar(select(func.count()).select_from(Unit)) >= 29
        assert db.session.scalar(select(Unit).where(Unit.name == "Orang Hari")) is not None

    def test_add_rename_and_deactivate(self, operator) -> None:
        unit = create_unit(actor=operator, name="  Batang ")
        assert (unit.name, unit.is_active) == ("Batang", True)
        assert unit.position > db.session.scalar(select(Unit.position).where(Unit.name == "Kegiatan"))
        update_unit(actor=operator, unit_id=unit.id, name="Batang Pohon", lkpp_id="U-9")
        set_unit_active(actor=operator, unit_id=unit.id, active=False)
        assert (unit.name, unit.lkpp_id, unit.is_active) == ("Batang Pohon", "U-9", False)
        assert actions("unit") == ["unit.create", "unit.update", "unit.deactivate"]
        set_unit_active(actor=operator, unit_id=unit.id, active=True)
        assert unit.is_active and actions("unit")[-1] == "unit.activate"

    def test_names_are_unique_ignoring_case(self, operator) -> None:
        with pytest.raises(ValidationFailed) as error:
            create_unit(actor=operator, name="kilogram")
        assert "name" in error.value.fields
        liter = db.session.scalar(select(Unit).where(Unit.name == "Liter"))
        with pytest.raises(ValidationFailed):
            update_unit(actor=operator, unit_id=liter.id, name="GRAM")
        update_unit(actor=operator, unit_id=liter.id, name="liter")
        assert liter.name == "liter"

    def test_a_deactivated_unit_cannot_be_chosen(self, operator) -> None:
        sak = db.session.scalar(select(Unit).where(Unit.name == "Sak"))
        set_unit_active(actor=operator, unit_id=sak.id, active=False)
        with pytest.raises(ValidationFailed) as error:
            clean_listing(listing_data(catalog_reference(), unit="Sak"), is_pkp=False, today=date.today())
        assert "unit" in error.value.fields

    def test_only_operators(self, db) -> None:
        with pytest.raises(Forbidden):
            create_unit(actor=user_with_role(Role.COOP_MANAGER), name="Batang")


GOOD_CSV = (
    "\ufeffkode,judul\r\n"
    "0,Produk pertanian kehutanan dan perikanan\r\n"
    "23,Produk penggilingan padi-padian\r\n"
    "231,Produk penggilingan biji-bijian\r\n"
    "2316,Beras\r\n"
    "23161,Beras setengah giling atau giling penuh\r\n"
    "2316110,Beras giling\r\n"
    '2316110001,"Beras putih, kualitas premium"\r\n'
).encode()


class TestKbkiImport:
    def test_imports_every_level_from_a_file_with_bom(self, operator) -> None:
        result = import_kbki_csv(actor=operator, data=GOOD_CSV)
        assert (result.rows, result.created, result.updated, result.unchanged) == (7, 7, 0, 0)
        codes = {k.code: (k.level, k.title) for k in db.session.scalars(select(KbkiCode))}
        assert codes["0"] == (1, "Produk pertanian kehutanan dan perikanan")
        assert codes["2316110"][0] == 7
        assert codes["2316110001"] == (10, "Beras putih, kualitas premium")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kbki.import"))
        assert event.after == {"rows": 7, "created": 7, "updated": 0} and event.actor_id == operator.id

    def test_importing_again_updates_changed_titles_only(self, operator) -> None:
        import_kbki_csv(actor=operator, data=GOOD_CSV)
        again = "kode,judul\n2316,Beras (semua jenis)\n23161,Beras setengah giling atau giling penuh\n9,Jasa lain\n"
        result = import_kbki_csv(actor=operator, data=again.encode())
        assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
        assert db.session.get(KbkiCode, "2316").title == "Beras (semua jenis)"

    def test_semicolon_files_from_spreadsheets_and_blank_lines_are_read(self, operator) -> None:
        data = b"KODE;Judul\n\n2316110001;Beras putih\n;\n"
        assert import_kbki_csv(actor=operator, data=data).created == 1

    def test_every_bad_row_is_reported_and_nothing_is_imported(self, operator) -> None:
        data = (
            b"kode,judul\n"          # line 1
            b"2316110001,Beras\n"    # 2 fine
            b"231611000,Beras\n"     # 3: 9 digits
            b"12345A,Tepung\n"       # 4: not digits
            b"2316110001,Lagi\n"     # 5: duplicate of line 2
            b"23161,\n"              # 6: no title
            b"01,A,B\n"              # 7: three columns
            b'"2311",\n'             # 8: no title
            b"2352,Gula\n"           # 9 fine
        )  # fmt: skip
        with pytest.raises(KbkiImportFailed) as error:
            import_kbki_csv(actor=operator, data=data)
        assert [line for line, _ in error.value.rows] == [3, 4, 5, 6, 7, 8]
        assert "2" in dict(error.value.rows)[5]  # names the first line with that code
        assert "file" in error.value.fields
        assert db.session.scalar(select(func.count()).select_from(KbkiCode)) == 0
        assert actions("kbki") == []

    def test_line_numbers_count_quoted_line_breaks(self, operator) -> None:
        data = b'kode,judul\n2316,"Beras\ndua baris"\nabc,Salah\n'
        with pytest.raises(KbkiImportFailed) as error:
            import_kbki_csv(actor=operator, data=data)
        assert [line for line, _ in error.value.rows] == [4]

    @pytest.mark.parametrize(
        ("data", "line"),
        [
            (b"code,title\n2316,Beras\n", 1),
            (b"", 1),
            (b"kode,judul\n", 1),
            ("kode,judul\n2316,Beras \xe9\n".encode("latin-1"), 0),
        ],
        ids=["wrong header", "empty", "header only", "not utf-8"],
    )
    def test_unusable_files(self, operator, data, line) -> None:
        with pytest.raises(KbkiImportFailed) as error:
            import_kbki_csv(actor=operator, data=data)
        assert [number for number, _ in error.value.rows] == [line]

    def test_only_operators(self, db) -> None:
        with pytest.raises(Forbidden):
            import_kbki_csv(actor=user_with_role(Role.COOP_MANAGER), data=GOOD_CSV)

    def test_search_by_code_prefix_or_title(self, operator) -> None:
        import_kbki_csv(actor=operator, data=GOOD_CSV)
        assert [k.code for k in db.session.scalars(kbki_query(search="23161"))] == ["23161", "2316110", "2316110001"]
        assert [k.code for k in db.session.scalars(kbki_query(search="PREMIUM"))] == ["2316110001"]
        assert [k.code for k in db.session.scalars(kbki_query(search="100%"))] == []
        assert len(list(db.session.scalars(kbki_query()))) == 7
