"""Tours: each user's progress in each tour (resumed after reloads and on other devices).

Revision ID: c4e8a2f61d3b
Revises: b7c41e0d9a52
Create Date: 2026-12-03 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a2f61d3b"
down_revision = "b7c41e0d9a52"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tour_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("experience_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experience_id"],
            ["experience.id"],
            name="fk_tour_progress_experience_id_experience",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_tour_progress_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name="fk_tour_progress_workspace_id_workspace",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tour_progress"),
        sa.UniqueConstraint("experience_id", "user_id", name="uq_tour_progress_experience_user"),
    )
    op.create_index("ix_tour_progress_user_id", "tour_progress", ["user_id"])


def downgrade():
    op.drop_index("ix_tour_progress_user_id", table_name="tour_progress")
    op.drop_table("tour_progress")
