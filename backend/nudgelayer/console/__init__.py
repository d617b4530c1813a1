"""The web console for admins and analysts (server-rendered)."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")

from . import views  # noqa: E402,F401
