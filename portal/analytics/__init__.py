"""Dashboard figures: roll-up tables kept fresh by a worker, and the queries that read them.

Pure Python and SQLAlchemy (no Dash): `cases` and `mediation` hold one function per figure,
each with a `plain_` twin that computes the same Table from the base tables.
"""
