"""Tests of the pure energy library."""
