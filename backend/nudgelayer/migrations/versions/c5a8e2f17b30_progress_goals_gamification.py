"""Progress and gamification: checklist ticks, counter values, goals and commitments,
points/streak/achievement rules, and an index for reading one user's events by type.

Revision ID: c5a8e2f17b30
Revises: c4e8a2f61d3b
Create Date: 2026-12-04 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5a8e2f17b30"
down_revision = "c4e8a2f61d3b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checklist_tick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("experience_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("ticked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name="fk_checklist_tick_workspace_id_workspace", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experience_id"], ["experience.id"],
            name="fk_checklist_tick_experience_id_experience", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_checklist_tick_user_id_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checklist_tick"),
        sa.UniqueConstraint(
            "experience_id", "user_id", "item_index", name="uq_checklist_tick_experience_user_item"
        ),
    )
    op.create_index("ix_checklist_tick_user_id", "checklist_tick", ["user_id"])

    op.create_table(
        "counter_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=254), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name="fk_counter_value_workspace_id_workspace", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"],
            name="fk_counter_value_updated_by_id_user", ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_counter_value"),
        sa.UniqueConstraint(
            "workspace_id", "key", "scope", "scope_value", name="uq_counter_value_key_scope"
        ),
    )

    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("segment", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name="fk_goal_workspace_id_workspace", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name="fk_goal_created_by_id_user", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_goal"),
    )
    op.create_index("ix_goal_workspace_id", "goal", ["workspace_id"])

    op.create_table(
        "goal_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name="fk_goal_commitment_goal_id_goal", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_goal_commitment_user_id_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_goal_commitment"),
        sa.UniqueConstraint("goal_id", "user_id", name="uq_goal_commitment_goal_user"),
    )
    op.create_index("ix_goal_commitment_user_id", "goal_commitment", ["user_id"])

    op.create_table(
        "gamification_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(length=16), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name="fk_gamification_rule_workspace_id_workspace", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"],
            name="fk_gamification_rule_created_by_id_user", ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_gamification_rule"),
    )
    op.create_index(
        "ix_gamification_rule_workspace_kind", "gamification_rule", ["workspace_id", "kind"]
    )

    op.create_index("ix_event_user_type_ts", "event", ["user_id", "type", "ts"])


def downgrade():
    op.drop_index("ix_event_user_type_ts", table_name="event")
    op.drop_index("ix_gamification_rule_workspace_kind", table_name="gamification_rule")
    op.drop_table("gamification_rule")
    op.drop_index("ix_goal_commitment_user_id", table_name="goal_commitment")
    op.drop_table("goal_commitment")
    op.drop_index("ix_goal_workspace_id", table_name="goal")
    op.drop_table("goal")
    op.drop_table("counter_value")
    op.drop_index("ix_checklist_tick_user_id", table_name="checklist_tick")
    op.drop_table("checklist_tick")
