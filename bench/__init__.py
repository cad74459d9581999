"""Benchmarks: our code and the field's libraries side by side (see scripts/bench)."""
