"""Nudges: API keys, signals, What's new entries, nudge settings, per-user nudge state,
granted interruptions.

Revision ID: d8f3a1c7e942
Revises: c5a8e2f17b30
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d8f3a1c7e942"
down_revision = "c5a8e2f17b30"
branch_labels = None
depends_on = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspace.id"],
        name=f"fk_{table}_workspace_id_workspace",
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        _workspace_fk("api_key"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name="fk_api_key_created_by_id_user", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
        sa.UniqueConstraint("key_hash", name="uq_api_key_key_hash"),
    )
    op.create_index("ix_api_key_workspace_id", "api_key", ["workspace_id"])
    op.create_table(
        "signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("scope_hash", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_key_id", sa.Integer(), nullable=True),
        _workspace_fk("signal"),
        sa.ForeignKeyConstraint(
            ["updated_by_key_id"],
            ["api_key.id"],
            name="fk_signal_updated_by_key_id_api_key",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signal"),
        sa.UniqueConstraint(
            "workspace_id", "key", "scope_hash", name="uq_signal_workspace_key_scope"
        ),
    )
    op.create_table(
        "changelog_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _workspace_fk("changelog_entry"),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name="fk_changelog_entry_created_by_id_user",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_changelog_entry"),
    )
    op.create_index("ix_changelog_entry_workspace_id", "changelog_entry", ["workspace_id"])
    op.create_table(
        "nudge_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("overlay_url", sa.String(length=2000), nullable=True),
        sa.Column("interruption_limit", sa.Integer(), nullable=False),
        sa.Column("interruption_period_hours", sa.Integer(), nullable=False),
        sa.Column("interruption_gap_minutes", sa.Integer(), nullable=False),
        sa.Column("digest_webhook_url", sa.Text(), nullable=True),
        sa.Column("digest_frequency", sa.String(length=8), nullable=False),
        sa.Column("digest_last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _workspace_fk("nudge_settings"),
        sa.PrimaryKeyConstraint("workspace_id", name="pk_nudge_settings"),
    )
    op.create_table(
        "nudge_user_state",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("whatsnew_read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_nudge_user_state_user_id_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_nudge_user_state"),
    )
    op.create_table(
        "interruption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("experience_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        _workspace_fk("interruption"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_interruption_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["experience_id"],
            ["experience.id"],
            name="fk_interruption_experience_id_experience",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_interruption"),
    )
    op.create_index("ix_interruption_user_granted", "interruption", ["user_id", "granted_at"])


def downgrade():
    op.drop_index("ix_interruption_user_granted", table_name="interruption")
    op.drop_table("interruption")
    op.drop_table("nudge_user_state")
    op.drop_table("nudge_settings")
    op.drop_index("ix_changelog_entry_workspace_id", table_name="changelog_entry")
    op.drop_table("changelog_entry")
    op.drop_table("signal")
    op.drop_index("ix_api_key_workspace_id", table_name="api_key")
    op.drop_table("api_key")
