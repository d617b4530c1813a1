"""Privacy: per-user consent, per-workspace retention, the maintenance job lease.

Revision ID: b7c41e0d9a52
Revises: 6351f20c5c59
Create Date: 2026-12-04 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c41e0d9a52"
down_revision = "6351f20c5c59"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("analytics", sa.Boolean(), nullable=False),
        sa.Column("identified_surveys", sa.Boolean(), nullable=False),
        sa.Column("leaderboards", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_consent_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name="fk_consent_workspace_id_workspace",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_consent"),
    )
    op.create_index("ix_consent_workspace_id", "consent", ["workspace_id"])
    op.create_table(
        "privacy_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name="fk_privacy_settings_workspace_id_workspace",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name="pk_privacy_settings"),
    )
    op.create_table(
        "maintenance_run",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_maintenance_run"),
    )


def downgrade():
    op.drop_table("maintenance_run")
    op.drop_table("privacy_settings")
    op.drop_index("ix_consent_workspace_id", table_name="consent")
    op.drop_table("consent")
