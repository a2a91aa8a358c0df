#!/usr/bin/env python3
"""Vendor the JSON schemas `scripts/check-deploy.sh` validates the chart's manifests against (kubeconform).

    scripts/vendor-schemas.py [--crds DIR]

Kubernetes kinds: from PyPI's `kubernetes-validate` package (pip downloads the wheel into a temporary
directory; nothing is installed), version KUBE_SCHEMA_VERSION below, the "-local-strict" variant
(additionalProperties false everywhere). Only the kinds the chart renders are kept; each file is made
self-contained: the definitions it reaches are copied into its own "$defs" and every "$ref" points there,
so validation reads no other file and no network.

CRDs (KEDA, prometheus-operator): copied as they are from --crds DIR (laid out <group>/<kind>_<version>.json).

Writes deploy/schemas/kubernetes/<kind>[-<group>]-<version>.json and deploy/schemas/crds/<group>/... .
Run it again after changing KINDS, the version, or the chart's kinds; commit the result.
"""
import argparse, json, pathlib, re, shutil, subprocess, sys, tempfile, zipfile

PACKAGE = "kubernetes-validate==1.37.0"
KUBE_SCHEMA_VERSION = "v1.31.0"  # the chart's kubeVersion floor and the version check-deploy renders for
# The kinds the chart renders (kubeconform's "{{ .ResourceKind }}{{ .KindSuffix }}" names).
KINDS = ["configmap-v1", "deployment-apps-v1", "horizontalpodautoscaler-autoscaling-v2",
         "poddisruptionbudget-policy-v1", "service-v1", "serviceaccount-v1", "statefulset-apps-v1"]
CRDS = ["keda.sh/scaledobject_v1alpha1.json", "keda.sh/triggerauthentication_v1alpha1.json",
        "monitoring.coreos.com/prometheusrule_v1.json", "monitoring.coreos.com/servicemonitor_v1.json"]
REF = re.compile(r"^(?:/api/_definitions\.json)?#/\$defs/(.+)$")

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "deploy" / "schemas"


def refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                m = REF.match(v)
                if not m:
                    sys.exit(f"unexpected $ref {v}")
                found.add(m.group(1))
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def rewrite(node):
    if isinstance(node, dict):
        return {k: ("#/$defs/" + REF.match(v).group(1) if k == "$ref" else rewrite(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node


def standalone(kind, defs):
    need, todo = set(), set()
    refs(kind, todo)
    while todo:
        name = todo.pop()
        if name in need:
            continue
        need.add(name)
        refs(defs[name], todo)
    doc = {k: v for k, v in kind.items() if k != "$id"}
    doc = rewrite(doc)
    doc["$defs"] = {name: rewrite(defs[name]) for name in sorted(need)}
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crds", default=str(root.parent / "shared" / "schemas" / "crds"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, PACKAGE],
                       check=True)
        (wheel,) = pathlib.Path(tmp).glob("*.whl")
        base = f"kubernetes_validate/kubernetes-json-schema/{KUBE_SCHEMA_VERSION}-local-strict/"
        with zipfile.ZipFile(wheel) as z:
            defs = json.loads(z.read(base + "_definitions.json"))["$defs"]
            kinds = {k: json.loads(z.read(base + k + ".json")) for k in KINDS}
            license_text = next(z.read(n) for n in z.namelist() if n.endswith("licenses/LICENSE"))
    kdir = out / "kubernetes"
    shutil.rmtree(kdir, ignore_errors=True)
    kdir.mkdir(parents=True)
    for name, kind in kinds.items():
        with open(kdir / f"{name}.json", "w") as f:
            json.dump(standalone(kind, defs), f, indent=1, sort_keys=True)
            f.write("\n")
    (kdir / "LICENSE.kubernetes-validate").write_bytes(license_text)
    cdir = out / "crds"
    shutil.rmtree(cdir, ignore_errors=True)
    for rel in CRDS:
        (cdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pathlib.Path(args.crds) / rel, cdir / rel)
    shutil.copyfile(pathlib.Path(args.crds) / "LICENSE", cdir / "LICENSE")
    print(f"{len(KINDS)} Kubernetes {KUBE_SCHEMA_VERSION} kinds and {len(CRDS)} CRDs in {out.relative_to(root)}")


if __name__ == "__main__":
    main()
