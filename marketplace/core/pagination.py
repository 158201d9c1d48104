"""Pagination of `select()` statements for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import Select, func, select

from marketplace.extensions import db


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


#: The highest page number asked for: beyond it, the offset would not fit the databases' 64-bit integers.
MAX_PAGE = 100_000


def requested_page(max_per_page: int = 100) -> tuple[int, int]:
    """Read `page` and `per_page` from the query string, clamped to sane bounds."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PAGE_SIZE"], type=int) or 1
    return min(max(page, 1), MAX_PAGE), min(max(per_page, 1), max_per_page)


def paginate(statement: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run `statement` for one page and count all its rows."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    result = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, total=total, page=page, per_page=per_page)
