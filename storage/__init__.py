"""Storage: SQLAlchemy models and the domain queries the core asks for.

All SQL lives in this package. The core calls functions named in domain words
(``sessions_on``, ``add_memo``) inside a transaction from ``Database``.
"""
