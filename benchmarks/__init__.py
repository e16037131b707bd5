"""Benchmarks run on purpose (not by the test suite); see docs/benchmarks.md."""
