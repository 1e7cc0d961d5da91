"""Offline checks of deploy/ and the image: the files parse, have the shape the README promises, name real
settings; the Dockerfile, .dockerignore, constraints.txt and the Makefile's installs agree with each other.

No Docker engine or cluster is needed: everything is read with PyYAML (and nginx.conf, the Dockerfile,
.dockerignore and the Makefile as text).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.__main__ import INDEX_REFUSED
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
APP_COMMAND = ["python", "-m", "app"]
SETTINGS = set(Settings.model_fields)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = _load(DEPLOY / "compose.yaml")
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def manifests() -> dict[str, list[dict[str, Any]]]:
    """Every k8s file's documents (multi-document safe), keyed by file name."""
    docs: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        loaded = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        assert loaded, f"{path.name} holds no document"
        for doc in loaded:
            assert isinstance(doc, dict), f"{path.name}: a document is not a mapping"
        docs[path.name] = loaded
    return docs


def _of_kind(manifests: dict[str, list[dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    return [d for docs in manifests.values() for d in docs if d.get("kind") == kind]


def _one(manifests: dict[str, list[dict[str, Any]]], kind: str) -> dict[str, Any]:
    found = _of_kind(manifests, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _env_names(environment: Any) -> set[str]:
    """Variable names of a compose `environment` (a mapping or a list of NAME=value)."""
    if environment is None:
        return set()
    if isinstance(environment, dict):
        return {str(k) for k in environment}
    return {str(item).split("=", 1)[0] for item in environment}


def _unknown_settings(names: set[str]) -> set[str]:
    return {n for n in names if n.lower() not in SETTINGS}


def _app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services running the app's image (the ones built from the repository's Dockerfile)."""
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


# --- compose ----------------------------------------------------------------------------------------------

def test_compose_app_is_built_from_the_repo_with_two_replicas(compose):
    app = compose["services"]["app"]
    assert app["deploy"]["replicas"] == 2
    build = app["build"]
    context = build["context"] if isinstance(build, dict) else build
    assert (DEPLOY / context / "Dockerfile").is_file()
    assert "ports" not in app, "the replicas are reached through the proxy only"


def test_compose_backing_services_have_healthchecks(compose):
    services = compose["services"]
    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"].split(":")[0] == "postgres" and postgres["image"].split(":")[1].startswith("16")
    assert redis["image"].split(":")[0] == "redis" and redis["image"].split(":")[1].startswith("7")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert redis["healthcheck"]["test"]
    named = set(compose["volumes"])
    assert any(v.split(":")[0] in named and v.split(":")[1] == "/var/lib/postgresql/data"
               for v in postgres["volumes"])


def test_compose_app_waits_for_healthy_backends(compose):
    depends = compose["services"]["app"]["depends_on"]
    for backend in ("postgres", "redis"):
        assert depends[backend]["condition"] == "service_healthy"


def test_compose_app_environment(compose):
    env = compose["services"]["app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://assistant:")
    assert env["DATABASE_URL"].endswith("@postgres:5432/assistant")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert "${ADMIN_TOKEN:?" in env["ADMIN_TOKEN"], "the stack must refuse to start without ADMIN_TOKEN"
    assert env["HOST"] == "0.0.0.0" and str(env["PORT"]) == "8000"
    # the trusted proxies are the compose network nginx talks from
    subnets = [c["subnet"] for net in compose["networks"].values() for c in net["ipam"]["config"]]
    assert env["TRUSTED_PROXIES"] in subnets
    Settings(trusted_proxies=env["TRUSTED_PROXIES"])  # parses as the app would


def test_compose_index_volume_is_shared(compose):
    named = set(compose["volumes"])
    services = _app_services(compose)
    assert {"app", "reindex"} <= set(services)
    sources = set()
    for svc in services.values():
        mounts = [v for v in svc["volumes"] if v.split(":")[1] == "/srv/index"]
        assert len(mounts) == 1
        sources.add(mounts[0].split(":")[0])
    assert len(sources) == 1 and sources <= named, "one named volume holds the index for every replica and tool"


def test_compose_tools(compose):
    services = compose["services"]
    for name, command in (("reindex", "index"), ("purge", "purge")):
        assert services[name]["profiles"] == ["tools"]
        assert services[name]["command"] == [*APP_COMMAND, command]
    assert services["purge"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_proxy(compose):
    nginx = compose["services"]["nginx"]
    assert nginx["image"].startswith("nginx:")
    assert "8080:80" in [str(p) for p in nginx["ports"]]
    mounts = [v for v in nginx["volumes"] if v.split(":")[0] == "./nginx.conf"]
    assert mounts and mounts[0].split(":")[1].startswith("/etc/nginx/")
    assert "app" in nginx["depends_on"]


def test_compose_env_names_are_settings(compose):
    for name, svc in _app_services(compose).items():
        unknown = _unknown_settings(_env_names(svc.get("environment")))
        assert not unknown, f"compose service {name} sets variables that are no setting: {sorted(unknown)}"


# --- nginx ------------------------------------------------------------------------------------------------

def test_nginx_never_serves_metrics():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    conf = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    blocks = re.findall(r"location\s+(=|\^~)?\s*/metrics\s*\{([^}]*)\}", conf)
    assert blocks, "a location for /metrics"
    for _, body in blocks:
        assert re.search(r"^\s*deny\s+all\s*;", body, re.MULTILINE) and "allow" not in body
        assert "proxy_pass" not in body


def test_nginx_proxies_to_the_app_and_sets_forwarded_for():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    conf = "\n".join(line.split("#", 1)[0] for line in text.splitlines())  # without comments
    upstream = re.search(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf)
    assert upstream, "an upstream block balancing over the replicas"
    assert re.search(r"server\s+app:8000\b", upstream.group(2))
    assert re.search(rf"proxy_pass\s+http://{upstream.group(1)}\s*;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$\w+\s*;", conf)
    assert re.search(r"client_max_body_size\s+16k\s*;", conf)
    assert conf.count("{") == conf.count("}")


def test_nginx_bounds_how_long_a_client_may_take_to_send_its_request():
    conf = "\n".join(line.split("#", 1)[0] for line in (DEPLOY / "nginx.conf").read_text(encoding="utf-8").splitlines())
    # uvicorn has no such timeout of its own: these are what stop a slow-header or slow-body client
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout", "keepalive_timeout"):
        found = re.search(rf"^\s*{directive}\s+(\d+)s\s*;", conf, re.MULTILINE)
        assert found, f"nginx.conf sets no {directive}"
        assert 0 < int(found.group(1)) <= 30, f"{directive} {found.group(1)}s"


# --- kubernetes -------------------------------------------------------------------------------------------

def test_every_k8s_manifest_parses_and_has_a_kind(manifests):
    assert {"deployment.yaml", "service.yaml", "ingress.yaml", "networkpolicy.yaml", "hpa.yaml", "reindex-job.yaml",
            "purge-cronjob.yaml", "configmap.yaml", "secret.example.yaml", "kustomization.yaml"} <= set(manifests)
    for name, docs in manifests.items():
        for doc in docs:
            assert doc.get("apiVersion") and doc.get("kind"), name


def test_kustomization_lists_the_manifests(manifests):
    kustomization = _one(manifests, "Kustomization")
    resources = kustomization["resources"]
    for resource in resources:
        assert (K8S / resource).is_file(), resource
    expected = set(manifests) - {"kustomization.yaml", "secret.example.yaml", "reindex-job.yaml"}
    assert set(resources) == expected
    assert "secret.example.yaml" not in resources, "placeholder credentials must not be applied"
    # every `kubectl apply -k` would otherwise rebuild the shared index from whatever image it names
    assert "reindex-job.yaml" not in resources, "the reindex Job is applied on purpose, not with every apply -k"


def _pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: dict[str, Any] = spec["template"]["spec"]
    return pod


def _container_env(container: dict[str, Any], configmaps: dict[str, dict[str, Any]]) -> set[str]:
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(configmaps[source["configMapRef"]["name"]]["data"])
    return names


def test_deployment(manifests):
    deployment = _one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    pod = _pod_spec(deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    (app,) = pod["containers"]
    assert app["image"] == "registry.example/dvc-assistant:latest"
    assert app["command"] == [*APP_COMMAND, "serve"]
    port = app["ports"][0]
    assert port["containerPort"] == 8000
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert app["startupProbe"]["httpGet"]["path"] in {"/healthz", "/readyz"}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert app[probe]["httpGet"]["port"] in {port["name"], port["containerPort"]}
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    assert app["securityContext"]["allowPrivilegeEscalation"] is False
    resources = app["resources"]
    assert resources["requests"]["cpu"] and resources["limits"]["memory"]


def test_deployment_mounts_the_shared_index_and_writable_dirs(manifests):
    pod = _pod_spec(_one(manifests, "Deployment"))
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]
              if "persistentVolumeClaim" in v}
    empty_dirs = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    pvc = _one(manifests, "PersistentVolumeClaim")
    assert "ReadWriteMany" in pvc["spec"]["accessModes"]
    configmap = _one(manifests, "ConfigMap")["data"]
    for container in pod["containers"] + pod.get("initContainers", []):
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert claims[mounts[configmap["INDEX_DIR"]]] == pvc["metadata"]["name"]
        assert mounts["/tmp"] in empty_dirs
        assert mounts[configmap["DATA_DIR"]] in empty_dirs


def test_workloads_get_config_and_secrets(manifests):
    configmaps = {c["metadata"]["name"]: c for c in _of_kind(manifests, "ConfigMap")}
    secret = _one(manifests, "Secret")
    deployment = _one(manifests, "Deployment")
    (app,) = _pod_spec(deployment)["containers"]
    secret_refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in app["env"] if "valueFrom" in e}
    assert set(secret_refs) == {"DATABASE_URL", "REDIS_URL", "ADMIN_TOKEN"}
    for name, ref in secret_refs.items():
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] == name
        assert "REPLACE_ME" in secret["stringData"][name], "the example Secret holds placeholders only"
    for workload in _of_kind(manifests, "Deployment") + _of_kind(manifests, "Job") + _of_kind(manifests, "CronJob"):
        for container in _pod_spec(workload)["containers"]:
            names = _container_env(container, configmaps)
            assert "DATABASE_URL" in names, f"{workload['kind']} {container['name']}"
            unknown = _unknown_settings(names)
            assert not unknown, f"{workload['kind']} sets variables that are no setting: {sorted(unknown)}"


def test_configmap_and_secret_keys_are_settings(manifests):
    configmap = _one(manifests, "ConfigMap")["data"]
    assert {"RATE_LIMIT", "TRUSTED_PROXIES", "ALLOWED_ORIGINS", "FRAME_ANCESTORS", "RETENTION_DAYS",
            "MANIFEST_POLL_SECONDS", "LOG_JSON", "KNOWLEDGE_DIR", "INDEX_DIR", "DATA_DIR"} <= set(configmap)
    assert not _unknown_settings(set(configmap)), sorted(_unknown_settings(set(configmap)))
    secret = _one(manifests, "Secret")["stringData"]
    assert not _unknown_settings(set(secret)), sorted(_unknown_settings(set(secret)))
    # the values load the way the app would read them from the environment
    loaded = Settings(**{k.lower(): v for k, v in configmap.items()})
    assert str(loaded.index_dir) == configmap["INDEX_DIR"]


def test_service_targets_the_deployment(manifests):
    service = _one(manifests, "Service")
    deployment = _one(manifests, "Deployment")
    assert service["spec"]["type"] == "ClusterIP"
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    container_port = _pod_spec(deployment)["containers"][0]["ports"][0]
    assert port["targetPort"] in {container_port["name"], container_port["containerPort"]}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_hpa_targets_the_deployment(manifests):
    hpa = _one(manifests, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert target["kind"] == "Deployment" and target["name"] == _one(manifests, "Deployment")["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] >= hpa["spec"]["minReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["averageUtilization"] == 70


def test_only_the_reindex_job_writes_the_index(manifests):
    configmap = _one(manifests, "ConfigMap")["data"]
    pod = _pod_spec(_one(manifests, "Deployment"))
    # a pod of an older image (a rollout, a rollback) must not rebuild the shared index from its knowledge/
    assert not pod.get("initContainers"), "the Deployment's pods only read the index"
    for container in pod["containers"]:
        assert "index" not in container["command"][len(APP_COMMAND):], container["name"]
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == configmap["INDEX_DIR"]]
        assert mount["readOnly"] is True, f"{container['name']} mounts the index writable"


def test_reindex_job(manifests):
    job = _one(manifests, "Job")
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    pod = _pod_spec(job)
    (container,) = pod["containers"]
    # plain `index` moves forward only (an older image's knowledge is refused); `--force` is a deliberate choice
    assert container["command"] == [*APP_COMMAND, "index"]
    # a refusal is the same on every retry: the Job fails at once instead of retrying
    (rule,) = job["spec"]["podFailurePolicy"]["rules"]
    assert rule["action"] == "FailJob" and pod["restartPolicy"] == "Never"
    assert rule["onExitCodes"] == {"containerName": container["name"], "operator": "In", "values": [INDEX_REFUSED]}
    assert pod["securityContext"]["runAsNonRoot"] is True
    pvc_name = _one(manifests, "PersistentVolumeClaim")["metadata"]["name"]
    claims = {v["name"] for v in pod["volumes"]
              if v.get("persistentVolumeClaim", {}).get("claimName") == pvc_name}
    assert any(m["name"] in claims and m["mountPath"] == "/srv/index" for m in container["volumeMounts"])


def _ingress_routes(ingress: dict[str, Any], path: str) -> bool:
    """Whether the Ingress sends a request for `path` to a backend (Kubernetes' Exact and Prefix matching)."""
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            prefix = entry["path"]
            if entry["pathType"] == "Exact" and path == prefix:
                return True
            if entry["pathType"] == "Prefix" and (prefix == "/" or path == prefix.rstrip("/")
                                                   or path.startswith(prefix.rstrip("/") + "/")):
                return True
    return False


PRIVATE_ROUTES = {"/metrics", "/healthz", "/readyz"}


def _paths(routes: list[Any]) -> list[str]:
    """Every path an app serves, through the routers it includes (FastAPI >= 0.165 keeps those as wrappers)."""
    found: list[str] = []
    for route in routes:
        if hasattr(route, "path"):
            found.append(route.path)
        elif hasattr(route, "original_router"):
            found += _paths(route.original_router.routes)
    return found


def test_ingress_routes_every_public_route_and_not_metrics(manifests):
    ingress = _one(manifests, "Ingress")
    service = _one(manifests, "Service")
    assert "defaultBackend" not in ingress["spec"]
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            backend = entry["backend"]["service"]
            assert backend["name"] == service["metadata"]["name"]
            assert backend["port"] in ({"name": p["name"]} for p in service["spec"]["ports"])
    for path in ("/metrics", "/metrics/", "/healthz", "/readyz"):
        assert not _ingress_routes(ingress, path), f"the Ingress exposes {path}"
    # every route of the app except the operational ones is public, so a new route must be placed on purpose
    from app.main import create_app

    routes = {re.sub(r"\{[^}]+\}", "x", path) for path in _paths(create_app(Settings()).routes)}
    assert PRIVATE_ROUTES | {"/api/chat", "/admin/index", "/widget.js"} <= routes
    unrouted = {r for r in routes - PRIVATE_ROUTES if not _ingress_routes(ingress, r)}
    assert not unrouted, f"app routes the Ingress does not route (add them, or to PRIVATE_ROUTES): {sorted(unrouted)}"


def test_network_policy_admits_only_the_ingress_controller_and_monitoring(manifests):
    policy = _one(manifests, "NetworkPolicy")
    deployment = _one(manifests, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    port = _pod_spec(deployment)["containers"][0]["ports"][0]
    namespaces = set()
    for rule in policy["spec"]["ingress"]:
        # an empty or missing `from` would admit every pod in the cluster to /metrics
        assert rule["from"] and all(set(peer) == {"namespaceSelector"} for peer in rule["from"]), rule
        namespaces |= {peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule["from"]}
        assert [p["port"] for p in rule["ports"]] in ([port["name"]], [port["containerPort"]])
    assert len(namespaces) == 2, "the ingress controller's namespace and the monitoring system's"


def test_purge_cronjob(manifests):
    cronjob = _one(manifests, "CronJob")
    assert len(cronjob["spec"]["schedule"].split()) == 5
    (container,) = _pod_spec(cronjob)["containers"]
    assert container["command"] == [*APP_COMMAND, "purge"]


def test_image_placeholder_is_consistent(manifests):
    images = set()
    for workload in _of_kind(manifests, "Deployment") + _of_kind(manifests, "Job") + _of_kind(manifests, "CronJob"):
        pod = _pod_spec(workload)
        images |= {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
    assert images == {"registry.example/dvc-assistant:latest"}


# --- image, lock file and installs -----------------------------------------------------------------------

def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _copy_sources(instruction: str) -> list[str]:
    """What a COPY instruction takes from the build context (nothing when it copies from another stage)."""
    words = instruction.split()[1:]
    if any(w.startswith("--from=") for w in words):
        return []
    return [w for w in words if not w.startswith("--")][:-1]


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex: `**` crosses directories, `*` and `?` do not."""
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves `path` out of the build context: the last pattern matching it or a parent decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        if any(_pattern(pattern.removeprefix("!")).fullmatch(prefix) for prefix in prefixes):
            ignored = not pattern.startswith("!")
    return ignored


def _requirement_name(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[@(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert re.fullmatch(r"\d[\w.+!-]*", version), f"constraints.txt: {line!r} is not pinned with =="
            pins[_requirement_name(name)] = version
    return pins


def test_dockerignore_keeps_local_state_and_build_outputs_out_of_the_context():
    patterns = _dockerignore()
    for path in (".git/HEAD", ".venv/bin/python", ".mypy_cache/3.11/app/main.meta.json", ".ruff_cache/0.5/x",
                 ".pytest_cache/v/cache/nodeids", ".hypothesis/examples/x", "app/__pycache__/main.cpython-311.pyc",
                 "app/api/stale.pyc", "dvc_assistant.egg-info/PKG-INFO", "build/lib/app/main.py",
                 "index/v-20261130T010203/vectors.npy", "index/manifest.json", "index/.build-x/chunks.json",
                 "var/storage.db", "eval-results/latest.json", "bench-results/latest.json",
                 "artifacts/screenshots/widget.png", "docs/widget-desktop.png", "tests/test_deploy.py",
                 "tests/browser/conftest.py", "deploy/compose.yaml", ".ci/run"):
        assert _ignored(path, patterns), f"{path} would be sent to the Docker build"


def test_dockerignore_keeps_every_file_the_dockerfile_copies():
    patterns = _dockerignore()
    sources = [source for step in _dockerfile() if step.startswith("COPY") for source in _copy_sources(step)]
    assert {"constraints.txt", "pyproject.toml", "app", "knowledge", "tests/data/questions"} <= set(sources)
    for source in sources:
        target = ROOT / source
        files = [target] if target.is_file() else [
            p for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, f"COPY {source}: nothing there"
        for path in files:
            relative = path.relative_to(ROOT).as_posix()
            assert not _ignored(relative, patterns), f"{relative} is copied by the Dockerfile but ignored"


def test_image_installs_the_locked_dependencies_in_a_layer_of_their_own():
    steps = _dockerfile()
    stages = [i for i, step in enumerate(steps) if step.startswith("FROM")]
    build = steps[stages[0]:stages[1]]
    copies = [(i, _copy_sources(step)) for i, step in enumerate(build) if step.startswith("COPY")]
    dependencies = next(i for i, step in enumerate(build) if step.startswith("RUN") and "-r constraints.txt" in step)
    project = next(i for i, step in enumerate(build)
                   if step.startswith("RUN") and re.search(r"--no-deps\b.*\s\.(\s|$)", step))
    # only the lock file is in the context when the dependencies install, so a code change reuses that layer
    assert [sources for i, sources in copies if i < dependencies] == [["constraints.txt"]]
    assert min(i for i, sources in copies if "app" in sources) > dependencies
    assert project > max(i for i, _ in copies)
    assert "pip check" in build[project], "the build fails when pyproject.toml needs what the lock lacks"


def test_base_image_is_pinned_by_digest_or_marked_for_pinning():
    images = [step.split()[1] for step in _dockerfile() if step.startswith("FROM")]
    assert len(images) == 2
    for image in images:
        assert re.fullmatch(r"python:3\.11-slim(@sha256:[0-9a-f]{64})?", image), image
    if not all("@sha256:" in image for image in images):
        assert "pin both stages by digest" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_constraints_pin_the_runtime_dependencies_and_no_dev_tool():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(d) for d in project["dependencies"]}
    pins = _constraints()
    assert runtime <= set(pins), f"not in constraints.txt (run `make constraints`): {sorted(runtime - set(pins))}"
    tools = {"pytest", "ruff", "mypy", "hypothesis", "schemathesis", "playwright", "torch", "sentence-transformers"}
    assert not tools & set(pins), "constraints.txt holds runtime dependencies only"


def _make_rules() -> dict[str, tuple[str, list[str]]]:
    """Makefile targets: prerequisites and recipe lines (variables left unexpanded)."""
    rules: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("\t"):
            current.append(line.strip())
            continue
        rule = re.match(r"^([^\s#:=][^:=]*):(?!=)\s*(.*)$", line)
        if rule:
            current = []
            for target in rule.group(1).split():
                rules[target] = (rule.group(2), current)
    return rules


def test_make_run_installs_the_runtime_only_and_every_install_is_locked():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = _make_rules()
    assert re.search(r"^CONSTRAINTS := constraints\.txt$", text, re.MULTILINE)
    assert re.search(r"^PIP_INSTALL := \$\(PY\) -m pip install -q -c \$\(CONSTRAINTS\)$", text, re.MULTILINE)
    run_prerequisites, _ = rules["run"]
    assert run_prerequisites.split() == ["$(RUN_STAMP)"]
    runtime_deps, runtime_recipe = rules["$(RUN_STAMP)"]
    assert "$(CONSTRAINTS)" in runtime_deps.split()
    assert "$(PIP_INSTALL) -e ." in runtime_recipe and not any("[dev]" in line for line in runtime_recipe)
    _, dev_recipe = rules["$(STAMP)"]
    assert "$(PIP_INSTALL) -e '.[dev]'" in dev_recipe
    for target in ("lint", "test-fast"):
        assert "$(STAMP)" in rules[target][0].split(), target
    assert {"$(ST_STAMP)", "install-browser", "lint"} <= set(rules["test"][0].split())
    # outside the venv's own pip upgrade and the lock's refresh, every package install goes through the lock
    unlocked = [f"{target}: {line}" for target, (_, recipe) in rules.items() for line in recipe
                if "pip install" in line and target not in {"$(PY)", "constraints"}]
    assert unlocked == []
