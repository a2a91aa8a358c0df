#!/usr/bin/env bash
# Offline checks of the deployment files: deploy/ (alerts, dashboard, Dockerfile, metrics contract) and the
# Helm chart in helm/newsflow. Run by `make test`; needs no cluster, no broker and no running Prometheus.
#
#   scripts/check-deploy.sh
#
# Tools: python3 (3.11+, with PyYAML), promtool (Debian's prometheus package: extracted into
# .cache/prometheus, never installed, so no service starts), helm and kubeconform (built with `go install`
# into .cache/bin on first use; a few minutes) and the worker binary (`newsflow check-config` on every
# rendered config; built with cargo when absent). Each check prints one line; the last line is
# "N passed, M failed".
#
# Every manifest the checks render is validated by kubeconform -strict against the schemas vendored in
# deploy/schemas (Kubernetes kinds and the KEDA / prometheus-operator CRDs; scripts/vendor-schemas.py
# refreshes them): no cluster and no network needed.
#
# Environment: HELM (a helm binary to use instead of .cache/bin/helm), HELM_VERSION (v3.19.0),
# KUBECONFORM (a kubeconform binary), KUBECONFORM_VERSION (v0.8.0), NEWSFLOW_BIN (the worker binary;
# target/debug/newsflow), PROMTOOL (a promtool binary), KUBE_VERSION (1.31.0: the Kubernetes version helm
# renders for and the schemas' version; a helm built with `go install` otherwise assumes v1.20, below the
# chart's kubeVersion).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
cache="$root/.cache"
chart="helm/newsflow"
helm_version=${HELM_VERSION:-v3.19.0}
kubeconform_version=${KUBECONFORM_VERSION:-v0.8.0}
kube_version=${KUBE_VERSION:-1.31.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { echo "check-deploy: $*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------
# Prerequisites: report exactly what is missing, install what can be installed into .cache.

prereq_python() {
  command -v python3 >/dev/null || die "python3 not found: install Python 3.11 or newer (Debian: apt-get install python3)"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || die "python3 $(python3 -c 'import platform; print(platform.python_version())') found; tomllib needs Python 3.11 or newer"
  if ! python3 -c 'import yaml' 2>/dev/null; then
    export PYTHONPATH="$cache/python${PYTHONPATH:+:$PYTHONPATH}"
    if ! python3 -c 'import yaml' 2>/dev/null; then
      say "PyYAML missing: installing it into .cache/python"
      python3 -m pip install --quiet --disable-pip-version-check --target "$cache/python" pyyaml >"$tmp/pip.log" 2>&1 \
        || { cat "$tmp/pip.log" >&2; die "PyYAML is missing and 'pip install pyyaml' failed (Debian: apt-get install python3-yaml)"; }
    fi
  fi
}

prereq_promtool() {
  if [ -n "${PROMTOOL:-}" ]; then
    [ -x "$PROMTOOL" ] || die "PROMTOOL=$PROMTOOL is not executable"
    return
  fi
  local extracted="$cache/prometheus/root/usr/bin/promtool"
  if [ -x "$extracted" ]; then PROMTOOL=$extracted; return; fi
  if command -v promtool >/dev/null; then PROMTOOL=$(command -v promtool); return; fi
  say "promtool missing: extracting it from Debian's prometheus package into .cache/prometheus (the package is not installed)"
  fetch_debian_prometheus "$cache/prometheus" "$tmp/apt.log" || {
    cat "$tmp/apt.log" >&2
    die "promtool not found and Debian's prometheus package could not be fetched (apt-get download prometheus; output above): install Prometheus' promtool and set PROMTOOL=/path/to/promtool"
  }
  PROMTOOL=$extracted
}

prereq_helm() {
  if [ -n "${HELM:-}" ]; then
    [ -x "$HELM" ] || die "HELM=$HELM is not executable"
    return
  fi
  HELM="$cache/bin/helm"
  [ -x "$HELM" ] && return
  command -v go >/dev/null \
    || die "helm not found in .cache/bin and no go toolchain to build it: install Go, or set HELM=/path/to/helm (v3)"
  say "helm missing: building helm $helm_version into .cache/bin with go install (first run only; a few minutes)"
  mkdir -p "$cache/bin"
  if ! GOBIN="$cache/bin" go install "helm.sh/helm/v3/cmd/helm@$helm_version" >"$tmp/go.log" 2>&1; then
    tail -n 30 "$tmp/go.log" >&2
    die "go install helm.sh/helm/v3/cmd/helm@$helm_version failed (output above): helm is required for the chart checks"
  fi
  [ -x "$HELM" ] || die "go install succeeded but $HELM is missing"
}

prereq_kubeconform() {
  if [ -n "${KUBECONFORM:-}" ]; then
    [ -x "$KUBECONFORM" ] || die "KUBECONFORM=$KUBECONFORM is not executable"
    return
  fi
  KUBECONFORM="$cache/bin/kubeconform"
  # A binary from an earlier pin is replaced (go version -m reads the module version it was built from).
  if [ -x "$KUBECONFORM" ] && { ! command -v go >/dev/null \
      || go version -m "$KUBECONFORM" 2>/dev/null | grep -qE "^\s+mod\s+github.com/yannh/kubeconform\s+$kubeconform_version\s"; }; then
    return
  fi
  command -v go >/dev/null \
    || die "kubeconform not found in .cache/bin and no go toolchain to build it: install Go, or set KUBECONFORM=/path/to/kubeconform ($kubeconform_version)"
  say "kubeconform missing: building kubeconform $kubeconform_version into .cache/bin with go install (first run only)"
  mkdir -p "$cache/bin"
  if ! GOBIN="$cache/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version" >"$tmp/go.log" 2>&1; then
    tail -n 30 "$tmp/go.log" >&2
    die "go install github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version failed (output above): kubeconform is required for the schema checks"
  fi
  [ -x "$KUBECONFORM" ] || die "go install succeeded but $KUBECONFORM is missing"
}

prereq_newsflow() {
  NEWSFLOW_BIN=${NEWSFLOW_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/newsflow}
  [ -x "$NEWSFLOW_BIN" ] && return
  command -v cargo >/dev/null \
    || die "$NEWSFLOW_BIN missing and no cargo to build it: build the worker (cargo build -p newsflow) or set NEWSFLOW_BIN"
  say "$NEWSFLOW_BIN missing: building it (cargo build -p newsflow --locked)"
  cargo build -p newsflow --locked >"$tmp/cargo.log" 2>&1 \
    || { tail -n 30 "$tmp/cargo.log" >&2; die "cargo build -p newsflow failed (output above): check-config needs the worker binary"; }
  [ -x "$NEWSFLOW_BIN" ] || die "cargo build succeeded but $NEWSFLOW_BIN is missing (set NEWSFLOW_BIN)"
}

prereq_python
prereq_promtool
prereq_helm
prereq_kubeconform
prereq_newsflow
export PROMTOOL HELM KUBECONFORM NEWSFLOW_BIN

# ---------------------------------------------------------------------------------------------------------
# Python helpers shared by the checks: python3 "$py" <command> args...

py="$tmp/checks.py"
cat >"$py" <<'PY'
import json, os, re, shutil, sys, tomllib
import yaml

ROOT_TOML = "config/newsflow.toml"
# Keys whose chart default differs from the binary's on purpose (documented in values.yaml).
CHART_DEFAULTS = {"kafka.bootstrap_servers", "telemetry.log_format"}
LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
          "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
          "helm.sh/chart"]


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def kinds(path):
    return sorted(d["kind"] for d in docs(path))


def one(path, kind):
    found = [d for d in docs(path) if d["kind"] == kind]
    if len(found) != 1:
        fail(f"{path}: expected one {kind}, found {len(found)}")
    return found[0]


def flatten(table, prefix=""):
    """Dotted key -> TOML type name; tables (also empty ones) map to "table"."""
    out = {}
    for k, v in table.items():
        key = prefix + k
        if isinstance(v, dict):
            out[key] = "table"
            out.update(flatten(v, key + "."))
        elif isinstance(v, list):
            out[key] = "array[" + ",".join(sorted({type(x).__name__ for x in v})) + "]"
        else:
            out[key] = type(v).__name__
    return out


def values_at(table, prefix=""):
    out = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(values_at(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def duration_ms(text):
    m = re.fullmatch(r"([0-9]+) ?(ms|s|m|h)", str(text).strip())
    if not m:
        fail(f"duration {text!r} is not of the chart's form (500ms, 15s, 2m, 1h)")
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[m.group(2)]


def rendered_toml(path):
    cm = one(path, "ConfigMap")
    return tomllib.loads(cm["data"]["newsflow.toml"])


def diff_keys(want, got, what):
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        fail(f"{what} drifted from {ROOT_TOML}: missing {missing}, extra {extra}")


# -- PromQL metric names --------------------------------------------------------------------------------------
NOT_METRICS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
               "offset", "inf", "nan", "atan2"}


def metric_names(expr):
    m = re.match(r"^\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*$", expr, re.S)
    if m:  # a Grafana variable query
        expr = m.group(1)
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"'(?:[^'\\]|\\.)*'", "''", e)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\$\{?\w+\}?", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)", e):
        if e[m.end():].lstrip().startswith("("):
            continue  # a function or an aggregation
        if m.group(1).lower() in NOT_METRICS:
            continue
        names.add(m.group(1))
    return names


# Series the worker does not export that the alerts and the dashboard read: Prometheus' own scrape health
# and, in a cluster, cAdvisor (kubelet) and kube-state-metrics.
EXTERNAL_METRICS = {
    "up",
    "container_memory_working_set_bytes", "container_cpu_cfs_throttled_periods_total",
    "container_cpu_cfs_periods_total", "container_cpu_usage_seconds_total",
    "kube_pod_container_status_restarts_total", "kube_pod_container_status_last_terminated_reason",
    "kube_pod_container_resource_limits", "kube_pod_container_resource_requests",
    "kube_deployment_spec_replicas", "kube_deployment_status_replicas_available",
}


def contract():
    with open("deploy/metrics.txt") as f:
        names = [line.strip() for line in f if line.strip()]
    bad = [n for n in names if not re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", n)]
    if bad:
        fail(f"deploy/metrics.txt: not metric names: {bad}")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        fail(f"deploy/metrics.txt: duplicates {dup}")
    return set(names)


def dashboard_exprs(dash):
    exprs = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                exprs.append(("panel " + repr(p.get("title")), t["expr"]))
            walk(p.get("panels", []))
    walk(dash["panels"])
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            exprs.append(("variable " + v["name"], q))
    return exprs


def rule_exprs(groups):
    return [("alert " + r.get("alert", r.get("record", "?")), r["expr"]) for g in groups for r in g["rules"]]


def normalized_rules(rules):
    out = []
    for r in rules:
        r = dict(r)
        r["expr"] = " ".join(str(r["expr"]).split())
        r["annotations"] = {k: " ".join(str(v).split()) for k, v in r.get("annotations", {}).items()}
        out.append(r)
    return out


# -- commands ---------------------------------------------------------------------------------------------------
def cmd_alerts_tested(alerts, tests):
    names = [r["alert"] for g in docs(alerts)[0]["groups"] for r in g["rules"]]
    fired, quiet = set(), set()
    for t in docs(tests)[0]["tests"]:
        for a in t.get("alert_rule_test", []):
            (fired if a.get("exp_alerts") else quiet).add(a["alertname"])
    missing = [f"{n} ({'firing' if n not in fired else 'not firing'})" for n in names
               if n not in fired or n not in quiet]
    if missing:
        fail(f"{tests} does not test: {', '.join(missing)}")
    print(f"{len(names)} alerts, each tested firing and not firing")


def cmd_default(path):
    ks = kinds(path)
    want = ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ServiceAccount"]
    if ks != want:
        fail(f"default render has {ks}, want {want}")
    for d in docs(path):
        miss = [l for l in LABELS if l not in d["metadata"].get("labels", {})]
        if miss:
            fail(f"{d['kind']} lacks labels {miss}")
    dep = one(path, "Deployment")
    pod = dep["spec"]["template"]
    ann = pod["metadata"].get("annotations", {})
    if not re.fullmatch(r"[0-9a-f]{64}", str(ann.get("checksum/config", ""))):
        fail("Deployment pod template lacks a checksum/config annotation")
    miss = [l for l in LABELS if l not in pod["metadata"]["labels"]]
    if miss:
        fail(f"pod template lacks labels {miss}")
    spec = pod["spec"]
    psc = spec["securityContext"]
    if psc.get("runAsNonRoot") is not True or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        fail(f"pod securityContext: {psc}")
    if spec.get("enableServiceLinks") is not False:
        fail("enableServiceLinks must be false (service env vars next to NEWSFLOW__ overrides)")
    (c,) = spec["containers"]
    sc = c["securityContext"]
    if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True \
            or sc.get("capabilities", {}).get("drop") != ["ALL"]:
        fail(f"container securityContext: {sc}")
    if c["livenessProbe"]["httpGet"]["path"] != "/healthz" or c["readinessProbe"]["httpGet"]["path"] != "/readyz":
        fail("probes: liveness must be /healthz, readiness /readyz")
    if c["args"] != ["run", "--config", "/etc/newsflow/newsflow.toml"]:
        fail(f"container args: {c['args']}")
    if not c.get("resources", {}).get("requests") or not c["resources"].get("limits"):
        fail("container resources need requests and limits")
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in spec["volumes"]}
    if "emptyDir" not in vols.get(mounts.get("/tmp"), {}):
        fail("no emptyDir mounted at /tmp")
    if "configMap" not in vols.get(mounts.get("/etc/newsflow"), {}):
        fail("the ConfigMap is not mounted at /etc/newsflow")
    toml = rendered_toml(path)
    port = int(toml["telemetry"]["listen"].rsplit(":", 1)[1])
    if c["ports"][0]["containerPort"] != port:
        fail(f"containerPort {c['ports'][0]['containerPort']} != telemetry.listen port {port}")
    drain = duration_ms(toml["kafka"]["drain_timeout"])
    if spec["terminationGracePeriodSeconds"] * 1000 <= drain:
        fail(f"terminationGracePeriodSeconds {spec['terminationGracePeriodSeconds']} not above drain {drain} ms")
    if "replicas" not in dep["spec"]:
        fail("mode none must set Deployment replicas")
    svc = one(path, "Service")
    if svc["spec"].get("publishNotReadyAddresses") is not True:
        fail("the metrics Service must publish not-ready addresses (they must still be scraped)")
    print(f"{len(ks)} resources, recommended labels, checksum/config, probes, security contexts, "
          f"/tmp emptyDir, grace {spec['terminationGracePeriodSeconds']}s > drain {drain}ms")


def cmd_toml(path, big_path, props_path):
    with open(ROOT_TOML, "rb") as f:
        ref = tomllib.load(f)
    got = rendered_toml(path)
    want_t, got_t = flatten(ref), flatten(got)
    diff_keys(want_t, got_t, "rendered newsflow.toml")
    wrong = [f"{k}: {got_t[k]} (binary: {want_t[k]})" for k in want_t if got_t[k] != want_t[k]]
    if wrong:
        fail(f"rendered TOML types differ: {wrong}")
    rv, gv = values_at(ref), values_at(got)
    differ = sorted(k for k in rv if rv[k] != gv[k] and k not in CHART_DEFAULTS)
    if differ:
        fail("chart defaults differ from config/newsflow.toml (update values.yaml, or list the key in "
             f"CHART_DEFAULTS with a reason): " + ", ".join(f"{k}={gv[k]!r} vs {rv[k]!r}" for k in differ))
    big = rendered_toml(big_path)
    if big["dedup"]["max_entries"] != 20000000 or not isinstance(big["dedup"]["max_entries"], int):
        fail(f"dedup.max_entries=20000000 rendered as {big['dedup']['max_entries']!r}")
    if big["lang"]["min_confidence"] != 0.75:
        fail(f"lang.min_confidence=0.75 rendered as {big['lang']['min_confidence']!r}")
    props = rendered_toml(props_path)["kafka"]["properties"]
    if props != {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512"}:
        fail(f"kafka.properties rendered as {props}")
    a = one(path, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    b = one(big_path, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    if a == b:
        fail("checksum/config did not change with the config")
    print(f"valid TOML, same {sum(1 for t in want_t.values() if t == 'table')} tables and "
          f"{sum(1 for t in want_t.values() if t != 'table')} keys with the same types and defaults as "
          f"{ROOT_TOML}; large ints, floats, dotted properties and checksum/config render right")


def cmd_schema_keys(schema_path):
    with open(ROOT_TOML, "rb") as f:
        ref = flatten(tomllib.load(f))
    with open(schema_path) as f:
        schema = json.load(f)
    tmap = {"int": "integer", "float": "number", "str": "string", "bool": "boolean", "table": "object"}

    def walk(node, prefix=""):
        out = {}
        for k, v in node.get("properties", {}).items():
            out[prefix + k] = v.get("type")
            if v.get("type") == "object" and "properties" in v:
                if v.get("additionalProperties") is not False:
                    fail(f"schema config.{prefix + k} must set additionalProperties false")
                out.update(walk(v, prefix + k + "."))
        return out
    cfg = schema["properties"]["config"]
    if cfg.get("additionalProperties") is not False:
        fail("schema config must set additionalProperties false")
    got = walk(cfg)
    diff_keys(ref, got, "values.schema.json config")
    wrong = [f"{k}: {got[k]} (TOML {t})" for k, t in ref.items()
             if got[k] != (tmap.get(t) or ("array" if t.startswith("array") else t))]
    if wrong:
        fail(f"schema types differ from the TOML: {wrong}")
    if schema.get("additionalProperties") is not False:
        fail("schema root must set additionalProperties false")
    print(f"config schema has the {len(ref)} tables and keys of {ROOT_TOML}, strict at every level")


def cmd_values_comments(values_path):
    lines = open(values_path).read().splitlines()
    stack = []  # (indent, documented)
    undocumented = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)([A-Za-z_][\w.-]*|\"[^\"]+\"):(\s|$)", line)
        if not m:
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        own = j >= 0 and lines[j].lstrip().startswith("#")
        documented = own or any(d for _, d in stack)
        rest = line[m.end():].strip()
        is_parent = rest == "" or rest.startswith("#")
        if not is_parent and not documented:
            undocumented.append(f"line {i + 1}: {line.strip()}")
        stack.append((indent, documented))
    if undocumented:
        fail("values.yaml values without a comment:\n  " + "\n  ".join(undocumented))
    print("every value in values.yaml has a comment")


def cmd_keda(path):
    ks = kinds(path)
    if "ScaledObject" not in ks or "HorizontalPodAutoscaler" in ks:
        fail(f"keda mode rendered {ks}: want a ScaledObject and no HorizontalPodAutoscaler")
    so = one(path, "ScaledObject")
    (t,) = so["spec"]["triggers"]
    want = {"bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold",
            "offsetResetPolicy", "allowIdleConsumers"}
    md = t["metadata"]
    if t["type"] != "kafka" or not want <= set(md):
        fail(f"kafka trigger lacks {sorted(want - set(md))}")
    if any(not isinstance(v, str) for v in md.values()):
        fail(f"KEDA trigger metadata values must be strings: {md}")
    if md["allowIdleConsumers"] != "false":
        fail("allowIdleConsumers must be false by default")
    toml = rendered_toml(path)
    if (md["consumerGroup"], md["topic"], md["bootstrapServers"]) != (
            toml["kafka"]["group_id"], toml["kafka"]["input_topic"], toml["kafka"]["bootstrap_servers"]):
        fail("trigger consumerGroup/topic/bootstrapServers differ from config.kafka")
    if "replicas" in one(path, "Deployment")["spec"]:
        fail("with KEDA the Deployment must not set replicas")
    print(f"ScaledObject with kafka trigger ({', '.join(sorted(want))}) from config.kafka, no HPA, no replicas")


def cmd_hpa(path):
    ks = kinds(path)
    if "HorizontalPodAutoscaler" not in ks or "ScaledObject" in ks:
        fail(f"hpa mode rendered {ks}")
    hpa = one(path, "HorizontalPodAutoscaler")
    if hpa["apiVersion"] != "autoscaling/v2":
        fail(hpa["apiVersion"])
    if "replicas" in one(path, "Deployment")["spec"]:
        fail("with an HPA the Deployment must not set replicas")
    print("autoscaling/v2 HorizontalPodAutoscaler, no ScaledObject, no replicas")


def cmd_absent(path, *kinds_absent):
    ks = kinds(path)
    bad = [k for k in kinds_absent if k in ks]
    if bad:
        fail(f"{path} renders {bad}")


def cmd_servicemonitor(path):
    sm = one(path, "ServiceMonitor")
    (ep,) = sm["spec"]["endpoints"]
    if ep["port"] != "metrics" or ep["path"] != "/metrics":
        fail(f"ServiceMonitor endpoint {ep}")
    svc = one(path, "Service")
    if not all(svc["metadata"]["labels"].get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items()):
        fail("ServiceMonitor selector does not match the Service labels")
    print("ServiceMonitor on port metrics /metrics, selecting the Service")


def cmd_rules(path, alerts, spec_out):
    pr = one(path, "PrometheusRule")
    with open(spec_out, "w") as f:
        yaml.safe_dump({"groups": pr["spec"]["groups"]}, f)
    print(len(pr["spec"]["groups"][0]["rules"]))


def cmd_rules_equal(path, alerts):
    chart = normalized_rules(one(path, "PrometheusRule")["spec"]["groups"][0]["rules"])
    ref = normalized_rules(docs(alerts)[0]["groups"][0]["rules"])
    if chart != ref:
        for c, r in zip(chart, ref):
            if c != r:
                fail(f"chart rule differs from {alerts}:\n  chart: {c}\n  file:  {r}")
        fail(f"chart renders {[r['alert'] for r in chart]}, {alerts} has {[r['alert'] for r in ref]}")
    print(f"the chart's PrometheusRule renders the {len(ref)} rules of {alerts}")


def cmd_kinds_present(path, *want):
    missing = sorted(set(want) - set(kinds(path)))
    if missing:
        fail(f"{path} lacks {missing}")


def cmd_config_env(path, toml_out, env_out):
    """The rendered newsflow.toml and the Deployment's env as NAME=value lines; exit 1 when no ConfigMap."""
    cms = [d for d in docs(path) if d["kind"] == "ConfigMap"]
    if not cms:
        sys.exit(1)
    toml_text = cms[0]["data"]["newsflow.toml"]
    # Files the Deployment mounts from Secrets and ConfigMaps stand in under a local directory: a CA is a
    # throwaway certificate (the Redis client parses it), anything else a placeholder.
    standin = os.path.join(os.path.dirname(os.path.abspath(toml_out)), "standin")
    for d in docs(path):
        if d["kind"] != "Deployment":
            continue
        spec = d["spec"]["template"]["spec"]
        volumes = {v["name"]: v.get("secret") or v.get("configMap") for v in spec.get("volumes", [])}
        for c in spec["containers"]:
            for m in c.get("volumeMounts", []):
                source = volumes.get(m["name"])
                if not source or "items" not in source:
                    continue
                local = standin + m["mountPath"]
                os.makedirs(local, exist_ok=True)
                for item in source["items"]:
                    target = os.path.join(local, item["path"])
                    if item["path"].endswith(".pem"):
                        shutil.copyfile(os.environ["STANDIN_CA"], target)
                    else:
                        with open(target, "w") as f:
                            f.write("rediss://from-secret:6380/0\n" if item["path"] == "url" else "from-secret\n")
                toml_text = toml_text.replace(f'"{m["mountPath"]}/', f'"{local}/')
    with open(toml_out, "w") as f:
        f.write(toml_text)
    lines = []
    for d in docs(path):
        if d["kind"] == "Deployment":
            for c in d["spec"]["template"]["spec"]["containers"]:
                for e in c.get("env", []):
                    value = e["value"] if "value" in e else "from-secret"
                    if any(ch.isspace() for ch in str(value)):
                        fail(f"env {e['name']} holds whitespace; check-config cannot pass it")
                    lines.append(f"{e['name']}={value}")
    with open(env_out, "w") as f:
        f.write("\n".join(lines) + "\n")


def cmd_credentials(path):
    (c,) = one(path, "Deployment")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in c.get("env", [])}
    e = env.get("NEWSFLOW__KAFKA__PROPERTIES__SASL_PASSWORD")
    if not e or e["valueFrom"]["secretKeyRef"] != {"name": "kafka-sasl", "key": "password"}:
        fail(f"SASL password env from the existing Secret missing: {env}")
    print("SASL credentials come from the existing Secret as NEWSFLOW__KAFKA__PROPERTIES__* env")


def cmd_secured(path):
    """The secured example: secrets and CAs mounted read-only as files the config names; KEDA reads the same."""
    toml = rendered_toml(path)
    props = toml["kafka"]["properties"]
    want = {
        "sasl.username.file": "/var/run/secrets/newsflow/kafka/username",
        "sasl.password.file": "/var/run/secrets/newsflow/kafka/password",
        "ssl.ca.location": "/etc/newsflow/ca/kafka/ca.pem",
    }
    for key, value in want.items():
        if props.get(key) != value:
            fail(f"kafka.properties.{key} = {props.get(key)!r}, want {value!r}")
    if any("password" in k and not k.endswith(".file") for k in props):
        fail(f"a password in the rendered config: {sorted(props)}")
    redis = toml["dedup"]["redis"]
    if redis.get("url_file") != "/var/run/secrets/newsflow/redis/url" or not redis.get("tls_ca_file"):
        fail(f"redis url_file/tls_ca_file not set: {redis}")
    spec = one(path, "Deployment")["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    for directory in ("/var/run/secrets/newsflow/kafka", "/etc/newsflow/ca/kafka", "/var/run/secrets/newsflow/redis",
                      "/etc/newsflow/ca/redis"):
        if not mounts.get(directory, {}).get("readOnly"):
            fail(f"{directory} not mounted read-only: {sorted(mounts)}")
    if any("PASSWORD" in e["name"] or "URL" in e["name"] for e in c.get("env", [])):
        fail(f"a secret in the environment: {c.get('env')}")
    volumes = {v["name"]: v for v in spec["volumes"]}
    secret = volumes["kafka-credentials"]["secret"]["secretName"]
    auth = one(path, "TriggerAuthentication")["spec"]
    refs = {r["parameter"]: r["name"] for r in auth.get("secretTargetRef", [])}
    if refs.get("username") != secret or refs.get("password") != secret:
        fail(f"TriggerAuthentication does not read Secret {secret}: {auth}")
    trigger = one(path, "ScaledObject")["spec"]["triggers"][0]
    meta = trigger["metadata"]
    if meta.get("sasl") != "scram_sha512" or meta.get("tls") != "enable":
        fail(f"KEDA trigger sasl/tls: {meta}")
    if trigger.get("authenticationRef", {}).get("name") != one(path, "TriggerAuthentication")["metadata"]["name"]:
        fail("the trigger does not use the TriggerAuthentication")
    print(f"secured example: SASL and CA files from Secret {secret} and ConfigMaps, mounted read-only, no secret in "
          "env or config; KEDA TriggerAuthentication reads the same Secret (sasl scram_sha512, tls)")


def cmd_redis(path):
    """redis.enabled: one persisted Redis (append-only file on a claim) that the worker's config points at."""
    toml = rendered_toml(path)
    sts = one(path, "StatefulSet")
    svc = [d for d in docs(path) if d["kind"] == "Service" and d["metadata"]["name"].endswith("-redis")]
    if len(svc) != 1:
        fail("no Redis Service")
    want = f"redis://{svc[0]['metadata']['name']}:6379/0"
    if toml["dedup"]["redis"]["url"] != want or toml["dedup"]["store"] != "redis":
        fail(f"dedup.redis.url {toml['dedup']['redis']['url']}, want {want}")
    (c,) = sts["spec"]["template"]["spec"]["containers"]
    args = " ".join(c["args"])
    for flag in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction"):
        if flag not in args:
            fail(f"redis args lack {flag}: {args}")
    claims = sts["spec"].get("volumeClaimTemplates", [])
    if [m["mountPath"] for m in c["volumeMounts"]] != ["/data"] or len(claims) != 1:
        fail("redis data not on a PersistentVolumeClaim at /data")
    if sts["spec"]["replicas"] != 1:
        fail("more than one Redis replica")
    print(f"redis.enabled: one Redis with an append-only file on a {claims[0]['spec']['resources']['requests']['storage']} "
          f"claim; the worker's dedup.redis.url is {want}")


def cmd_examples(*pairs):
    out = []
    for pair in pairs:
        path, stages = pair.split("=")
        toml = rendered_toml(path)
        if toml["pipeline"]["stages"] != stages.split(","):
            fail(f"{path}: stages {toml['pipeline']['stages']}, want {stages}")
        out.append(f"{'+'.join(toml['pipeline']['stages'])} ({toml['kafka']['input_topic']})")
    print("split pipeline renders: " + ", ".join(out))


def cmd_dashboard(path):
    with open(path) as f:
        dash = json.load(f)
    if dash.get("schemaVersion") != 39:
        fail(f"schemaVersion {dash.get('schemaVersion')}, want 39")
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    if variables.get("datasource", {}).get("type") != "datasource":
        fail("no datasource template variable")
    # $job is the release (a split pipeline runs two in one namespace), $group the consumer group.
    for name in ("namespace", "job", "group", "pod"):
        if name not in variables:
            fail(f"no {name} variable")
    ids, n = set(), 0

    def walk(panels):
        nonlocal n
        for p in panels:
            if p["id"] in ids:
                fail(f"duplicate panel id {p['id']}")
            ids.add(p["id"])
            if p["type"] != "row":
                n += 1
                if p.get("datasource", {}).get("uid") != "${datasource}":
                    fail(f"panel {p['title']!r} does not use ${{datasource}}")
                for t in p["targets"]:
                    if t.get("datasource", {}).get("uid") != "${datasource}":
                        fail(f"a target of {p['title']!r} does not use ${{datasource}}")
                    for var in ("namespace", "job", "pod"):
                        if f'{var}=~"${var}"' not in t["expr"]:
                            fail(f"a query of {p['title']!r} ignores ${var}: {t['expr']}")
                    for m in re.finditer(r"newsflow_kafka_group_lag_messages\{([^}]*)\}", t["expr"]):
                        if 'group=~"$group"' not in m.group(1):
                            fail(f"a query of {p['title']!r} reads a group's lag without $group: {t['expr']}")
                    if "_bucket" in t["expr"] and not re.search(
                            r"histogram_quantile\(\s*0?\.\d+,\s*sum by \([^)]*\ble\b[^)]*\) \(rate\(", t["expr"]):
                        fail(f"histogram query must be histogram_quantile(q, sum by (.., le) (rate(..))): {t['expr']}")
            walk(p.get("panels", []))
    walk(dash["panels"])
    used = set()
    for _, e in dashboard_exprs(dash):
        used |= metric_names(e)
    need = {"newsflow_messages_consumed_total", "newsflow_messages_produced_total",
            "newsflow_kafka_group_lag_messages", "newsflow_stage_duration_seconds_bucket",
            "newsflow_end_to_end_latency_seconds_bucket", "newsflow_dlq_messages_total", "newsflow_outcomes_total",
            "newsflow_language_total", "newsflow_kafka_rebalances_total", "newsflow_kafka_assigned_partitions",
            "newsflow_in_flight_messages", "newsflow_paused", "process_resident_memory_bytes",
            "process_cpu_seconds_total", "newsflow_ready", "up", "newsflow_stalled",
            "newsflow_kafka_denied_total", "newsflow_kafka_client_errors_total", "newsflow_kafka_consume_errors_total",
            "newsflow_dedup_store_errors_total", "newsflow_dedup_unavailable_total", "newsflow_dedup_fail_open_total",
            "newsflow_dedup_state_since_seconds", "newsflow_dedup_state_lost_total",
            "newsflow_dedup_restored_events_total", "container_memory_working_set_bytes",
            "kube_pod_container_resource_limits", "container_cpu_cfs_throttled_periods_total",
            "container_cpu_cfs_periods_total", "kube_pod_container_status_restarts_total",
            "kube_pod_container_status_last_terminated_reason"}
    if need - used:
        fail(f"dashboard shows nothing of {sorted(need - used)}")
    print(f"valid JSON, schemaVersion 39, {n} panels on ${{datasource}} filtered by $namespace/$job/$pod "
          f"(and $group where a group's lag is read), "
          f"{len(used)} metrics")


def cmd_dashboard_rules(path, out):
    """The dashboard's queries as recording rules, Grafana variables replaced, for promtool to parse."""
    with open(path) as f:
        exprs = dashboard_exprs(json.load(f))
    subst = {"$__rate_interval": "5m", "$__range": "6h", "$__interval": "1m", "$namespace": ".*", "$job": ".*",
             "$group": ".*", "$pod": ".*"}
    rules = []
    for i, (where, e) in enumerate(exprs):
        m = re.match(r"^\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*$", e, re.S)
        if m:
            e = m.group(1)
        for k, v in subst.items():
            e = e.replace(k, v)
        if "$" in e:
            fail(f"{where}: unknown variable in {e}")
        rules.append({"record": f"dashboard:query_{i}", "expr": e})
    with open(out, "w") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)


def cmd_contract(dashboard, alerts, tests, *rendered_rules):
    known = contract() | EXTERNAL_METRICS
    with open(dashboard) as f:
        refs = dashboard_exprs(json.load(f))
    refs += rule_exprs(docs(alerts)[0]["groups"])
    for t in docs(tests)[0]["tests"]:
        for s in t.get("input_series", []):
            refs.append(("test series", s["series"]))
    for path in rendered_rules:
        refs += rule_exprs(one(path, "PrometheusRule")["spec"]["groups"])
    unknown = {}
    used = set()
    for where, e in refs:
        for name in metric_names(e):
            used.add(name)
            if name not in known:
                unknown.setdefault(name, where)
    if unknown:
        fail("metrics not in deploy/metrics.txt: " + ", ".join(f"{k} ({v})" for k, v in sorted(unknown.items())))
    print(f"{len(refs)} queries use {len(used)} metric names, all in deploy/metrics.txt "
          f"({len(known) - len(EXTERNAL_METRICS)} names) or the {len(EXTERNAL_METRICS)} Prometheus/Kubernetes ones")


def image_env(path):
    env = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


def cmd_dockerfile(dockerfile, ignore, env_path, default_render):
    """deploy/Dockerfile and the chart agree with deploy/image.env (what `make image` builds)."""
    img = image_env(env_path)
    uid, gid, entry, config, port = (img[k] for k in
                                     ("IMAGE_UID", "IMAGE_GID", "IMAGE_ENTRYPOINT", "IMAGE_CONFIG", "IMAGE_PORT"))
    text = open(dockerfile).read()
    need = [r"^FROM \$\{RUST_IMAGE\} AS builder", r"^ARG RUST_IMAGE=rust:1-bookworm$",
            r"^ARG RUNTIME_IMAGE=debian:bookworm-slim$", r"cargo build --release -p newsflow --locked",
            r"ca-certificates", rf"--uid {uid} --gid {gid}\b", rf"--gid {gid}\b", rf"^USER {uid}:{gid}$",
            rf"^COPY --from=builder /out/newsflow {re.escape(entry)}$",
            rf"^COPY config/newsflow.toml {re.escape(config)}$",
            rf'^ENTRYPOINT \["{re.escape(entry)}"\]$', rf'^CMD \["run", "--config", "{re.escape(config)}"\]$',
            rf"^EXPOSE {port}$", rf"^ENV SSL_CERT_FILE={re.escape(img['IMAGE_CA_BUNDLE'])}$"]
    miss = [n for n in need if not re.search(n, text, re.M)]
    if miss:
        fail(f"{dockerfile} disagrees with {env_path}: lacks {miss}")
    ignored = [l.strip().rstrip("/") for l in open(ignore) if l.strip() and not l.startswith("#")]
    with open("Cargo.toml", "rb") as f:
        members = tomllib.load(f)["workspace"]["members"]
    needed = ["Cargo.toml", "Cargo.lock", "config"] + [m.split("/")[0] for m in members]
    clash = [n for n in needed if n in ignored or "*" in ignored or "**" in ignored]
    if clash:
        fail(f"{ignore} excludes what the build needs: {clash}")
    pod = one(default_render, "Deployment")["spec"]["template"]["spec"]
    psc = pod["securityContext"]
    if (str(psc.get("runAsUser")), str(psc.get("runAsGroup"))) != (uid, gid):
        fail(f"the chart runs as {psc.get('runAsUser')}:{psc.get('runAsGroup')}, the image as {uid}:{gid}")
    (c,) = pod["containers"]
    if c["args"] != ["run", "--config", config] or str(c["ports"][0]["containerPort"]) != port:
        fail(f"the chart's args {c['args']} / port {c['ports'][0]['containerPort']} differ from {env_path}")
    mounts = {m["mountPath"] for m in c["volumeMounts"]}
    if config.rsplit("/", 1)[0] not in mounts:
        fail(f"the chart mounts no config at {config.rsplit('/', 1)[0]}")
    print(f"rust:1-bookworm builder (--release -p newsflow --locked), bookworm-slim runtime; Dockerfile and chart "
          f"agree with {env_path}: uid {uid}:{gid}, {entry}, {config}, port {port}; the ignore file keeps the workspace")


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY

pyc() { python3 "$py" "$@"; }
# Every successful render is also kept in $tmp/renders (with its arguments) for the kubeconform and
# check-config checks, which run last.
mkdir -p "$tmp/renders"
ht() {
  local out
  out=$(mktemp "$tmp/renders/XXXXXX")
  if "$HELM" template newsflow "$chart" --namespace newsflow --kube-version "$kube_version" "$@" >"$out.yaml"; then
    printf '%s\n' "$*" >"$out.args"
    cat "$out.yaml"
    rm -f "$out"
  else
    local rc=$?
    rm -f "$out" "$out.yaml"
    return "$rc"
  fi
}

# ---------------------------------------------------------------------------------------------------------
# The checks. Each runs in its own subshell with errexit; it prints its summary as its last stdout line.

check_promtool_check() {
  "$PROMTOOL" check rules deploy/prometheus/alerts.yml
  "$PROMTOOL" check config deploy/prometheus/prometheus.yml
  echo "alerts.yml and prometheus.yml are valid ($("$PROMTOOL" --version 2>&1 | head -1 | awk '{print $1, $3}'))"
}

check_promtool_test() {
  "$PROMTOOL" test rules deploy/prometheus/alerts_test.yml
  pyc alerts-tested deploy/prometheus/alerts.yml deploy/prometheus/alerts_test.yml
}

check_helm_lint() {
  "$HELM" lint --strict --kube-version "$kube_version" "$chart"
  local f
  for f in "$chart"/examples/*.yaml; do
    "$HELM" lint --strict --kube-version "$kube_version" "$chart" -f "$f"
  done
  pyc values-comments "$chart/values.yaml"
  echo "helm lint --strict passes with default and example values; every value in values.yaml has a comment"
}

check_helm_default() {
  ht >"$tmp/default.yaml"
  pyc default "$tmp/default.yaml"
}

check_helm_config() {
  ht >"$tmp/default.yaml"
  ht --set config.dedup.max_entries=20000000 --set-json config.lang.min_confidence=0.75 >"$tmp/big.yaml"
  ht --set-json 'config.kafka.properties={"security.protocol":"SASL_SSL","sasl.mechanism":"SCRAM-SHA-512"}' \
    >"$tmp/props.yaml"
  pyc toml "$tmp/default.yaml" "$tmp/big.yaml" "$tmp/props.yaml"
}

check_helm_schema() {
  pyc schema-keys "$chart/values.schema.json" >"$tmp/schema.out"
  # Each of these must be refused, with the reason in helm's error.
  local -a cases=(
    "value must be one of|--set autoscaling.mode=both"
    "additional properties 'unknown_key' not allowed|--set config.pipeline.unknown_key=1"
    "additional properties 'extra' not allowed|--set extra=1"
    "value must be one of|--set-json config.pipeline.stages=[\"bogus\"]"
    "got number, want integer|--set-json config.pipeline.max_in_flight=2.5"
    "dedup stage with config.dedup.store|--set replicaCount=2"
    "set config.dedup.store|--set redis.enabled=true"
    "dedup stage with config.dedup.store|--set autoscaling.mode=keda"
    "terminationGracePeriodSeconds|--set terminationGracePeriodSeconds=10"
    "terminationGracePeriodSeconds|--set config.kafka.drain_timeout=2m --set config.kafka.session_timeout=5m"
    "does not match pattern|--set config.kafka.drain_timeout=15sec"
    "additional properties 'limitz' not allowed|--set resources.limitz.cpu=1"
    "oneOf|--set resources.limits.memory=2GB"
    "minReplicas must be at least 1|--set autoscaling.mode=hpa --set autoscaling.minReplicas=0 --set-json config.pipeline.stages=[\"extract\"]"
  )
  local c want args out
  set -f # the arguments below hold [..] that must not glob
  for c in "${cases[@]}"; do
    want=${c%%|*}
    args=${c#*|}
    # shellcheck disable=SC2086
    if out=$(ht $args 2>&1); then
      echo "helm template $args was accepted; it must be refused ($want)" >&2
      return 1
    fi
    grep -qF -- "$want" <<<"$out" || { echo "helm template $args failed without '$want': $out" >&2; return 1; }
  done
  echo "$(cat "$tmp/schema.out"); refuses ${#cases[@]} invalid settings (mode both, unknown keys, bad stage, float count, memory dedup with >1 replica, short grace period, a drain above it, a duration without unit, resources.limitz, a quantity 2GB)"
}

check_helm_keda() {
  ht --set autoscaling.mode=keda --set-json 'config.pipeline.stages=["extract"]' >"$tmp/keda.yaml"
  pyc keda "$tmp/keda.yaml"
  ht >"$tmp/default.yaml"
  pyc absent "$tmp/default.yaml" ScaledObject HorizontalPodAutoscaler
}

check_helm_hpa() {
  ht --set autoscaling.mode=hpa --set-json 'config.pipeline.stages=["extract"]' >"$tmp/hpa.yaml"
  pyc hpa "$tmp/hpa.yaml"
}

check_helm_servicemonitor() {
  ht --set serviceMonitor.enabled=true --api-versions monitoring.coreos.com/v1 >"$tmp/sm.yaml"
  pyc servicemonitor "$tmp/sm.yaml" >"$tmp/sm.out"
  ht --set serviceMonitor.enabled=true >"$tmp/sm-nocrd.yaml"
  pyc absent "$tmp/sm-nocrd.yaml" ServiceMonitor
  ht --api-versions monitoring.coreos.com/v1 >"$tmp/sm-off.yaml"
  pyc absent "$tmp/sm-off.yaml" ServiceMonitor PrometheusRule
  echo "$(cat "$tmp/sm.out"); none without the value or without monitoring.coreos.com/v1"
}

check_helm_prometheusrule() {
  ht --set prometheusRule.enabled=true --api-versions monitoring.coreos.com/v1 >"$tmp/pr.yaml"
  pyc rules "$tmp/pr.yaml" deploy/prometheus/alerts.yml "$tmp/pr-rules.yml" >/dev/null
  "$PROMTOOL" check rules "$tmp/pr-rules.yml"
  ht --set prometheusRule.enabled=true --api-versions monitoring.coreos.com/v1 \
    --set-json 'prometheusRule.selector={"job":"newsflow"}' >"$tmp/pr-local.yaml"
  pyc rules-equal "$tmp/pr-local.yaml" deploy/prometheus/alerts.yml >"$tmp/pr.out"
  ht --set prometheusRule.enabled=true >"$tmp/pr-nocrd.yaml"
  pyc absent "$tmp/pr-nocrd.yaml" PrometheusRule
  echo "$(cat "$tmp/pr.out") (promtool check rules passes on the rendered rules)"
}

check_helm_examples() {
  ht -f "$chart/examples/split-extract.yaml" >"$tmp/ex-extract.yaml"
  ht -f "$chart/examples/split-dedup-lang.yaml" >"$tmp/ex-dedup.yaml"
  ht --set kafkaCredentials.existingSecret=kafka-sasl >"$tmp/creds.yaml"
  pyc credentials "$tmp/creds.yaml" >"$tmp/creds.out"
  # (into a file first: a failure inside "$(..)" of an echo would not stop the check)
  pyc examples "$tmp/ex-extract.yaml=extract" "$tmp/ex-dedup.yaml=dedup,lang" >"$tmp/examples.out"
  echo "$(cat "$tmp/examples.out"); $(cat "$tmp/creds.out")"
}

check_helm_secured() {
  ht -f "$chart/examples/secured.yaml" >"$tmp/secured.yaml"
  pyc secured "$tmp/secured.yaml"
}

check_helm_redis() {
  ht --set redis.enabled=true --set config.dedup.store=redis --set replicaCount=3 >"$tmp/redis.yaml"
  pyc redis "$tmp/redis.yaml"
}

check_dashboard() {
  python3 -m json.tool deploy/grafana/newsflow-dashboard.json >/dev/null
  # promtool parses every query (as a recording rule, with Grafana's variables filled in).
  pyc dashboard-rules deploy/grafana/newsflow-dashboard.json "$tmp/dashboard-rules.yml"
  "$PROMTOOL" check rules "$tmp/dashboard-rules.yml"
  pyc dashboard deploy/grafana/newsflow-dashboard.json >"$tmp/dashboard.out"
  echo "$(cat "$tmp/dashboard.out"); promtool parses every query"
}

check_metrics_contract() {
  ht --set prometheusRule.enabled=true --api-versions monitoring.coreos.com/v1 >"$tmp/pr.yaml"
  pyc contract deploy/grafana/newsflow-dashboard.json deploy/prometheus/alerts.yml \
    deploy/prometheus/alerts_test.yml "$tmp/pr.yaml"
}

kubeconform_strict() {
  "$KUBECONFORM" -strict -summary -kubernetes-version "$kube_version" \
    -schema-location "deploy/schemas/kubernetes/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "deploy/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" "$@"
}

check_kubeconform() {
  # Renders of every chart feature, then every render the checks above made.
  ht --set autoscaling.mode=keda --set-json 'config.pipeline.stages=["extract"]' \
    --set autoscaling.keda.authenticationRef=kafka-auth --set serviceMonitor.enabled=true \
    --set prometheusRule.enabled=true --api-versions monitoring.coreos.com/v1 >"$tmp/everything.yaml"
  pyc kinds-present "$tmp/everything.yaml" ConfigMap Deployment PodDisruptionBudget Service ServiceAccount \
    ScaledObject ServiceMonitor PrometheusRule
  local files=("$tmp"/renders/*.yaml) out
  out=$(kubeconform_strict "${files[@]}") || { echo "$out"; return 1; }
  echo "$out"
  grep -qE "Invalid: 0, Errors: 0, Skipped: 0$" <<<"$out" || { echo "kubeconform skipped or failed a resource"; return 1; }
  # A schema must refuse what Kubernetes would: a misspelt field in the Deployment, the ScaledObject and the
  # ServiceMonitor (the CRD schemas are strict too).
  local -a broken=(
    "Deployment|s/^\(\s*\)limits:/\1limitz:/|additional properties 'limitz' not allowed"
    "ScaledObject|s/pollingInterval:/pollingIntervall:/|additional properties 'pollingIntervall' not allowed"
    "ServiceMonitor|s/^\(\s*\)- port: metrics/\1- port: metrics\n\1  scrapeInterval: 30s/|additional properties 'scrapeInterval' not allowed"
    "Deployment|s/terminationGracePeriodSeconds: 45/terminationGracePeriodSeconds: \"45\"/|got string, want"
  )
  local b kind expr want
  for b in "${broken[@]}"; do
    IFS='|' read -r kind expr want <<<"$b"
    sed "$expr" "$tmp/everything.yaml" >"$tmp/broken.yaml"
    ! cmp -s "$tmp/everything.yaml" "$tmp/broken.yaml" || { echo "sed '$expr' changed nothing"; return 1; }
    if out=$(kubeconform_strict "$tmp/broken.yaml"); then
      echo "kubeconform accepted a broken $kind ($expr)"
      return 1
    fi
    grep -F "$kind" <<<"$out" | grep -qF -- "$want" || { echo "kubeconform refused the broken $kind without '$want': $out"; return 1; }
  done
  local n
  n=$(grep -oE "[0-9]+ resources found in [0-9]+ files?" <<<"$out$(kubeconform_strict "${files[@]}")" | tail -1)
  echo "kubeconform $kubeconform_version -strict against deploy/schemas (Kubernetes $kube_version): $n valid; refuses ${#broken[@]} broken manifests (limitz, misspelt ScaledObject and ServiceMonitor fields, a string grace period)"
}

check_config_renders() {
  # newsflow check-config on the config of the default render, of every example values file and of every
  # render above, with the literal env the Deployment sets (values from Secrets stand in as "from-secret").
  local f n=0 ex=0
  # A throwaway CA for the certificates the chart mounts (the config parses the Redis one).
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=stand-in" -keyout "$tmp/standin.key" \
    -out "$tmp/standin.pem" 2>/dev/null
  export STANDIN_CA="$tmp/standin.pem"
  ht >"$tmp/default.yaml"
  for f in "$chart"/examples/*.yaml; do
    ht -f "$f" >/dev/null
    ex=$((ex + 1))
  done
  for f in "$tmp"/renders/*.yaml; do
    pyc config-env "$f" "$tmp/cc.toml" "$tmp/cc.env" || continue
    if ! env -i PATH="$PATH" $(cat "$tmp/cc.env") "$NEWSFLOW_BIN" check-config --config "$tmp/cc.toml" \
        >"$tmp/cc.out" 2>&1; then
      echo "newsflow check-config refused the config of: helm template $(cat "${f%.yaml}.args")"
      cat "$tmp/cc.out"
      return 1
    fi
    n=$((n + 1))
  done
  [ "$n" -gt "$ex" ] || { echo "only $n renders had a config"; return 1; }
  # And it refuses what it must: a key the worker does not know, added to the default render's config.
  pyc config-env "$tmp/default.yaml" "$tmp/cc.toml" "$tmp/cc.env"
  printf '\n[bogus]\nkey = 1\n' >>"$tmp/cc.toml"
  if "$NEWSFLOW_BIN" check-config --config "$tmp/cc.toml" >"$tmp/cc.out" 2>&1; then
    echo "check-config accepted an unknown table"
    return 1
  fi
  grep -q "bogus" "$tmp/cc.out" || { echo "check-config refused the unknown table without naming it:"; cat "$tmp/cc.out"; return 1; }
  echo "newsflow check-config accepts the rendered config of $n renders (default, $ex example values files, every chart feature)"
}

check_dockerfile() {
  ht >"$tmp/default.yaml"
  pyc dockerfile deploy/Dockerfile deploy/Dockerfile.dockerignore deploy/image.env "$tmp/default.yaml"
}

passed=0
failed=0
run_check() {
  local name=$1 fn=$2 rc
  set +e
  (set -e; "$fn") >"$tmp/$name.log" 2>&1
  rc=$?
  set -e
  local summary
  summary=$(grep -v '^[[:space:]]*$' "$tmp/$name.log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'ok    %-26s %s\n' "$name" "$summary"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-26s (exit %s)\n' "$name" "$rc"
    sed 's/^/      | /' "$tmp/$name.log" | tail -n 40
  fi
}

run_check promtool-check-rules check_promtool_check
run_check promtool-test-rules check_promtool_test
run_check helm-lint check_helm_lint
run_check helm-template-default check_helm_default
run_check helm-config-toml check_helm_config
run_check helm-values-schema check_helm_schema
run_check helm-keda check_helm_keda
run_check helm-hpa check_helm_hpa
run_check helm-servicemonitor check_helm_servicemonitor
run_check helm-prometheusrule check_helm_prometheusrule
run_check helm-examples check_helm_examples
run_check helm-secured check_helm_secured
run_check helm-redis check_helm_redis
run_check grafana-dashboard check_dashboard
run_check metrics-contract check_metrics_contract
run_check dockerfile check_dockerfile
run_check kubeconform check_kubeconform
run_check check-config check_config_renders

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
