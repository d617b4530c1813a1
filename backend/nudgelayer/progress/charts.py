"""Goal charts for the console: the same picture as the extension's (progress/chart.js),
computed here and drawn by the template as an inline SVG (no script, no inline style)."""

from __future__ import annotations

from datetime import date
from typing import Any

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 26


def geometry(series: list[dict[str, Any]], target: int, first: date, last: date) -> dict[str, Any]:
    """Coordinates for a cumulative series from ``first`` to ``last`` (the deadline's day)."""
    span = max(1, (last - first).days)
    top = max([target, 1, *(p["value"] for p in series)])

    def x(day: date) -> float:
        return round(LEFT + (day - first).days / span * (WIDTH - LEFT - RIGHT), 1)

    def y(value: float) -> float:
        return round(TOP + (1 - value / top) * (HEIGHT - TOP - BOTTOM), 1)

    points = [(x(date.fromisoformat(p["day"])), y(p["value"])) for p in series]
    if len(points) == 1:
        points.append((points[0][0] + 3, points[0][1]))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "top_value": top,
        "target_y": y(target),
        "pace": ((x(first), y(0)), (x(last), y(target))),
        "points": " ".join(f"{px},{py}" for px, py in points),
        "first": first.isoformat(),
        "last": last.isoformat(),
    }
