"""Date functions the diagrams call: calendar arithmetic on ISO dates, NRW working days, the engine clock."""

import datetime as dt

import pytest

from engine.core import clock
from workflows import dates


@pytest.mark.parametrize(("start", "days", "expected"), [
    ("2026-03-31", 1, "2026-04-01"),   # Tuesday -> Wednesday
    ("2026-04-02", 1, "2026-04-07"),   # Thursday before Easter: Good Friday and Easter Monday are holidays
    ("2026-12-23", 2, "2026-12-28"),   # Christmas days are skipped
    ("2026-09-25", 10, "2026-10-09"),  # 3 October falls on a Saturday in 2026
    ("2026-04-07", -1, "2026-04-02"),
])
def test_add_working_days_skips_weekends_and_nrw_public_holidays(start, days, expected):
    assert dates.add_working_days(start, days) == expected


def test_corpus_christi_is_a_holiday_in_nrw():
    assert dates.easter_sunday(2026) == dt.date(2026, 4, 5)
    assert not dates.is_working_day("2026-06-04")


def test_months_and_years_between_count_whole_periods():
    assert dates.months_between("2021-06-30", "2026-05-29") == 58
    assert dates.months_between("2021-06-01", "2026-06-01") == 60
    assert dates.years_between("1990-06-02", "2026-06-01") == 35


def test_today_and_days_until_follow_the_frozen_engine_clock():
    with clock.frozen(dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)):
        assert dates.today() == "2026-02-01"  # already the next day in Germany
        assert dates.days_until("2026-02-15") == 14
    assert dates.first_of_next_month("2026-01-31") == "2026-02-01"
    assert dates.add_months("2026-01-31", 1) == "2026-02-28"
