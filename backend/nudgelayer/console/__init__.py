"""The web console for admins and analysts (server-rendered, no inline script or style).

Modules: ``session`` (sign-in state, CSRF, guards), ``views`` (sign-in, experiences),
``actions`` (admin POSTs), ``audit`` (audit log page), ``pages`` (error pages).
"""

from flask import Blueprint

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
)

from . import actions, audit, pages, session, views  # noqa: E402,F401
from . import progress_views  # noqa: E402,F401  (goals, rules, checklist and badge forms)
from . import survey_views  # noqa: E402,F401  (survey authoring, results, exports)
