#!/usr/bin/env bash
# The worker's OCI image, built without a registry, a base image or a container engine, and its test.
#
#   scripts/image.sh build   (make image)       target/image/newsflow-<version>.oci.tar and the layout in target/image/oci
#   scripts/image.sh test    (make image-test)  unpacks the image and runs its root filesystem
#
# build: the release binary (cargo build --release -p newsflow --locked), stripped; the shared libraries it
# links, copied from the Debian packages that provide them on this machine (apt-get download of the installed
# version, extracted with dpkg -x, never installed), with their copyright files; the CA bundle made from
# Debian's ca-certificates (IMAGE_BINARY: another newsflow binary to pack); /etc/passwd and /etc/group with the image's user; config/newsflow.toml. No shell,
# no package manager. One layer, assembled with umoci (Debian's package; installed when missing). User,
# entrypoint and paths come from deploy/image.env, which deploy/Dockerfile follows too. The archive loads
# with `skopeo copy oci-archive:target/image/newsflow-0.1.0.oci.tar docker-daemon:newsflow:0.1.0` or
# `podman load -i ...`.
#
# test: unpacks the image (umoci unpack: the root filesystem and the runtime config a container engine would
# use), checks its config against deploy/image.env and deploy/Dockerfile, then runs the image's entrypoint as
# its user in a mount and PID namespace (unshare + chroot; root required) on the root filesystem mounted
# read-only, with a tmpfs on /tmp and /proc and /dev as a runtime gives them: --version, check-config,
# process on a sample page (the same event as the host binary), and run until /healthz answers, then SIGTERM.
# Prints the image size and the start-up times. Needs no broker: liveness does not depend on Kafka.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=deploy/image.env
. deploy/image.env
out="${CARGO_TARGET_DIR:-$root/target}/image"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
tag="$IMAGE_NAME:$version"
layout="$out/oci"
archive="$out/$IMAGE_NAME-$version.oci.tar"

say() { echo "image.sh: $*" >&2; }
die() { say "$*"; exit 1; }

need_umoci() {
  command -v umoci >/dev/null && return
  command -v apt-get >/dev/null || die "umoci not found and no apt-get: install umoci (0.4 or newer)"
  say "installing Debian's umoci"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq umoci >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq umoci >/dev/null; } \
    || die "apt-get could not install umoci"
}

# deb_of FILE: the Debian package (name:arch) that owns FILE, also through the /lib -> /usr/lib merge.
deb_of() {
  local f=$1 real
  real=$(readlink -f "$f")
  for p in "$f" "$real" "${f#/usr}" "/usr$f" "${real#/usr}" "/usr$real"; do
    dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1,2 && return 0
  done
  return 1
}

# fetch_deb NAME:ARCH DIR: extracts the installed version of the package (or the candidate) into DIR.
fetch_deb() {
  local pkg=$1 dir=$2 version
  version=$(dpkg-query -W -f '${Version}' "$pkg")
  mkdir -p "$out/debs"
  rm -f "$out"/debs/*.deb
  if ! (cd "$out/debs" && apt-get download "$pkg=$version") >"$out/apt.log" 2>&1; then
    apt-get update -qq >>"$out/apt.log" 2>&1 || true
    (cd "$out/debs" && apt-get download "$pkg=$version") >>"$out/apt.log" 2>&1 \
      || (cd "$out/debs" && apt-get download "$pkg") >>"$out/apt.log" 2>&1 \
      || { cat "$out/apt.log" >&2; die "apt-get download $pkg failed"; }
  fi
  mkdir -p "$dir"
  dpkg -x "$out"/debs/*.deb "$dir"
  rm -f "$out"/debs/*.deb
}

build() {
  need_umoci
  command -v dpkg >/dev/null && command -v apt-get >/dev/null || die "dpkg and apt-get are needed (Debian or Ubuntu)"
  local bin="${CARGO_TARGET_DIR:-$root/target}/release/newsflow"
  if [ -n "${IMAGE_BINARY:-}" ]; then
    bin=$IMAGE_BINARY
  else
    say "building the release binary"
    cargo build --release -p newsflow --locked
  fi
  local rootfs="$out/rootfs" libdir=usr/lib/x86_64-linux-gnu
  [ "$(uname -m)" = x86_64 ] || die "only x86_64 images are built here (uname -m: $(uname -m))"
  rm -rf "$rootfs" "$out/pkgs" "$layout" "$archive"
  mkdir -p "$rootfs"/{usr/local/bin,"$libdir",usr/lib64,etc/ssl/certs,"$(dirname "$IMAGE_CONFIG")",tmp,proc,dev,sys,usr/share/doc}
  chmod 1777 "$rootfs/tmp"
  # The merged-/usr layout of Debian 12: /lib and /lib64 point into /usr.
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"
  install -m 0755 "$bin" "$rootfs$IMAGE_ENTRYPOINT"
  strip --strip-all "$rootfs$IMAGE_ENTRYPOINT"
  install -m 0644 config/newsflow.toml "$rootfs$IMAGE_CONFIG"

  # The libraries the binary loads (ldd: the whole closure) and the packages they come from.
  local interp lib path pkg
  interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
  [ "$interp" = /lib64/ld-linux-x86-64.so.2 ] || die "unexpected program interpreter $interp"
  declare -A pkgs=()
  local -a libs=()
  while read -r path; do
    libs+=("$path")
    pkg=$(deb_of "$path") || die "no Debian package owns $path"
    pkgs[$pkg]=1
  done < <(ldd "$bin" | awk '/=> \// {print $3}'; echo "$interp")
  pkgs[ca-certificates:all]=1
  for pkg in "${!pkgs[@]}"; do
    fetch_deb "${pkg%:all}" "$out/pkgs/${pkg%%:*}"
    local name=${pkg%%:*} copyright
    copyright="$out/pkgs/$name/usr/share/doc/$name/copyright"
    # Some packages link their doc directory to another package's (libgcc-s1 -> gcc-12-base), installed here.
    [ -f "$copyright" ] || copyright="/usr/share/doc/$name/copyright"
    [ -f "$copyright" ] || die "no copyright file for $name"
    mkdir -p "$rootfs/usr/share/doc/$name"
    cp -L "$copyright" "$rootfs/usr/share/doc/$name/copyright"
  done
  for path in "${libs[@]}"; do
    lib=$(basename "$(readlink -f "$path")")
    local found=""
    for pkg in "${!pkgs[@]}"; do
      found=$(find "$out/pkgs/${pkg%%:*}" -name "$lib" \( -type f -o -type l \) | head -1)
      [ -n "$found" ] && break
    done
    [ -n "$found" ] || die "$lib is in none of the packages ${!pkgs[*]}"
    cp -L "$found" "$rootfs/$libdir/$lib"
    # The name the binary asks for (a symlink in Debian) and the library's own file name.
    [ "$(basename "$path")" = "$lib" ] || ln -sf "$lib" "$rootfs/$libdir/$(basename "$path")"
  done
  ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$rootfs/usr/lib64/ld-linux-x86-64.so.2"
  [ -e "$rootfs/$libdir/ld-linux-x86-64.so.2" ] || die "the dynamic loader is missing from the image"

  # CA bundle: what update-ca-certificates makes from the package's certificates.
  cat "$out"/pkgs/ca-certificates/usr/share/ca-certificates/mozilla/*.crt >"$rootfs$IMAGE_CA_BUNDLE"
  chmod 0644 "$rootfs$IMAGE_CA_BUNDLE"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/nonexistent:/sbin/nologin\n' \
    "$IMAGE_UID" "$IMAGE_GID" >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:%s:\n' "$IMAGE_GID" >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  chmod 0644 "$rootfs"/etc/{passwd,group,nsswitch.conf}
  # Reproducible file times: the last commit's.
  local epoch
  epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
  find "$rootfs" -exec touch -h -d "@$epoch" {} +

  say "assembling $tag with $(umoci --version)"
  umoci init --layout "$layout"
  umoci new --image "$layout:$version"
  local created
  created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
  # Times from the last commit, not the clock: the same commit gives the same image digest.
  umoci insert --image "$layout:$version" --history.created "$created" --history.author newsflow \
    --history.created_by "scripts/image.sh: binary, libraries, CA bundle, passwd, config" "$rootfs" /
  umoci config --image "$layout:$version" --os linux --architecture amd64 \
    --config.user "$IMAGE_UID:$IMAGE_GID" --config.entrypoint "$IMAGE_ENTRYPOINT" \
    --config.cmd run --config.cmd --config --config.cmd "$IMAGE_CONFIG" \
    --config.workingdir / --config.exposedports "$IMAGE_PORT/tcp" --config.stopsignal SIGTERM \
    --config.env PATH=/usr/local/bin --config.env "SSL_CERT_FILE=$IMAGE_CA_BUNDLE" \
    --config.label org.opencontainers.image.title=newsflow \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label org.opencontainers.image.licenses=Apache-2.0 \
    --created "$created" --author newsflow --no-history
  umoci gc --layout "$layout"
  tar -C "$layout" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -cf "$archive" .
  rm -rf "$out/pkgs" "$out/debs"
  say "$archive: $(du -k "$archive" | cut -f1) KiB (root filesystem $(du -sk "$rootfs" | cut -f1) KiB uncompressed); packages: $(printf '%s ' "${!pkgs[@]}")"
}

test_image() {
  need_umoci
  [ "$(id -u)" = 0 ] || die "the image test needs root (unshare and chroot)"
  [ -f "$layout/index.json" ] || die "no image in $layout: run 'make image' first"
  local t
  t=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$t'" EXIT
  umoci unpack --image "$layout:$version" "$t/bundle" >/dev/null
  local rootfs="$t/bundle/rootfs"

  # The image's config, the runtime config from it, deploy/image.env and deploy/Dockerfile agree.
  python3 - "$layout" "$t/bundle/config.json" deploy/Dockerfile <<PY
import json, re, sys
layout, runtime, dockerfile = sys.argv[1:]
blob = lambda d: json.load(open(f"{layout}/blobs/{d.replace(':', '/')}"))
index = json.load(open(f"{layout}/index.json"))
(m,) = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "$version"]
manifest = blob(m["digest"])
config = blob(manifest["config"]["digest"])["config"]
want = {"User": "$IMAGE_UID:$IMAGE_GID", "Entrypoint": ["$IMAGE_ENTRYPOINT"], "Cmd": ["run", "--config", "$IMAGE_CONFIG"],
        "ExposedPorts": {"$IMAGE_PORT/tcp": {}}, "StopSignal": "SIGTERM"}
got = {k: config.get(k) for k in want}
assert got == want, f"image config {got}, want {want}"
assert "SSL_CERT_FILE=$IMAGE_CA_BUNDLE" in config["Env"], config["Env"]
proc = json.load(open(runtime))["process"]
assert (proc["user"]["uid"], proc["user"]["gid"]) == ($IMAGE_UID, $IMAGE_GID), proc["user"]
assert proc["args"] == want["Entrypoint"] + want["Cmd"], proc["args"]
text = open(dockerfile).read()
user = re.search(r"^USER (\S+)$", text, re.M).group(1)
entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M).group(1))
cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
expose = re.search(r"^EXPOSE (\d+)$", text, re.M).group(1) + "/tcp"
assert re.search(r"^ENV SSL_CERT_FILE=$IMAGE_CA_BUNDLE$", text, re.M), "deploy/Dockerfile lacks ENV SSL_CERT_FILE"
assert (user, entry, cmd, {expose: {}}) == (want["User"], want["Entrypoint"], want["Cmd"], want["ExposedPorts"]), \
    f"deploy/Dockerfile: USER {user}, ENTRYPOINT {entry}, CMD {cmd}, EXPOSE {expose}; the image: {want}"
layers = sum(l["size"] for l in manifest["layers"])
print(f"image.sh: ok  image config = runtime config = deploy/Dockerfile: user {want['User']}, {entry + cmd}, port {expose}; "
      f"{len(manifest['layers'])} layer, {layers / 1e6:.1f} MB compressed")
PY
  for f in "$IMAGE_ENTRYPOINT" "$IMAGE_CONFIG" "$IMAGE_CA_BUNDLE" /etc/passwd /lib64/ld-linux-x86-64.so.2; do
    [ -e "$rootfs$f" ] || die "$f missing from the image"
  done
  grep -q "BEGIN CERTIFICATE" "$rootfs$IMAGE_CA_BUNDLE" || die "no certificate in $IMAGE_CA_BUNDLE"
  [ ! -e "$rootfs/bin/sh" ] && [ ! -e "$rootfs/usr/bin/apt-get" ] || die "the image holds a shell or a package manager"

  # in_image ARGS...: runs the image's entrypoint with ARGS as its user, root filesystem read-only.
  in_image() {
    unshare --mount --pid --fork --kill-child --propagation private -- /bin/sh -c '
      set -e
      r=$1; shift
      mount --bind "$r" "$r"
      mount -o remount,bind,ro "$r"
      mount -t tmpfs -o size=64m,mode=1777 tmpfs "$r/tmp"
      mount -t proc proc "$r/proc"
      mount -t tmpfs -o size=1m,mode=755 tmpfs "$r/dev"
      for d in null zero random urandom; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
      exec env -i $IMAGE_ENV $EXTRA "$CHROOT" --userspec="$USERSPEC" "$r" "$ENTRY" "$@"
    ' sh "$rootfs" "$@"
  }
  CHROOT=$(command -v chroot) || die "chroot not found (coreutils)"
  # The environment a runtime gives the process: the runtime config's (from the image config).
  IMAGE_ENV=$(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["process"]["env"]))' \
    "$t/bundle/config.json")
  export CHROOT IMAGE_ENV USERSPEC="$IMAGE_UID:$IMAGE_GID" ENTRY="$IMAGE_ENTRYPOINT" EXTRA=""
  local ms_start ms out
  ms_start=$(date +%s%N)
  out=$(in_image --version)
  ms=$(( ($(date +%s%N) - ms_start) / 1000000 ))
  [ "$out" = "newsflow $version" ] || die "--version printed '$out'"
  say "ok  --version: $out (${ms} ms including namespace set-up)"

  in_image check-config --config "$IMAGE_CONFIG" >"$t/check.out" 2>&1 || { cat "$t/check.out" >&2; die "check-config failed in the image"; }
  grep -q "configuration is valid" "$t/check.out" || die "check-config: $(cat "$t/check.out")"
  say "ok  check-config --config $IMAGE_CONFIG: configuration is valid"

  # process: a sample page on stdin, as an envelope; the same event as the host's release binary prints.
  local page=samples/pages/dw-nato-ukraine.html
  python3 -c 'import base64, json, sys; print(json.dumps({"url": "https://www.dw.com/en/nato/a-63885362", "html_base64": base64.b64encode(open(sys.argv[1], "rb").read()).decode(), "fetched_at": "2026-11-28T06:00:00Z"}))' \
    "$page" >"$t/envelope.jsonl"
  in_image process --input - <"$t/envelope.jsonl" >"$t/event.json" 2>"$t/process.err" \
    || { cat "$t/process.err" >&2; die "process failed in the image"; }
  "${CARGO_TARGET_DIR:-$root/target}/release/newsflow" process --input - <"$t/envelope.jsonl" >"$t/host-event.json" 2>/dev/null
  python3 - "$t/event.json" "$t/host-event.json" <<'PY'
import json, sys
a, b = (json.loads(open(p).read()) for p in sys.argv[1:])
drop = lambda e: {k: v for k, v in e.items() if k not in ("processed_at", "trace")}
assert a["title"], a
assert drop(a) == drop(b), f"the image's event differs from the host binary's:\n{a}\n{b}"
print(f"image.sh: ok  process: {a['title']!r} ({a['language']['code']}, {len(a['text'])} characters), same as the host binary")
PY

  # run: until /healthz answers 200; as PID 1 of its namespace, SIGTERM ends it.
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export EXTRA="NEWSFLOW__TELEMETRY__LISTEN=127.0.0.1:$port NEWSFLOW__KAFKA__BOOTSTRAP_SERVERS=127.0.0.1:9 NEWSFLOW__TELEMETRY__LOG_FORMAT=json"
  ms_start=$(date +%s%N)
  in_image run --config "$IMAGE_CONFIG" >"$t/run.log" 2>&1 &
  local ns=$! healthy="" worker=""
  for _ in $(seq 1 300); do
    if curl -fsS -m 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      healthy=$(( ($(date +%s%N) - ms_start) / 1000000 ))
      break
    fi
    kill -0 "$ns" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$healthy" ] || { cat "$t/run.log" >&2; die "run: /healthz never answered"; }
  # The worker: the process below unshare that runs the entrypoint.
  descendants() {
    local c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done
  }
  for p in $(descendants "$ns"); do
    [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$rootfs$IMAGE_ENTRYPOINT" ] && worker=$p
  done
  [ -n "$worker" ] || die "run: no worker process under $ns"
  local uid
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$worker/status")
  [ "$uid" = "$IMAGE_UID" ] || die "run: the worker runs as uid $uid, not $IMAGE_UID"
  awk '$5 == "/" {print $6}' "/proc/$worker/mountinfo" | grep -q '^ro' || die "run: the root filesystem is not read-only"
  kill -TERM "$worker"
  local rc=0
  wait "$ns" || rc=$?
  [ "$rc" = 0 ] || { cat "$t/run.log" >&2; die "run: exit status $rc after SIGTERM"; }
  say "ok  run: /healthz answered 200 ${healthy} ms after start (as uid $uid, read-only root, no broker), exit 0 on SIGTERM"
  say "image $tag: $(du -k "$archive" | cut -f1) KiB archive, $(du -sk "$rootfs" | cut -f1) KiB root filesystem"
}

case "${1:-}" in
  build) build ;;
  test) test_image ;;
  *) echo "usage: scripts/image.sh build|test" >&2; exit 2 ;;
esac
