"""Working-time calendars for SLA clocks. They are a rule the SLA clocks share with
dispatch, so they live in services.common.calendar; this module keeps the SLA's name for
them."""

from services.common.calendar import IST, Calendar, business_calendar, easter, national_holidays

__all__ = ["IST", "Calendar", "business_calendar", "easter", "national_holidays"]
