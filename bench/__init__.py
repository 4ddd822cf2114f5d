"""Benchmarks of the engine: figures and ratios, printed; not timed tests."""
