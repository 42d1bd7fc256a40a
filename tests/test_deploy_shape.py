"""The production shape as written: docker-compose.yml, deploy/Caddyfile, Dockerfile, .dockerignore.

Docker is not needed (nor run): the files are parsed, so a change that publishes web's port, drops a
healthcheck, gives a secret a default or outgrows PostgreSQL's connections fails here.
"""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)  # merge keys (<<: *app) resolved
SERVICES = COMPOSE["services"]
SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY\b")


def _env(service):
    return {key: str(value) for key, value in (SERVICES[service].get("environment") or {}).items()}


def _command(service):
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _option(argv, name):
    for index, part in enumerate(argv):
        if part == name:
            return argv[index + 1]
        if part.startswith(name + "="):
            return part.split("=", 1)[1]
    raise AssertionError(f"{name} not in {argv}")


def _long_running():
    return [name for name, service in SERVICES.items() if service.get("restart") != "no"]


def test_a_tls_proxy_is_the_only_way_in_to_web():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    web = SERVICES["web"]
    assert "ports" not in web
    assert [str(port) for port in web["expose"]] == ["8000"]
    # Web shares no network with the published side; the proxy is on both.
    assert "edge" not in web["networks"] and {"edge", "backend"} <= set(proxy["networks"])


def test_only_the_proxy_publishes_ports_and_mailpit_only_on_loopback():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy", "mail"}
    assert all(port.startswith("127.0.0.1:") for port in SERVICES["mail"]["ports"])


def test_the_proxy_header_is_trusted_only_where_web_is_unreachable_but_through_the_proxy():
    trusting = [name for name in SERVICES if _env(name).get("SECURE_PROXY_SSL_HEADER") == "true"]
    assert "web" in trusting
    for name in trusting:
        assert "ports" not in SERVICES[name], f"{name} trusts X-Forwarded-Proto but is published"


def test_caddyfile_terminates_tls_and_proxies_every_web_container():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"^\{\$SITE_HOST:localhost\} \{", caddyfile, re.M)
    assert "tls {$CADDY_TLS:internal}" in caddyfile
    assert re.search(r"reverse_proxy \{\s+dynamic a web 8000", caddyfile)
    # The probes' endpoints answer 404 from outside.
    assert "@health path /health/*" in caddyfile and "respond @health 404" in caddyfile
    directives = "\n".join(line for line in caddyfile.splitlines() if not line.lstrip().startswith("#"))
    assert "trusted_proxies" not in directives  # so Caddy ignores a client's X-Forwarded-* headers


def test_every_long_running_service_has_a_healthcheck():
    assert {"proxy", "postgres", "redis", "mail", "web", "worker", "beat"} <= set(_long_running())
    for name in _long_running():
        check = SERVICES[name].get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
    # The one-off migrate job exits; compose waits for it to complete instead.
    assert SERVICES["migrate"]["healthcheck"] == {"disable": True}
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_app_healthchecks_use_the_health_endpoints():
    web = SERVICES["web"]["healthcheck"]["test"]
    assert web[:3] == ["CMD", "python", "scripts/healthcheck.py"]
    assert web[3] == reverse("health-ready")
    beat = SERVICES["beat"]["healthcheck"]["test"]
    assert beat[:4] == ["CMD", "python", "manage.py", "health_check"]
    reverse(beat[4])  # a URL name the command can resolve
    assert "--no-http" in beat
    assert "inspect ping --destination celery@$$HOSTNAME" in SERVICES["worker"]["healthcheck"]["test"][1]


@pytest.mark.parametrize("name", ["SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"])
def test_secrets_are_required_and_never_defaulted(name):
    uses = re.findall(r"\$\{" + name + r"(:?[-?][^}]*)?\}", COMPOSE_TEXT)
    assert uses, f"{name} is not used"
    assert all(use.startswith(":?") for use in uses), f"{name} has a default or may be empty: {uses}"


def test_no_secret_has_a_default():
    for variable, default in re.findall(r"\$\{(\w+):?-([^}]*)\}", COMPOSE_TEXT):
        assert not SECRET.search(variable), f"${{{variable}}} defaults to {default!r}"
    assert ":-phb}" not in COMPOSE_TEXT


def test_mail_goes_to_a_service_of_the_compose_file():
    default = re.search(r"\$\{EMAIL_URL:-([^}]+)\}", COMPOSE_TEXT).group(1)
    host, port = re.match(r"smtp://([\w-]+):(\d+)$", default).groups()
    assert host in SERVICES and port == "1025"
    assert SERVICES[host]["image"].startswith("axllent/mailpit:")


def _scale_in_readme():
    readme = (ROOT / "README.md").read_text()
    found = dict(re.findall(r"--scale (\w+)=(\d+)", readme))
    return {"web": int(found["web"]), "worker": int(found["worker"])}


def test_database_connections_fit_postgres_at_the_readmes_example_scale():
    scale = {"beat": 1, "migrate": 1, **_scale_in_readme()}
    assert scale["web"] >= 4
    postgres = dict(part.split("=", 1) for part in _command("postgres") if "=" in part)
    max_connections = int(postgres["max_connections"])
    reserved = int(postgres["superuser_reserved_connections"])
    processes = {
        "web": int(_option(_command("web"), "--workers")),
        "worker": int(_option(_command("worker"), "--concurrency")),
        "beat": 1,
        "migrate": 1,
    }
    total = 0
    for name, count in scale.items():
        pool_max = int(_env(name)["DATABASE_POOL_MAX"])
        total += count * processes[name] * pool_max
    assert total == 40  # the sum written out at the top of docker-compose.yml
    assert total <= max_connections - reserved


def test_dockerfile_installs_dependencies_before_the_code_and_keeps_node_out_of_the_runtime():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
    assert len(stages) == 2 and stages[0].startswith("python:3.11-slim-bookworm AS build")
    build, runtime = stages
    assert build.index("COPY pyproject.toml") < build.index("pip install") < build.index("COPY . .")
    assert build.index("npm ci") < build.index("collectstatic")
    assert "nodejs" not in runtime and "npm" not in runtime
    assert "COPY --from=build /venv /venv" in runtime
    assert "COPY --from=build /app/staticfiles /app/staticfiles" in runtime
    assert re.search(r"^USER phb$", runtime, re.M)
    assert re.search(
        r"^HEALTHCHECK .*\n\s+CMD \[\"python\", \"scripts/healthcheck.py\", \"/health/live/\"\]",
        runtime,
        re.M,
    )


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    for entry in (".env", ".venv", "node_modules", "media", "db.sqlite3", "*.egg-info", "__pycache__",
                  ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", ".git"):  # fmt: skip
        assert entry in ignored, entry
    assert "tests" in ignored or "tests/browser/screenshots" in ignored


def test_readme_configuration_table_names_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Architecture")]
    read = set()
    # The settings and the floor view; the benchmark script's own knobs are in bench/README.md.
    for source in [*(ROOT / "phb").glob("*.py"), ROOT / "bench" / "views.py"]:
        text = source.read_text()
        read |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]+)\"", text))
    assert {"DATABASE_URL", "AXES_ENABLED", "PHB_REPORT_CACHE", "BENCH_FLOOR"} <= read  # the patterns match
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"not in the README's configuration table: {missing}"
