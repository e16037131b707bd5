"""Command modules of the `repwatch` command line, one per command group."""
