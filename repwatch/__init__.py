"""repwatch: reputation and review monitoring (command line, configuration, worker wiring)."""

__version__ = "0.1.0"
