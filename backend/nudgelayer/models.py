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
