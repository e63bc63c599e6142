"""Revisions of the s2c schema, oldest first (``v0001_initial`` creates every table)."""
