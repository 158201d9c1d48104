"""Deadlines: the party due has 3 working days (WIB dates; weekends, national holidays and cuti bersama skipped)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import lokal
import pytest

from marketplace.core.timeutil import JAKARTA
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


def holiday_names(day: str) -> list[str]:
    return [holiday.name for holiday in lokal.get_holidays(2026).holidays if holiday.date == day]


def test_the_holidays_used_below_are_real_2026_holidays():
    assert holiday_names("2026-08-17") == ["Proklamasi Kemerdekaan"]
    assert holiday_names("2026-05-14") == ["Kenaikan Yesus Kristus"]
    assert holiday_names("2026-05-15")  # cuti bersama after Kenaikan
    assert holiday_names("2026-06-16") == ["1 Muharam Tahun Baru Islam 1448 H"]


@pytest.mark.parametrize(
    ("moment", "last_day"),
    [
        # Monday: Tuesday, Wednesday, Thursday.
        (wib(2026, 6, 8, 10, 0), date(2026, 6, 11)),
        # Thursday 11 June: Friday, (weekend), Monday, (Tuesday 16 June is 1 Muharam), Wednesday.
        (wib(2026, 6, 11, 9, 0), date(2026, 6, 17)),
        # Friday 14 August: (weekend), Monday 17 August is Independence Day, so Tue, Wed, Thu.
        (wib(2026, 8, 14, 16, 0), date(2026, 8, 20)),
        # Wednesday 13 May: Kenaikan (Thu 14) and its cuti bersama (Fri 15), weekend, then Mon, Tue, Wed.
        (wib(2026, 5, 13, 8, 0), date(2026, 5, 20)),
        # Late on Friday in WIB (Friday afternoon in UTC) counts from Friday: Mon 15, Wed 17, Thu 18.
        (wib(2026, 6, 12, 23, 30), date(2026, 6, 18)),
    ],
)
def test_the_deadline_is_the_end_of_the_third_working_day_in_wib(app, moment, last_day):
    with app.app_context():
        due = deadlines.deadline_after(moment.astimezone(UTC))
    assert due.tzinfo is not None
    local = due.astimezone(JAKARTA)
    assert local.date() == last_day
    assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_a_utc_moment_after_wib_midnight_counts_from_the_next_wib_day(app):
    # 2026-06-11 18:00 UTC is Friday 12 June 01:00 WIB: counting starts from Friday.
    with app.app_context():
        due = deadlines.deadline_after(datetime(2026, 6, 11, 18, 0, tzinfo=UTC))
    assert due.astimezone(JAKARTA).date() == date(2026, 6, 18)


def test_a_year_without_holiday_data_skips_weekends_only_and_says_so(app, caplog):
    # lokal knows 2026 and 2027; the SKB 3 Menteri for 2028 is not out yet. Wed 29 Dec 2027: Thu 30, Fri 31, then
    # (weekend) Mon 3 Jan 2028; and on into 2028 (Wed 5 Jan: Thu, Fri, Mon 10).
    assert 2028 not in lokal.HOLIDAY_YEARS
    deadlines._warn_holidays_unknown.cache_clear()  # warned once per process: make this test see it
    with app.app_context():
        across = deadlines.deadline_after(wib(2027, 12, 29, 10, 0))
        within = deadlines.deadline_after(wib(2028, 1, 5, 10, 0))
    assert across.astimezone(JAKARTA).date() == date(2028, 1, 3)
    assert within.astimezone(JAKARTA).date() == date(2028, 1, 10)
    assert any("No Indonesian holiday data for 2028" in record.getMessage() for record in caplog.records)


def test_the_number_of_working_days_comes_from_the_configuration(app):
    app.config["ORDER_AUTO_CANCEL_WORKING_DAYS"] = 1
    try:
        due = deadlines.deadline_after(wib(2026, 8, 14, 10, 0))
    finally:
        app.config["ORDER_AUTO_CANCEL_WORKING_DAYS"] = 3
    assert due.astimezone(JAKARTA).date() == date(2026, 8, 18)


def test_wait_for_sets_and_clears_who_and_until_when(market):
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    deadlines.wait_for(order, deadlines.PPK, now=wib(2026, 8, 14, 10, 0))
    assert order.waiting_for == "ppk"
    assert order.action_due_at == wib(2026, 8, 20, 23, 59, 59)
    assert not deadlines.is_overdue(order, wib(2026, 8, 20, 23, 59))
    assert deadlines.is_overdue(order, wib(2026, 8, 21, 0, 0))

    deadlines.wait_for(order, None)
    assert order.waiting_for is None
    assert order.action_due_at is None
    assert not deadlines.is_overdue(order, wib(2030, 1, 1))
