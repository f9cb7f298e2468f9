"""The standing adversarial suite: what a hostile member or a flaky network tries.

One module per category of attack, each test asserting a promise a user would
notice (see the README's "Promises under attack" paragraph). It runs in CI on
SQLite and PostgreSQL like every other test.
"""
