"""What the API and the console call: the client's progress, ticks, commitments,
counters posted by other systems, and the admin side of goals and gamification rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..errors import Conflict, Invalid, NotFound
from ..experiences import service as experiences
from ..experiences.targeting import segment_matches
from ..extensions import db
from ..models import (
    AuditLog,
    ChecklistTick,
    CounterValue,
    Event,
    Experience,
    GamificationRule,
    Goal,
    GoalCommitment,
    Kind,
    User,
    now_utc,
)
from . import charts, clock, engine, gamification, goals, push, rules, social

MAX_ID = 2**31 - 1


def _audit(
    actor: User | None, action: str, subject_type: str, subject_id: int | None, before, after
) -> None:
    db.session.add(
        AuditLog(
            workspace_id=actor.workspace_id if actor else None,
            actor_id=actor.id if actor else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            before=before,
            after=after,
        )
    )


def content_for(exp: Experience, user: User) -> dict[str, Any]:
    """The content this user sees: a per-segment or locale variant's, else the base content."""
    from ..experiences import targeting

    version = exp.published_version
    if version is None:
        return {}
    resolve = getattr(targeting, "resolve_content", None)
    if resolve is None or not (version.targeting or {}).get("variants"):
        return version.content or {}
    try:
        return resolve(version.targeting, version.content, user.segment_attributes())[1]
    except Exception:  # a variant rule this evaluator cannot judge without its inputs
        return version.content or {}


def _live(user: User) -> list[Experience]:
    return experiences.live_for_user(user)[1]


# ---------------------------------------------------------------- the client's progress


def client_progress(user: User) -> dict[str, Any]:
    """GET /client/progress: checklists, counters, what to watch, template variables."""
    live = _live(user)
    checklists = [(e, content_for(e, user)) for e in live if e.kind == Kind.checklist.value]
    states = engine.checklists_progress(user, checklists)
    if engine.record_completions(user, states):
        db.session.commit()

    counters: dict[tuple[str, str, str], dict[str, Any]] = {}
    for exp in live:
        if exp.kind != Kind.badge.value:
            continue
        counter = content_for(exp, user).get("counter")
        if isinstance(counter, dict):
            spec = engine.counter_spec(counter)
            if spec not in counters:
                counters[spec] = engine.counter_value(user, spec)

    watch: list[dict[str, str]] = []
    for exp, content in checklists:
        for entry in rules.watch_entries(content, exp.published_version.targeting.get("url", "")):
            if entry not in watch:
                watch.append(entry)

    point_rules = _points_rules(user.workspace_id)
    my_points = None
    contents = [content_for(e, user) for e in live]
    if any(
        "me.points" in name
        for name in social.variable_names([s for c in contents for s in social._strings(c)])
    ):
        my_points = _my_points(user, point_rules)

    return {
        "checklists": states,
        "counters": [{**c, "ts": push.iso(c["ts"])} for c in counters.values()],
        "watch": watch[:200],
        "variables": social.variables(user, contents, my_points),
        "summary": _summary(user, point_rules),
        "tz": clock.user_zone(user).key,
        "tz_set": clock.is_zone_name((user.attributes or {}).get("tz")),
    }


def _summary(user: User, point_rules) -> dict[str, Any]:
    """Enough for the launcher: is there anything to show, and how many reminders."""
    any_rules = db.session.scalar(
        select(GamificationRule.id)
        .where(
            GamificationRule.workspace_id == user.workspace_id, GamificationRule.active.is_(True)
        )
        .limit(1)
    )
    now = now_utc()
    reminders = 0
    visible = _visible_goals(user)
    if visible:
        commitments = _commitments(user, [g.id for g in visible])
        for goal in visible:
            if goal.id in commitments and goal.starts_at <= now < goal.deadline:
                value = len(goals.window_times(goal, user))
                if goals.reminder(goal, value, now, True):
                    reminders += 1
    return {"available": bool(any_rules or visible), "reminders": reminders}


def tick(user: User, exp_id: int, index: int, done: bool) -> dict[str, Any]:
    """Tick (or untick) a checklist item by hand; answers the checklist's new state."""
    exp = experiences.get(user.workspace_id, exp_id) if 0 < exp_id <= MAX_ID else None
    live = {e.id: e for e in _live(user)}
    if exp is None or exp.kind != Kind.checklist.value or exp.id not in live:
        raise NotFound(f"No live checklist {exp_id}.")
    content = content_for(exp, user)
    items = content.get("items") or []
    if not 0 <= index < len(items):
        raise NotFound(f"Checklist {exp_id} has no item {index}.")
    table = ChecklistTick.__table__
    if done:
        dialect = db.session.get_bind().dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
            workspace_id=user.workspace_id,
            experience_id=exp.id,
            user_id=user.id,
            item_index=index,
            ticked_at=now_utc(),
        )
        # A double click, a retry or another device at the same moment: one row.
        db.session.execute(
            stmt.on_conflict_do_nothing(index_elements=["experience_id", "user_id", "item_index"])
        )
    else:
        db.session.execute(
            table.delete().where(
                table.c.experience_id == exp.id,
                table.c.user_id == user.id,
                table.c.item_index == index,
            )
        )
    [state] = engine.checklists_progress(user, [(exp, content)])
    engine.record_completions(user, [state])
    push.queue_progress_hint([user.id], "tick")
    db.session.commit()
    return state


def set_timezone(user: User, tz: str) -> None:
    if not clock.is_zone_name(tz):
        raise Invalid("Unknown time zone.", {"tz": ["An IANA time zone name, e.g. Europe/Berlin."]})
    attrs = dict(user.attributes or {})
    if attrs.get("tz") == tz:
        return
    attrs["tz"] = tz
    user.attributes = attrs  # a new dict: JSON columns notice reassignment, not mutation
    push.queue_progress_hint([user.id], "preferences")
    db.session.commit()


# ---------------------------------------------------------------- gamification for the panel


def _points_rules(workspace_id: int) -> list[gamification.PointsRule]:
    return [
        gamification.PointsRule(r.id, r.event_type, r.points, r.daily_cap)
        for r in _rules(workspace_id, "points", active_only=True)
        if r.event_type and r.points is not None
    ]


def _rules(
    workspace_id: int, kind: str | None = None, active_only: bool = False
) -> list[GamificationRule]:
    q = select(GamificationRule).where(GamificationRule.workspace_id == workspace_id)
    if kind:
        q = q.where(GamificationRule.kind == kind)
    if active_only:
        q = q.where(GamificationRule.active.is_(True))
    return list(db.session.scalars(q.order_by(GamificationRule.id)))


def _times_by_type(user: User, types: set[str]) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = {t: [] for t in types}
    if types:
        for type_, ts in db.session.execute(
            select(Event.type, Event.ts)
            .where(Event.user_id == user.id, Event.type.in_(sorted(types)))
            .order_by(Event.ts)
        ):
            out[type_].append(ts)
    return out


def _my_points(user: User, point_rules) -> int:
    times = _times_by_type(user, {r.event_type for r in point_rules})
    events = [(t, ts) for t, tss in times.items() for ts in tss]
    return gamification.total(gamification.award(events, point_rules, clock.user_zone(user)))


def _visible_goals(user: User) -> list[Goal]:
    attrs = user.segment_attributes()
    rows = db.session.scalars(
        select(Goal)
        .where(Goal.workspace_id == user.workspace_id, Goal.active.is_(True))
        .order_by(Goal.deadline, Goal.id)
    )
    return [
        g for g in rows if segment_matches(g.segment, attrs) and (g.scope != "team" or user.team)
    ]


def _commitments(user: User, goal_ids: list[int]) -> dict[int, GoalCommitment]:
    if not goal_ids:
        return {}
    rows = db.session.scalars(
        select(GoalCommitment).where(
            GoalCommitment.user_id == user.id, GoalCommitment.goal_id.in_(goal_ids)
        )
    )
    return {c.goal_id: c for c in rows}


def client_gamification(user: User, now: datetime | None = None) -> dict[str, Any]:
    """GET /client/gamification: the personal panel (points, streaks, achievements,
    goals, leaderboard)."""
    now = now or now_utc()
    tz = clock.user_zone(user)
    point_rules = _points_rules(user.workspace_id)
    streak_rules = _rules(user.workspace_id, "streak", active_only=True)
    achievements = [
        gamification.Achievement(
            r.id, r.name, r.description, r.metric or "points", r.threshold or 1, r.event_type
        )
        for r in _rules(user.workspace_id, "achievement", active_only=True)
    ]
    types = {r.event_type for r in point_rules}
    types |= {r.event_type for r in streak_rules if r.event_type}
    types |= {
        a.event_type for a in achievements if a.event_type and a.metric in ("events", "streak")
    }
    times = _times_by_type(user, types)
    events = [(t, ts) for t, tss in times.items() for ts in tss]
    awards = gamification.award(events, point_rules, tz)
    today = clock.local_day(now, tz)
    week_start = clock.day_start_utc(today - timedelta(days=6), tz)

    streak_by_type = {
        t: gamification.streak((clock.local_day(ts, tz) for ts in times.get(t, [])), today)
        for t in {r.event_type for r in streak_rules}
        | {a.event_type for a in achievements if a.metric == "streak"}
        if t
    }
    achievement_rows = []
    for a in achievements:
        value, when = gamification.unlocked_at(a, awards, times, streak_by_type, tz)
        if isinstance(when, datetime):
            when_out = when
        elif when is not None:
            when_out = clock.day_start_utc(when, tz)
        else:
            when_out = None
        achievement_rows.append(
            {
                "id": a.id,
                "name": a.name,
                "description": a.description,
                "metric": a.metric,
                "event_type": a.event_type,
                "threshold": a.threshold,
                "value": value,
                "unlocked": when_out is not None,
                "unlocked_at": when_out,
            }
        )
    visible = _visible_goals(user)
    commitments = _commitments(user, [g.id for g in visible])
    return {
        "tz": tz.key,
        "points": {
            "total": gamification.total(awards),
            "week": gamification.total(awards, since=week_start),
            "rules": [
                {"event_type": r.event_type, "points": r.points, "daily_cap": r.daily_cap}
                for r in point_rules
            ],
        },
        "streaks": [
            {
                "id": r.id,
                "name": r.name,
                "event_type": r.event_type,
                "current": streak_by_type[r.event_type].current,
                "best": streak_by_type[r.event_type].best,
                "active_today": streak_by_type[r.event_type].active_today,
            }
            for r in streak_rules
            if r.event_type
        ],
        "achievements": achievement_rows,
        "goals": [goals.state(g, user, commitments.get(g.id), now, tz) for g in visible],
        "leaderboard": social.leaderboard(user, point_rules, now),
    }


def _goal_for_user(user: User, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id) if 0 < goal_id <= MAX_ID else None
    if goal is None or goal.workspace_id != user.workspace_id or goal not in _visible_goals(user):
        raise NotFound(f"No goal {goal_id}.")
    return goal


def commit_to_goal(user: User, goal_id: int, confirm: bool) -> dict[str, Any]:
    """The user commits to a goal. ``confirm`` must be true: the client asked them first."""
    goal = _goal_for_user(user, goal_id)
    if not confirm:
        raise Invalid("Confirm the commitment.", {"confirm": ["Must be true."]})
    if now_utc() >= goal.deadline:
        raise Conflict("This goal's deadline has passed.")
    table = GoalCommitment.__table__
    dialect = db.session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
        goal_id=goal.id, user_id=user.id, committed_at=now_utc()
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["goal_id", "user_id"]))
    push.queue_progress_hint([user.id], "goal")
    db.session.commit()
    return goals.state(
        goal, user, _commitments(user, [goal.id]).get(goal.id), now_utc(), clock.user_zone(user)
    )


def withdraw_from_goal(user: User, goal_id: int) -> None:
    goal = _goal_for_user(user, goal_id)
    table = GoalCommitment.__table__
    db.session.execute(table.delete().where(table.c.goal_id == goal.id, table.c.user_id == user.id))
    push.queue_progress_hint([user.id], "goal")
    db.session.commit()


# ---------------------------------------------------------------- counters from other systems


def _counter_target(actor: User, scope: dict[str, str] | None) -> tuple[str, str]:
    if not scope:
        return "workspace", ""
    if "team" in scope:
        return "team", scope["team"]
    email = scope["user"].strip().lower()
    found = db.session.scalar(
        select(User).where(User.email == email, User.workspace_id == actor.workspace_id)
    )
    if found is None:
        raise Invalid("No such user in this workspace.", {"scope": {"user": ["Unknown user."]}})
    return "user", str(found.id)


def set_counter(
    actor: User, key: str, value: int | None, scope: dict | None, ts: datetime | None
) -> dict[str, Any]:
    """Store a counter value another system posted; push it to the browsers it is for.

    ``ts`` (default: now) is when the value was true; a value older than the stored one
    is ignored (answered with the stored one), so a late retry cannot undo a newer value.
    """
    kind, scoped = _counter_target(actor, scope)
    ts = ts.astimezone(UTC).replace(tzinfo=None) if ts else now_utc()
    table = CounterValue.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
        workspace_id=actor.workspace_id,
        key=key,
        scope=kind,
        scope_value=scoped,
        value=value,
        ts=ts,
        updated_by_id=actor.id,
    )
    stmt = insert.on_conflict_do_update(
        index_elements=["workspace_id", "key", "scope", "scope_value"],
        set_={
            "value": insert.excluded.value,
            "ts": insert.excluded.ts,
            "updated_by_id": insert.excluded.updated_by_id,
        },
        where=table.c.ts <= insert.excluded.ts,
    )
    db.session.execute(stmt)
    row = db.session.scalar(
        select(CounterValue).where(
            CounterValue.workspace_id == actor.workspace_id,
            CounterValue.key == key,
            CounterValue.scope == kind,
            CounterValue.scope_value == scoped,
        )
    )
    applied = row.ts == ts and row.value == value
    if applied:
        push.queue_counter(
            push.counter_message("signal", key, kind, row.value, row.ts),
            push.rooms_for_scope(actor.workspace_id, kind, scoped),
        )
    db.session.commit()
    return {
        "key": key,
        "scope": kind,
        "scope_value": scoped,
        "value": row.value,
        "ts": row.ts,
        "applied": applied,
    }


def list_counters(workspace_id: int) -> list[CounterValue]:
    return list(
        db.session.scalars(
            select(CounterValue)
            .where(CounterValue.workspace_id == workspace_id)
            .order_by(CounterValue.key, CounterValue.scope, CounterValue.scope_value)
        )
    )


# ---------------------------------------------------------------- admin: goals and rules

GOAL_FIELDS = (
    "title",
    "description",
    "event_type",
    "target",
    "scope",
    "starts_at",
    "deadline",
    "segment",
    "active",
)
RULE_FIELDS = (
    "kind",
    "name",
    "description",
    "event_type",
    "points",
    "daily_cap",
    "metric",
    "threshold",
    "active",
)


def _snap(obj, fields) -> dict[str, Any]:
    out = {"version": obj.version}
    for f in fields:
        v = getattr(obj, f)
        out[f] = v.replace(tzinfo=UTC).isoformat() if isinstance(v, datetime) else v
    if "title" in fields:
        out["name"] = obj.title  # the audit page names subjects by "name"
    return out


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def check_goal(data: dict[str, Any]) -> None:
    if data["deadline"] <= data["starts_at"]:
        raise Invalid(
            "The deadline must be after the start.", {"deadline": ["Must be after starts_at."]}
        )


def create_goal(actor: User, data: dict[str, Any]) -> Goal:
    data = {
        **data,
        "starts_at": _naive(data.get("starts_at") or datetime.now(UTC)),
        "deadline": _naive(data["deadline"]),
    }
    check_goal(data)
    goal = Goal(workspace_id=actor.workspace_id, created_by_id=actor.id, **data)
    db.session.add(goal)
    db.session.flush()
    _audit(actor, "goal.create", "goal", goal.id, None, _snap(goal, GOAL_FIELDS))
    return goal


def get_goal(workspace_id: int, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id) if 0 < goal_id <= MAX_ID else None
    if goal is None or goal.workspace_id != workspace_id:
        raise NotFound(f"No goal {goal_id}.")
    return goal


def update_goal(actor: User, goal: Goal, changes: dict[str, Any]) -> Goal:
    before = _snap(goal, GOAL_FIELDS)
    merged = {f: getattr(goal, f) for f in GOAL_FIELDS}
    for key, value in changes.items():
        merged[key] = _naive(value) if isinstance(value, datetime) else value
    check_goal(merged)
    changed = {k: v for k, v in merged.items() if getattr(goal, k) != v}
    if not changed:
        return goal
    for key, value in changed.items():
        setattr(goal, key, value)
    goal.version += 1
    goal.updated_at = now_utc()
    db.session.flush()
    _audit(actor, "goal.update", "goal", goal.id, before, _snap(goal, GOAL_FIELDS))
    return goal


def delete_goal(actor: User, goal: Goal) -> None:
    _audit(actor, "goal.delete", "goal", goal.id, _snap(goal, GOAL_FIELDS), None)
    db.session.delete(goal)
    db.session.flush()


def list_goals(workspace_id: int) -> list[Goal]:
    return list(
        db.session.scalars(
            select(Goal)
            .where(Goal.workspace_id == workspace_id)
            .order_by(Goal.deadline.desc(), Goal.id.desc())
        )
    )


def goal_report(goal: Goal, now: datetime | None = None) -> dict[str, Any]:
    """For the console (days in UTC): who committed and where they are; for a team goal,
    each team's progress with the geometry of its chart."""
    now = now or now_utc()
    utc = clock.zone(None)
    commitments = list(
        db.session.execute(
            select(GoalCommitment, User)
            .join(User, User.id == GoalCommitment.user_id)
            .where(GoalCommitment.goal_id == goal.id)
            .order_by(GoalCommitment.committed_at, User.email)
        )
    )
    rows = [
        {"email": user.email, "team": user.team, "committed_at": c.committed_at}
        | {
            k: v
            for k, v in goals.state(goal, user, c, now, utc).items()
            if k in ("value", "percent", "status")
        }
        for c, user in commitments
    ]
    teams = []
    if goal.scope == "team":
        names = db.session.scalars(
            select(User.team)
            .where(User.workspace_id == goal.workspace_id, User.team.is_not(None))
            .distinct()
        )
        committed: dict[str, int] = {}
        for _, user in commitments:
            committed[user.team or ""] = committed.get(user.team or "", 0) + 1
        first = clock.local_day(goal.starts_at, utc)
        last = clock.local_day(goal.deadline - timedelta(microseconds=1), utc)
        for team in sorted(names):
            times = goals.team_times(goal, team)
            series = goals.series(times, goal, now, utc)
            teams.append(
                {
                    "team": team,
                    "value": len(times),
                    "percent": min(100, round(100 * len(times) / goal.target)),
                    "status": goals.status(goal, len(times), now),
                    "committed": committed.get(team, 0),
                    "chart": charts.geometry(series, goal.target, first, last),
                }
            )
    return {"commitments": rows, "teams": teams}


def check_rule(data: dict[str, Any]) -> None:
    kind = data["kind"]
    need = {
        "points": ("event_type", "points"),
        "streak": ("event_type",),
        "achievement": ("metric", "threshold"),
    }[kind]
    missing = [f for f in need if data.get(f) is None]
    if (
        kind == "achievement"
        and data.get("metric") in ("events", "streak")
        and not data.get("event_type")
    ):
        missing.append("event_type")
    if missing:
        raise Invalid(
            "Missing fields for this kind of rule.",
            {f: [f"Required for {'an' if kind[0] in 'aeiou' else 'a'} {kind} rule."] for f in missing},
        )
    unused = {
        "points": ("metric", "threshold"),
        "streak": ("points", "daily_cap", "metric", "threshold"),
        "achievement": ("points", "daily_cap"),
    }[kind]
    extra = [f for f in unused if data.get(f) is not None]
    if extra:
        raise Invalid(
            "Fields that do not apply to this kind of rule.",
            {f: [f"Not used by {'an' if kind[0] in 'aeiou' else 'a'} {kind} rule."] for f in extra},
        )


def create_rule(actor: User, data: dict[str, Any]) -> GamificationRule:
    data = {"description": "", **data}
    check_rule(data)
    rule = GamificationRule(workspace_id=actor.workspace_id, created_by_id=actor.id, **data)
    db.session.add(rule)
    db.session.flush()
    _audit(
        actor,
        "gamification_rule.create",
        "gamification_rule",
        rule.id,
        None,
        _snap(rule, RULE_FIELDS),
    )
    return rule


def get_rule(workspace_id: int, rule_id: int) -> GamificationRule:
    rule = db.session.get(GamificationRule, rule_id) if 0 < rule_id <= MAX_ID else None
    if rule is None or rule.workspace_id != workspace_id:
        raise NotFound(f"No rule {rule_id}.")
    return rule


def update_rule(actor: User, rule: GamificationRule, changes: dict[str, Any]) -> GamificationRule:
    before = _snap(rule, RULE_FIELDS)
    merged = {f: getattr(rule, f) for f in RULE_FIELDS} | changes
    check_rule(merged)
    changed = {k: v for k, v in changes.items() if getattr(rule, k) != v}
    if not changed:
        return rule
    for key, value in changed.items():
        setattr(rule, key, value)
    rule.version += 1
    rule.updated_at = now_utc()
    db.session.flush()
    _audit(
        actor,
        "gamification_rule.update",
        "gamification_rule",
        rule.id,
        before,
        _snap(rule, RULE_FIELDS),
    )
    return rule


def delete_rule(actor: User, rule: GamificationRule) -> None:
    _audit(
        actor,
        "gamification_rule.delete",
        "gamification_rule",
        rule.id,
        _snap(rule, RULE_FIELDS),
        None,
    )
    db.session.delete(rule)
    db.session.flush()


def list_rules(workspace_id: int, kind: str | None = None) -> list[GamificationRule]:
    return _rules(workspace_id, kind)
