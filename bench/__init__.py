"""Benchmarks (issue 9): `make bench` prints a table and writes bench/results.json."""
