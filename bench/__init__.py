"""Benchmark harness for the mockserver package (run from the repository root)."""
