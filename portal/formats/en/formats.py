"""English dates as the portal has always shown them: 2026-11-28 18:05 (Django's own English is "Nov. 28, 2026, 6:05 p.m.")."""

# Only the display formats change; input formats stay Django's. Chinese uses Django's zh_Hans formats
# (2026年11月28日 18:05), found because no zh_Hans module is here.
DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
