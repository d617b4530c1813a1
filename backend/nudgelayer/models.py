"""Database models (SQLAlchemy 2.0 typed mappings)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(str, enum.Enum):
    staff = "staff"
    admin = "admin"
    analyst = "analyst"


class Kind(str, enum.Enum):
    tooltip = "tooltip"
    hotspot = "hotspot"
    tour = "tour"
    badge = "badge"
    checklist = "checklist"
    banner = "banner"
    survey = "survey"


class Status(str, enum.Enum):
    draft = "draft"
    published = "published"
    unpublished = "unpublished"


class Workspace(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.staff.value)
    display_name: Mapped[str | None] = mapped_column(String(120))
    team: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    # Free-form segmentation attributes (tenure, expertise, custom keys).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    workspace: Mapped[Workspace] = relationship()

    def segment_attributes(self) -> dict[str, Any]:
        """The attribute map that segment rules are evaluated against."""
        attrs = dict(self.attributes or {})
        attrs.update(
            {"role": self.role, "team": self.team, "locale": self.locale, "email": self.email}
        )
        return attrs


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # sha256 of the token: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Experience(db.Model):
    # Ids are never reused (SQLite would otherwise): events, responses and progress
    # refer to experiences by id and must not pass to a new one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=Status.draft.value)
    # The version staff see while published, and the version being edited (if any).
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("experience_version.id", use_alter=True, ondelete="SET NULL")
    )
    draft_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("experience_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    # Always needed together with the experience in every response: join them.
    published_version: Mapped[ExperienceVersion | None] = relationship(
        foreign_keys=[published_version_id], lazy="joined", post_update=True
    )
    draft_version: Mapped[ExperienceVersion | None] = relationship(
        foreign_keys=[draft_version_id], lazy="joined", post_update=True
    )
    versions: Mapped[list[ExperienceVersion]] = relationship(
        foreign_keys="ExperienceVersion.experience_id",
        back_populates="experience",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ExperienceVersion.number",
    )

    @property
    def current_version(self) -> ExperienceVersion:
        """The version an editor sees: the draft if there is one, else the published one."""
        version = self.draft_version or self.published_version
        if version is None:  # pragma: no cover - every experience is created with a version
            raise LookupError(f"experience {self.id} has no version")
        return version


class ExperienceVersion(db.Model):
    __table_args__ = (UniqueConstraint("experience_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int] = mapped_column(
        ForeignKey("experience.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    targeting: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Set once, when this version is first published; a published version is immutable.
    published_at: Mapped[datetime | None]

    experience: Mapped[Experience] = relationship(
        foreign_keys=[experience_id], back_populates="versions"
    )


class ChangeLog(db.Model):
    """One row per change that connected browsers must learn about.

    Its id is the cursor a reconnecting client sends to catch up.
    """

    __table_args__ = (Index("ix_change_log_workspace_id_id", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    experience_id: Mapped[int]
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "remove"
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class AuditLog(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    actor: Mapped[User | None] = relationship()


class Event(db.Model):
    __table_args__ = (Index("ix_event_workspace_type_ts", "workspace_id", "type", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the client; storing it unique makes a retried batch harmless.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime]
    url: Mapped[str | None] = mapped_column(Text)
    experience_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(default=now_utc)


# --- Micro-surveys: responses, fatigue state, settings; outgoing webhooks ---------------------


class SurveyResponse(db.Model):
    """One person's answers to one survey.

    ``uuid`` is made by the client, so a retried or queued POST lands on the same row: a
    partial response is one row, completed later by another POST with the same uuid.
    """

    __tablename__ = "response"
    __table_args__ = (
        # Results, listings and exports all read one survey's responses in time order.
        Index("ix_response_experience_created", "experience_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    experience_id: Mapped[int] = mapped_column(ForeignKey("experience.id", ondelete="CASCADE"))
    # The version whose questions were answered: questions change between versions.
    version: Mapped[int]
    # NULL for anonymous surveys (never stored), and after the user is deleted.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed: Mapped[bool] = mapped_column(default=False)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    completed_at: Mapped[datetime | None]


class SurveyDisplay(db.Model):
    """Per user and survey: what the fatigue rules need, shared by all the user's devices."""

    __tablename__ = "survey_display"
    __table_args__ = (
        UniqueConstraint("experience_id", "user_id"),
        # The workspace-wide cooldown asks "when did this user last see any survey?".
        Index("ix_survey_display_user_last_shown", "user_id", "last_shown_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    experience_id: Mapped[int] = mapped_column(ForeignKey("experience.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    shown_count: Mapped[int] = mapped_column(default=0)
    first_shown_at: Mapped[datetime | None]
    last_shown_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    # A flag without a time: for anonymous surveys a timestamp here could be matched
    # against a response's timestamps and undo the anonymity.
    answered: Mapped[bool] = mapped_column(default=False)


class SurveySettings(db.Model):
    """Workspace-wide survey rules (one row per workspace, created on first change)."""

    __tablename__ = "survey_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    # Least number of days between two different surveys shown to one user.
    cooldown_days: Mapped[int] = mapped_column(default=7)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class Webhook(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    # Kept in clear: every delivery is signed with it (HMAC needs the key itself).
    secret: Mapped[str] = mapped_column(String(64))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class WebhookDelivery(db.Model):
    """One event to POST to one webhook, retried with backoff until it succeeds or gives up."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent as X-Nudgelayer-Delivery, so a receiver can drop a delivery it already handled.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhook.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    # When the sender should try next; NULL once delivered or given up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


# --- Privacy: consent, retention settings, scheduled maintenance ------------------------------


class Consent(db.Model):
    """What one user agreed to. No row means undecided, which counts as "no" everywhere."""

    __tablename__ = "consent"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_consent_user_id_user"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_consent_workspace_id_workspace"),
        index=True,
    )
    # Usage events beyond the essential ones (views, opens: see docs/security.md).
    analytics: Mapped[bool] = mapped_column(default=False)
    # Survey answers stored with the user's id rather than without it.
    identified_surveys: Mapped[bool] = mapped_column(default=False)
    # Being shown by name on team leaderboards.
    leaderboards: Mapped[bool] = mapped_column(default=False)
    # When the user last chose; NULL until the first choice.
    decided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class PrivacySettings(db.Model):
    """Workspace-wide privacy rules (one row per workspace, created on first change)."""

    __tablename__ = "privacy_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey(
            "workspace.id", ondelete="CASCADE", name="fk_privacy_settings_workspace_id_workspace"
        ),
        primary_key=True,
    )
    # Events and survey responses older than this many days are purged.
    retention_days: Mapped[int] = mapped_column(default=365)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class MaintenanceRun(db.Model):
    """The last run of a periodic job: a lease, so several server processes run it once."""

    __tablename__ = "maintenance_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)



# --- Guided tours: each user's progress, shared by all their devices -------------------------


class TourProgress(db.Model):
    """Where one user is in one tour: resumed after a reload and on another device."""

    __tablename__ = "tour_progress"
    __table_args__ = (
        UniqueConstraint("experience_id", "user_id", name="uq_tour_progress_experience_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_tour_progress_workspace_id_workspace")
    )
    experience_id: Mapped[int] = mapped_column(
        ForeignKey(
            "experience.id", ondelete="CASCADE", name="fk_tour_progress_experience_id_experience"
        )
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_tour_progress_user_id_user"),
        index=True,
    )
    # Index of the current step (0 is the first), in the tour version ``version``.
    step: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))  # active | completed | dismissed
    version: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


# --- Progress and gamification: checklist ticks, counters, goals, points, achievements --------
# Progress itself is computed from stored events (progress/engine.py); these tables hold only
# what events cannot say: hand ticks, values other systems post, and the admin-defined rules.


class ChecklistTick(db.Model):
    """A checklist item ticked by hand. One row per user and item, whatever the retries."""

    __tablename__ = "checklist_tick"
    __table_args__ = (
        UniqueConstraint(
            "experience_id", "user_id", "item_index", name="uq_checklist_tick_experience_user_item"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_checklist_tick_workspace_id_workspace")
    )
    experience_id: Mapped[int] = mapped_column(
        ForeignKey("experience.id", ondelete="CASCADE", name="fk_checklist_tick_experience_id_experience")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_checklist_tick_user_id_user"), index=True
    )
    item_index: Mapped[int]
    ticked_at: Mapped[datetime] = mapped_column(default=now_utc)


class CounterValue(db.Model):
    """A live counter value posted by another system (``POST /counters/<key>``).

    ``scope`` is "workspace", "team" or "user"; ``scope_value`` is "" for the workspace,
    the team's name, or the user's id. ``ts`` is the time the value is true as of: a
    value older than the stored one is ignored, so late deliveries cannot go back in time.
    """

    __tablename__ = "counter_value"
    __table_args__ = (
        UniqueConstraint(
            "workspace_id", "key", "scope", "scope_value", name="uq_counter_value_key_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_counter_value_workspace_id_workspace")
    )
    key: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str] = mapped_column(String(254), default="")
    value: Mapped[int | None]
    ts: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", name="fk_counter_value_updated_by_id_user")
    )


class Goal(db.Model):
    """A measurable goal: ``target`` events of ``event_type`` between ``starts_at`` and
    ``deadline``, counted for each user ("user") or for the user's whole team ("team")."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_goal_workspace_id_workspace"),
        index=True,
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    event_type: Mapped[str] = mapped_column(String(64))
    target: Mapped[int]
    scope: Mapped[str] = mapped_column(String(8), default="user")
    starts_at: Mapped[datetime]
    deadline: Mapped[datetime]
    # Who may see and commit to it: a segment rule, as for experiences (null: everyone).
    segment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by every edit; the audit log keeps each version's before/after.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", name="fk_goal_created_by_id_user")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class GoalCommitment(db.Model):
    """A user's confirmed commitment to a goal (one per user and goal)."""

    __tablename__ = "goal_commitment"
    __table_args__ = (UniqueConstraint("goal_id", "user_id", name="uq_goal_commitment_goal_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goal.id", ondelete="CASCADE", name="fk_goal_commitment_goal_id_goal")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_goal_commitment_user_id_user"),
        index=True,
    )
    committed_at: Mapped[datetime] = mapped_column(default=now_utc)


class GamificationRule(db.Model):
    """An admin-defined rule, one of three kinds:

    - ``points``: each ``event_type`` event earns ``points`` (at most ``daily_cap`` a day);
    - ``streak``: a daily habit — consecutive days (user's time zone) with an ``event_type`` event;
    - ``achievement``: unlocked when ``metric`` ("points", "events" of ``event_type``, or the
      best "streak" on ``event_type``) reaches ``threshold``.
    """

    __tablename__ = "gamification_rule"
    __table_args__ = (Index("ix_gamification_rule_workspace_kind", "workspace_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_gamification_rule_workspace_id_workspace")
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    event_type: Mapped[str | None] = mapped_column(String(64))
    points: Mapped[int | None]
    daily_cap: Mapped[int | None]
    metric: Mapped[str | None] = mapped_column(String(16))
    threshold: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", name="fk_gamification_rule_created_by_id_user")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


# Progress reads one user's events by type ("how many ticket.closed has this user sent?").
Index("ix_event_user_type_ts", Event.user_id, Event.type, Event.ts)


# --- Nudges: signals and API keys, What's new, interruption budget, habit state ---------------


class ApiKey(db.Model):
    """A key for another system, scoped to one API (e.g. "signals"); it acts for no user.

    Only a digest is stored, like user tokens; ``prefix`` (the key's first characters) lets
    admins tell keys apart in the console.
    """

    __tablename__ = "api_key"
    __table_args__ = (UniqueConstraint("key_hash", name="uq_api_key_key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_api_key_workspace_id_workspace"),
        index=True,
    )
    key_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", name="fk_api_key_created_by_id_user")
    )
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class Signal(db.Model):
    """The current value of a signal posted by another system, for the users ``scope`` picks.

    ``scope_hash`` (sha256 of the canonical JSON of ``scope``) makes (key, scope) unique
    without a unique index over arbitrarily long JSON.
    """

    __tablename__ = "signal"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key", "scope_hash", name="uq_signal_workspace_key_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_signal_workspace_id_workspace")
    )
    key: Mapped[str] = mapped_column(String(128))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scope_hash: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_by_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_key.id", ondelete="SET NULL", name="fk_signal_updated_by_key_id_api_key")
    )


class ChangelogEntry(db.Model):
    """One entry of the workspace's "What's new" panel; staff see it once published."""

    __tablename__ = "changelog_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey(
            "workspace.id", ondelete="CASCADE", name="fk_changelog_entry_workspace_id_workspace"
        ),
        index=True,
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", name="fk_changelog_entry_created_by_id_user")
    )


class NudgeSettings(db.Model):
    """Workspace-wide nudge rules (one row per workspace, created on first change)."""

    __tablename__ = "nudge_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey(
            "workspace.id", ondelete="CASCADE", name="fk_nudge_settings_workspace_id_workspace"
        ),
        primary_key=True,
    )
    # URL glob of the pages where the What's new launcher and the daily digest appear.
    overlay_url: Mapped[str | None] = mapped_column(String(2000))
    # At most this many interruptions (auto-started tours, surveys, modal banners) per user
    # per period, and at least this gap between two of them.
    interruption_limit: Mapped[int] = mapped_column(default=3)
    interruption_period_hours: Mapped[int] = mapped_column(default=24)
    interruption_gap_minutes: Mapped[int] = mapped_column(default=30)
    # Chat webhook (Slack-compatible {"text"}) for the digest: off, daily or weekly.
    digest_webhook_url: Mapped[str | None] = mapped_column(Text)
    digest_frequency: Mapped[str] = mapped_column(String(8), default="off")
    digest_last_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class NudgeUserState(db.Model):
    """Per user: when they last opened What's new (what is newer is unread)."""

    __tablename__ = "nudge_user_state"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_nudge_user_state_user_id_user"),
        primary_key=True,
    )
    whatsnew_read_at: Mapped[datetime | None]


class Interruption(db.Model):
    """An interruption the budget granted to a user (denials are not stored)."""

    __tablename__ = "interruption"
    __table_args__ = (Index("ix_interruption_user_granted", "user_id", "granted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE", name="fk_interruption_workspace_id_workspace")
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE", name="fk_interruption_user_id_user")
    )
    experience_id: Mapped[int] = mapped_column(
        ForeignKey("experience.id", ondelete="CASCADE", name="fk_interruption_experience_id_experience")
    )
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    granted_at: Mapped[datetime] = mapped_column(default=now_utc)
