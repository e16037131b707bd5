"""Errors of the command line and the worker wiring."""


class RepwatchError(Exception):
    """Root of repwatch's own errors."""


class ConfigError(RepwatchError):
    """The configuration file or environment holds a bad value (exit code 2)."""
