"""Errors of the configuration."""


class ConfigError(Exception):
    """The configuration file or environment holds a bad value (exit code 2)."""


class InvalidScheduleError(ConfigError):
    """A schedule names an impossible weekday, hour or time zone."""
