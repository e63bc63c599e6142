"""Alembic scripts of s2c-sqlalchemy (run through ``s2c_sqlalchemy.migrate``, never by hand).

The revisions live in ``versions/``; ``env.py`` runs them on the connection handed over by
[migrate][s2c_sqlalchemy.schema.migrate], recording the revision in the private table
``s2c_alembic_version`` so the host application's own Alembic history is untouched.
"""
