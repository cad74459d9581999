"""Custom integrations (this repository holds one: hems)."""
