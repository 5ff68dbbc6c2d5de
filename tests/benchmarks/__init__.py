"""Benchmarks run by ``make bench-*``; each writes its figures to ``tests/artifacts/bench/``."""
