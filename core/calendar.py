"""The local calendar: working days (weekends and Polish public holidays) and quiet hours.

Everything is computed on local dates and wall-clock hours in the programme's zone and turned
into aware UTC datetimes at the end, so daylight-saving changes shift nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from storage.workdays import Names, holiday_names, is_working_day


class WorkCalendar:
    """Working days and the hours in which people may be messaged."""

    def __init__(self, zone: ZoneInfo, quiet_hours: tuple[int, int] = (20, 8)) -> None:
        self.zone = zone
        self.quiet_start, self.quiet_end = quiet_hours
        # A tick asks the same dates for every JST of a cohort: each is worked out once.
        self._working: dict[dt.date, bool] = {}
        self._after: dict[tuple[dt.date, int], dt.date] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}
        self._at: dict[tuple[dt.date, int, int], dt.datetime] = {}

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A local wall-clock time on a local date, as aware UTC."""
        found = self._at.get((day, hour, minute))
        if found is None:
            local = dt.datetime.combine(day, dt.time(hour, minute), self.zone)
            found = self._at[day, hour, minute] = local.astimezone(dt.UTC)
        return found

    def is_working_day(self, day: dt.date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = is_working_day(day)
        return working

    def holiday_names(self, day: dt.date) -> Names | None:
        return holiday_names(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def working_day_until(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the last one before it: when a notice
        meant for `day` goes so as not to come later (a week's warning of a legal deadline)."""
        return day if self.is_working_day(day) else self.working_day_before(day)

    def working_day_before(self, day: dt.date) -> dt.date:
        """The last working day before `day` (a Friday before a Monday deadline)."""
        day -= dt.timedelta(days=1)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The date `count` working days after `day` (day itself not counted)."""
        found = self._after.get((day, count))
        if found is None:
            found, left = day, count
            while left > 0:
                found += dt.timedelta(days=1)
                left -= self.is_working_day(found)
            self._after[day, count] = found
        return found

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        days = self._between.get((start, end))
        if days is None:
            days, day = 0, start
            while day < end:
                day += dt.timedelta(days=1)
                days += self.is_working_day(day)
            self._between[start, end] = days
        return days

    def first_working_day_of_month(self, year: int, month: int) -> dt.date:
        return self.next_working_day(dt.date(year, month, 1))

    def in_quiet_hours(self, moment: dt.datetime) -> bool:
        hour = moment.astimezone(self.zone).hour
        if self.quiet_start > self.quiet_end:  # over midnight, e.g. 20:00-08:00
            return hour >= self.quiet_start or hour < self.quiet_end
        return self.quiet_start <= hour < self.quiet_end

    def is_working_time(self, moment: dt.datetime) -> bool:
        """A working day, outside quiet hours: when reminders may go and messages may ring."""
        return self.is_working_day(self.local_date(moment)) and not self.in_quiet_hours(moment)

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        """When a message due at `moment` may go out: a working day, outside quiet hours."""
        local = moment.astimezone(self.zone)
        if self.is_working_time(moment):
            return moment.astimezone(dt.UTC)
        day = local.date()
        if local.hour >= self.quiet_end:  # past today's opening hour: tomorrow at the earliest
            day += dt.timedelta(days=1)
        return self.at(self.next_working_day(day), self.quiet_end)


@lru_cache(maxsize=8)
def shared_calendar(zone: ZoneInfo, quiet_hours: tuple[int, int]) -> WorkCalendar:
    """One calendar per zone and quiet hours: what it has worked out serves every pass."""
    return WorkCalendar(zone, quiet_hours)
