"""Offline checks of deploy/: the files parse, have the shape the README promises, and name real settings.

No Docker engine or cluster is needed: everything is read with PyYAML (and nginx.conf as text).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
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


# --- kubernetes -------------------------------------------------------------------------------------------

def test_every_k8s_manifest_parses_and_has_a_kind(manifests):
    assert {"deployment.yaml", "service.yaml", "hpa.yaml", "reindex-job.yaml", "purge-cronjob.yaml",
            "configmap.yaml", "secret.example.yaml", "kustomization.yaml"} <= set(manifests)
    for name, docs in manifests.items():
        for doc in docs:
            assert doc.get("apiVersion") and doc.get("kind"), name


def test_kustomization_lists_the_manifests(manifests):
    kustomization = _one(manifests, "Kustomization")
    resources = kustomization["resources"]
    for resource in resources:
        assert (K8S / resource).is_file(), resource
    expected = set(manifests) - {"kustomization.yaml", "secret.example.yaml"}
    assert set(resources) == expected
    assert "secret.example.yaml" not in resources, "placeholder credentials must not be applied"


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


def test_reindex_job(manifests):
    job = _one(manifests, "Job")
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    pod = _pod_spec(job)
    (container,) = pod["containers"]
    assert container["command"] == [*APP_COMMAND, "index"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    pvc_name = _one(manifests, "PersistentVolumeClaim")["metadata"]["name"]
    claims = {v["name"] for v in pod["volumes"]
              if v.get("persistentVolumeClaim", {}).get("claimName") == pvc_name}
    assert any(m["name"] in claims and m["mountPath"] == "/srv/index" for m in container["volumeMounts"])


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
