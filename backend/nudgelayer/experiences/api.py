"""Experiences: authoring (admins), reading (admins, analysts), the live feed (everyone)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..extensions import db
from . import service
from .schemas import (
    ExperienceCreate,
    ExperienceList,
    ExperienceOut,
    ExperienceQuery,
    ExperienceUpdate,
    FeedOut,
    RollbackSchema,
    VersionList,
)

blp = Blueprint(
    "experiences", __name__, url_prefix="/api/v1", description="Author and publish experiences"
)
AUTHORS = ("admin",)
READERS = ("admin", "analyst")


def to_out(exp) -> dict:
    shown = exp.current_version
    return {
        "id": exp.id,
        "workspace_id": exp.workspace_id,
        "kind": exp.kind,
        "name": shown.name,
        "status": exp.status,
        "targeting": shown.targeting,
        "content": shown.content,
        "version": shown.number,
        "published_version": exp.published_version.number if exp.published_version else None,
        "has_unpublished_changes": exp.draft_version is not None
        and exp.published_version is not None,
        "created_at": exp.created_at,
        "updated_at": exp.updated_at,
    }


def _version_out(exp, v) -> dict:
    return {
        "number": v.number,
        "name": v.name,
        "targeting": v.targeting,
        "content": v.content,
        "created_at": v.created_at,
        "created_by": None,
        "published_at": v.published_at,
        "is_published": exp.published_version_id == v.id and exp.status == "published",
        "is_draft": exp.draft_version_id == v.id,
    }


@blp.route("/experiences")
class Experiences(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ExperienceQuery, location="query")
    @blp.response(200, ExperienceList)
    @blp.doc(security=BEARER)
    def get(self, query):
        """List the workspace's experiences, newest change first."""
        items = service.list_(current_user().workspace_id, **query)
        return {"items": [to_out(e) for e in items]}

    @require_roles(*AUTHORS)
    @blp.arguments(ExperienceCreate)
    @blp.response(201, ExperienceOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Create an experience as a draft."""
        exp = service.create(current_user(), **body)
        db.session.commit()
        return to_out(exp)


@blp.route("/experiences/<int:exp_id>")
class ExperienceById(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ExperienceOut)
    @blp.doc(security=BEARER)
    def get(self, exp_id):
        """One experience, as its editor sees it (the draft when there is one)."""
        return to_out(service.get(current_user().workspace_id, exp_id))

    @require_roles(*AUTHORS)
    @blp.arguments(ExperienceUpdate)
    @blp.response(200, ExperienceOut)
    @blp.doc(security=BEARER)
    def patch(self, body, exp_id):
        """Edit the draft (a published version is never changed; a new draft is made)."""
        exp = service.get(current_user().workspace_id, exp_id)
        service.update(current_user(), exp, body)
        db.session.commit()
        return to_out(exp)

    @require_roles(*AUTHORS)
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, exp_id):
        """Delete an experience and its versions; open browsers remove it at once."""
        exp = service.get(current_user().workspace_id, exp_id)
        service.delete(current_user(), exp)
        db.session.commit()


@blp.route("/experiences/<int:exp_id>/publish")
class Publish(MethodView):
    @require_roles(*AUTHORS)
    @blp.response(200, ExperienceOut)
    @blp.doc(security=BEARER)
    def post(self, exp_id):
        """Publish the draft: it becomes the live version in every open browser."""
        exp = service.get(current_user().workspace_id, exp_id)
        service.publish(current_user(), exp)
        db.session.commit()
        return to_out(exp)


@blp.route("/experiences/<int:exp_id>/unpublish")
class Unpublish(MethodView):
    @require_roles(*AUTHORS)
    @blp.response(200, ExperienceOut)
    @blp.doc(security=BEARER)
    def post(self, exp_id):
        """Take the experience off every page."""
        exp = service.get(current_user().workspace_id, exp_id)
        service.unpublish(current_user(), exp)
        db.session.commit()
        return to_out(exp)


@blp.route("/experiences/<int:exp_id>/rollback")
class Rollback(MethodView):
    @require_roles(*AUTHORS)
    @blp.arguments(RollbackSchema)
    @blp.response(200, ExperienceOut)
    @blp.doc(security=BEARER)
    def post(self, body, exp_id):
        """Publish again an earlier published version (as a new version)."""
        exp = service.get(current_user().workspace_id, exp_id)
        service.rollback(current_user(), exp, body["version"])
        db.session.commit()
        return to_out(exp)


@blp.route("/experiences/<int:exp_id>/versions")
class Versions(MethodView):
    @require_roles(*READERS)
    @blp.response(200, VersionList)
    @blp.doc(security=BEARER)
    def get(self, exp_id):
        """Every version of an experience, oldest first."""
        exp = service.get(current_user().workspace_id, exp_id)
        return {"items": [_version_out(exp, v) for v in service.versions(exp)]}


@blp.route("/client/experiences")
class Feed(MethodView):
    @require_roles()
    @blp.response(200, FeedOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The published experiences for the signed-in user, with the change cursor."""
        cursor, live = service.live_for_user(current_user())
        return {"cursor": cursor, "experiences": [service.published_payload(e) for e in live]}
