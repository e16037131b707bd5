"""Errors of the reports package."""


class ReportError(Exception):
    """Root of the errors raised while building a report."""


class InvalidReportRangeError(ReportError):
    """The requested weeks or reference time cannot make a report range."""


class UnsupportedDatabaseError(ReportError):
    """The database dialect has no week-bucketing expression."""


class ReportDatabaseError(ReportError):
    """The database could not be read, for example because it was never migrated."""


class IncompleteWeekError(ReportError):
    """The week asked for has not ended yet, so its digest cannot be posted."""
