"""Alembic migrations shipped inside the package.

``HEAD`` lets start-up tell whether the database is current without loading
Alembic (a test keeps it equal to the script directory's head).
"""

HEAD = "0007"
