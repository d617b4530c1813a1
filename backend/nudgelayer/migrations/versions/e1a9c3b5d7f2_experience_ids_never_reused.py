"""Experience ids are never reused on SQLite (AUTOINCREMENT).

Without it SQLite hands a deleted experience's id to the next one created, and the
new experience inherits the old one's events, responses, funnel and tour progress.
PostgreSQL sequences never reuse ids, so there is nothing to do there.

Revision ID: e1a9c3b5d7f2
Revises: d8f3a1c7e942
Create Date: 2026-12-03 17:45:00
"""

from alembic import op

revision = "e1a9c3b5d7f2"
down_revision = "d8f3a1c7e942"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Rebuilding drops the old table; with foreign keys on, that drop would cascade
    # and delete every version. The pragma only takes effect outside a transaction,
    # which is where SQLite migrations run (non-transactional DDL).
    op.execute("PRAGMA foreign_keys=OFF")
    try:
        with op.batch_alter_table(
            "experience", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    finally:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
