"""Benchmarks (not timed tests): python -m benchmarks.<name>."""
