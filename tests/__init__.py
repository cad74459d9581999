"""Tests of the hems integration, its libraries and the simulator."""
