import re

from nudgelayer.extensions import db
from nudgelayer.models import User, Workspace


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json == {"status": "ok"}


def test_openapi_documents_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, path
    create = doc["paths"]["/api/v1/experiences"]["post"]
    assert "201" in create["responses"] and "422" in create["responses"]
    assert create["security"] == [{"bearerAuth": []}]
    assert create["summary"] == "Create an experience as a draft."
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)
            if method in ("post", "patch"):
                assert {"400", "415", "422"} <= set(op["responses"]), (method, path)


def test_cli_creates_workspace_and_user(app, runner):
    out = runner.invoke(args=["create-workspace", "beta", "--name", "Beta Inc"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=["create-user", "beta", "Lee@Beta.test", "--role", "analyst", "--password", "long-enough-pw"])
    assert out.exit_code == 0, out.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "lee@beta.test"))
        assert user.role == "analyst"
        assert db.session.get(Workspace, user.workspace_id).slug == "beta"


def test_cli_reports_mistakes_clearly(runner):
    out = runner.invoke(args=["create-workspace", "acme"])
    assert out.exit_code != 0 and "already exists" in out.output
    out = runner.invoke(args=["create-user", "nope", "a@b.test", "--password", "long-enough-pw"])
    assert out.exit_code != 0 and "no workspace" in out.output
    out = runner.invoke(args=["create-user", "acme", "x@acme.test", "--password", "short"])
    assert out.exit_code != 0 and "8 characters" in out.output


def test_seed_demo_only_on_an_empty_database(runner):
    out = runner.invoke(args=["seed-demo"])
    assert "skipped" in out.output
