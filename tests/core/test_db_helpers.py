"""Dialect helpers: pipelined writes (PostgreSQL's pipeline mode; one by one elsewhere), INSERT … SELECT under
parents found by their columns, and the dialect's upsert."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.core.audit import AuditEvent
from marketplace.core.db import insert_under_parents, pipelined, upsert_insert
from marketplace.procurement.models import NumberSequence
from tests.factories import CooperativeFactory


def events(db, action: str) -> list[tuple[int | None, dict | None]]:
    query = select(AuditEvent.subject_id, AuditEvent.after).where(AuditEvent.action == action)
    return list(db.session.execute(query.order_by(AuditEvent.id)).all())


def test_pipelined_writes_all_apply_and_later_statements_see_earlier_ones(db):
    cooperative = CooperativeFactory()
    db.session.flush()
    table = NumberSequence.__table__
    with pipelined(db.session):
        db.session.execute(
            insert(table).inline(), [{"cooperative_id": cooperative.id, "prefix": "T", "year": 2026, "last_value": 7}]
        )
        db.session.execute(update(table).where(table.c.prefix == "T").values(last_value=table.c.last_value + 1))
    assert db.session.scalar(select(NumberSequence.last_value).where(NumberSequence.prefix == "T")) == 8


def test_a_failing_statement_in_the_pipeline_raises_sqlalchemys_error_and_rolls_back(db, caplog):
    cooperative = CooperativeFactory()
    db.session.commit()
    table = NumberSequence.__table__
    row = {"cooperative_id": cooperative.id, "prefix": "T", "year": 2026, "last_value": 1}
    with pytest.raises(IntegrityError), pipelined(db.session):
        db.session.execute(insert(table).inline(), [row])
        db.session.execute(insert(table).inline(), [row])  # the same primary key again
        db.session.execute(update(table).values(last_value=99))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(table).where(table.c.prefix == "T")) == 0
    # The one failure is the error raised; ending the aborted pipeline logs nothing (a refused checkout is routine).
    assert [record.getMessage() for record in caplog.records if record.name.startswith("psycopg")] == []


def test_insert_under_parents_links_each_row_to_the_parent_its_columns_name(db):
    first, second = CooperativeFactory(), CooperativeFactory()
    db.session.flush()
    table = NumberSequence.__table__
    db.session.execute(
        insert(table),
        [
            {"cooperative_id": cooperative.id, "prefix": prefix, "year": 2026, "last_value": 0}
            for cooperative in (first, second)
            for prefix in ("A", "B")
        ],
    )
    rows = [
        {
            "parent_cooperative": first.id,
            "parent_prefix": "B",
            "action": "test.link",
            "subject_type": "t",
            "after": {"n": 1},
        },
        {
            "parent_cooperative": second.id,
            "parent_prefix": "A",
            "action": "test.link",
            "subject_type": "t",
            "after": None,
        },
    ]
    insert_under_parents(
        db.session,
        AuditEvent.__table__,
        rows,
        link="subject_id",
        parent_id=NumberSequence.cooperative_id,
        match={"parent_cooperative": NumberSequence.cooperative_id, "parent_prefix": NumberSequence.prefix},
    )
    assert events(db, "test.link") == [(first.id, {"n": 1}), (second.id, None)]


def test_upsert_insert_creates_then_updates(db):
    cooperative = CooperativeFactory()
    db.session.flush()
    statement = (
        upsert_insert(db.session)(NumberSequence)
        .values(cooperative_id=cooperative.id, prefix="U", year=2026, last_value=1)
        .on_conflict_do_update(
            index_elements=["cooperative_id", "prefix", "year"], set_={"last_value": NumberSequence.last_value + 1}
        )
        .returning(NumberSequence.last_value)
    )
    assert [db.session.execute(statement).scalar_one() for _ in range(3)] == [1, 2, 3]
