#!/usr/bin/env bash
# A real, local Kubernetes control plane for mesh's end-to-end tests.
#
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok are
# built from Go modules (no Docker, no downloads from dl.k8s.io) and run as
# local processes on 127.0.0.1. kwok plays the kubelets of three fake nodes.
# A small Node.js daemon (test/e2e/harness/cluster-egress.mjs) is the apiserver's
# `cluster` egress proxy and runs the REAL istiod (pilot-discovery, built from Go
# modules by scripts/istio/istio.sh) for every istiod Deployment in the cluster.
#
# Usage: scripts/control-plane/control-plane.sh build|up|down|env|status|paths
#
# Environment:
#   MESH_CP_CACHE  binary cache root      (default: <repo>/.cache/control-plane)
#   MESH_CP_STATE  run state directory    (default: <cache root>/run)
#   MESH_CP_BUILD_JOBS  go build -p value (default: number of CPUs)
set -euo pipefail

K8S_VERSION=v1.35.8    # keep in sync with k8s/go.mod
ETCD_VERSION=v3.6.16   # keep in sync with etcd/go.mod
KWOK_VERSION=v0.8.0
NODE_COUNT=3
SERVICE_CIDR=10.96.0.0/16
SERVICE_APISERVER_IP=10.96.0.1
POD_CIDR=10.244.0.0/16
NODE_IP=192.0.2.10     # TEST-NET-1: a fake, non-loopback InternalIP for every kwok node

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${MESH_CP_CACHE:-$REPO/.cache/control-plane}"
BIN="$CACHE_ROOT/$K8S_VERSION/bin"
STATE="${MESH_CP_STATE:-$CACHE_ROOT/run}"
STAMP_CONTENT="k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION sums=$(cat "$HERE/k8s/go.sum" "$HERE/etcd/go.sum" | cksum | cut -d' ' -f1)"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok cluster-egress)
ISTIO_SCRIPT="$HERE/../istio/istio.sh"

# The control plane only ever talks to loopback; never route it through a proxy.
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() {
  printf '[control-plane] ERROR: %s\n' "$*" >&2
  # The e2e runner quotes the reason in its one-line "E2E SKIPPED/FAILED" message.
  mkdir -p "$CACHE_ROOT" 2>/dev/null && printf '%s\n' "$*" >"$CACHE_ROOT/last-error" 2>/dev/null
  exit 1
}

# ----------------------------------------------------------------------------- build
binaries_present() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    [[ -x "$BIN/$b" ]] || return 1
  done
  [[ -f "$BIN/.stamp" && "$(cat "$BIN/.stamp")" == "$STAMP_CONTENT" ]]
}

cmd_build() {
  # istiod (pilot-discovery) and istioctl: the egress daemon runs the real istiod.
  bash "$ISTIO_SCRIPT" build || die "building istiod and istioctl failed: $(cat "${MESH_ISTIO_CACHE:-$REPO/.cache/istio}/last-error" 2>/dev/null)"
  if binaries_present; then
    log "binaries up to date in $BIN"
    return 0
  fi
  command -v go >/dev/null || die "go is not installed; cannot build the control plane"
  mkdir -p "$BIN"
  rm -f "$BIN/.stamp"
  local start=$SECONDS jobs="${MESH_CP_BUILD_JOBS:-}"
  local pflag=()
  [[ -n "$jobs" ]] && pflag=(-p "$jobs")
  export CGO_ENABLED=0 GOFLAGS=-mod=readonly
  local ld="-s -w" pkg minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    if [[ ! -x "$BIN/$c" ]]; then
      log "building $c $K8S_VERSION ..."
      (cd "$HERE/k8s" && go build "${pflag[@]}" -trimpath -ldflags "$ld" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c")
      mv "$BIN/$c.tmp" "$BIN/$c"
    fi
  done
  if [[ ! -x "$BIN/etcd" ]]; then
    log "building etcd $ETCD_VERSION ..."
    (cd "$HERE/etcd" && go build "${pflag[@]}" -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3)
    mv "$BIN/etcd.tmp" "$BIN/etcd"
  fi
  if [[ ! -x "$BIN/kwok" ]]; then
    log "building kwok $KWOK_VERSION ..."
    local gobin
    gobin="$(mktemp -d)"
    (cd "$HERE" && GOFLAGS= GOBIN="$gobin" go install "${pflag[@]}" -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
    mv "$gobin/kwok" "$BIN/kwok"
    rmdir "$gobin"
  fi
  echo "$STAMP_CONTENT" > "$BIN/.stamp"
  log "built control plane binaries in $((SECONDS - start))s into $BIN"
}

# ----------------------------------------------------------------------------- helpers
free_ports() { # free_ports N -> N free TCP ports on 127.0.0.1, one per line
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]); const servers = []; const ports = [];
    (async () => {
      for (let i = 0; i < n; i++) {
        const s = net.createServer(); servers.push(s);
        await new Promise((r) => s.listen(0, "127.0.0.1", r));
        ports.push(s.address().port);
      }
      for (const s of servers) s.close();
      console.log(ports.join("\n"));
    })();' "$1"
}

# start NAME CMD... : run CMD in its own session/process group, log to $STATE/logs
start_proc() {
  local name="$1"; shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
}

alive() { # alive NAME
  local f="$STATE/pids/$1"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

kcurl() { # kcurl PATH [curl args...] : authenticated request to the apiserver
  local path="$1"; shift
  curl -sS --fail-with-body --max-time 15 --cacert "$STATE/pki/ca.crt" \
    --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
    "https://127.0.0.1:$(cat "$STATE/ports/apiserver")$path" "$@"
}

wait_for() { # wait_for DESCRIPTION TIMEOUT_SECONDS COMPONENT CMD... (COMPONENT must stay alive)
  local what="$1" timeout="$2" comp="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$comp" ]] && ! alive "$comp"; then
      tail -n 30 "$STATE/logs/$comp.log" >&2 || true
      die "$comp exited while waiting for $what (log: $STATE/logs/$comp.log)"
    fi
    ((SECONDS < deadline)) || die "timed out after ${timeout}s waiting for $what"
    sleep 0.2
  done
}

# ----------------------------------------------------------------------------- certificates
gen_pki() {
  local p="$STATE/pki"
  mkdir -p "$p"
  local o=(-sha256)
  # Cluster CA
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$p/ca.key" -out "$p/ca.crt" -days 3650 \
    -subj "/CN=mesh-e2e-ca" "${o[@]}" 2>/dev/null
  sign() { # sign NAME SUBJECT EXTENSIONS [CA]
    local name="$1" subj="$2" ext="$3" ca="${4:-ca}"
    openssl req -new -newkey rsa:2048 -nodes -keyout "$p/$name.key" -out "$p/$name.csr" -subj "$subj" 2>/dev/null
    printf '%s\n' "$ext" >"$p/$name.ext"
    openssl x509 -req -in "$p/$name.csr" -CA "$p/$ca.crt" -CAkey "$p/$ca.key" -CAcreateserial \
      -out "$p/$name.crt" -days 3650 -extfile "$p/$name.ext" "${o[@]}" 2>/dev/null
    rm -f "$p/$name.csr" "$p/$name.ext"
  }
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$SERVICE_APISERVER_IP"
  sign admin "/O=system:masters/CN=mesh-e2e-admin" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  # Service-account token signing key pair
  openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
  openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  chmod 600 "$p"/*.key
}

write_kubeconfig() {
  cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mesh-e2e
  cluster:
    server: https://127.0.0.1:$(cat "$STATE/ports/apiserver")
    certificate-authority: $STATE/pki/ca.crt
users:
- name: mesh-e2e-admin
  user:
    client-certificate: $STATE/pki/admin.crt
    client-key: $STATE/pki/admin.key
contexts:
- name: mesh-e2e
  context:
    cluster: mesh-e2e
    user: mesh-e2e-admin
current-context: mesh-e2e
EOF
}

# ----------------------------------------------------------------------------- up
healthy() {
  [[ -f "$STATE/kubeconfig" ]] || return 1
  local c
  for c in "${COMPONENTS[@]}"; do alive "$c" || return 1; done
  [[ "$(kcurl /readyz 2>/dev/null)" == "ok" ]]
}

nodes_ready() {
  local n json
  json="$(kcurl /api/v1/nodes)" || return 1
  n="$(node -e '
    const l = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    console.log(l.items.filter((n) => (n.status.conditions || []).some((c) => c.type === "Ready" && c.status === "True")).length);' <<<"$json")"
  ((n >= NODE_COUNT))
}

cmd_up() {
  rm -f "$CACHE_ROOT/last-error"
  if healthy; then
    log "already running (state: $STATE)"
    return 0
  fi
  # Anything half-started from an earlier run goes first.
  cmd_down >/dev/null 2>&1 || true
  cmd_build
  command -v openssl >/dev/null || die "openssl is required (apt-get install -y openssl)"
  command -v curl >/dev/null || die "curl is required (apt-get install -y curl)"
  local start=$SECONDS
  if [[ -d "$STATE" && -n "$(ls -A "$STATE")" && ! -e "$STATE/.mesh-control-plane" && ! -d "$STATE/pki" ]]; then
    die "$STATE is not empty and is not a control-plane state directory; refusing to wipe it"
  fi
  rm -rf "$STATE"
  mkdir -p "$STATE"/{pids,logs,ports,etcd}
  touch "$STATE/.mesh-control-plane"
  gen_pki

  local ports
  mapfile -t ports < <(free_ports 7)
  local etcd_client=${ports[0]} etcd_peer=${ports[1]} apiserver=${ports[2]} kcm=${ports[3]} sched=${ports[4]} kwok=${ports[5]} egress=${ports[6]}
  echo "$apiserver" >"$STATE/ports/apiserver"
  echo "$etcd_client" >"$STATE/ports/etcd"
  echo "$kwok" >"$STATE/ports/kwok"
  echo "$egress" >"$STATE/ports/egress"
  write_kubeconfig

  start_proc etcd "$BIN/etcd" --name=mesh-e2e --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$etcd_client" --advertise-client-urls="http://127.0.0.1:$etcd_client" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer" \
    --initial-cluster="mesh-e2e=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync=true \
    --auto-compaction-retention=1 --quota-backend-bytes=8589934592 --log-level=warn
  wait_for "etcd health" 30 etcd curl -sf "http://127.0.0.1:$etcd_client/health"

  cat >"$STATE/egress-selector.yaml" <<EOF
apiVersion: apiserver.k8s.io/v1beta1
kind: EgressSelectorConfiguration
egressSelections:
- name: cluster
  connection:
    proxyProtocol: HTTPConnect
    transport:
      # A unix socket: HTTPConnect over plain-http TCP passes validation but makes
      # kube-apiserver v1.35 panic at startup (nil tlsConfig in getTLSConfig).
      uds:
        udsName: $STATE/egress.sock
EOF

  start_proc kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_client" --etcd-prefix=/registry \
    --bind-address=127.0.0.1 --secure-port="$apiserver" \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --tls-cert-file="$STATE/pki/apiserver.crt" --tls-private-key-file="$STATE/pki/apiserver.key" \
    --client-ca-file="$STATE/pki/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-signing-key-file="$STATE/pki/sa.key" --service-account-key-file="$STATE/pki/sa.pub" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --allow-privileged=true \
    --egress-selector-config-file="$STATE/egress-selector.yaml" \
    --cert-dir="$STATE/pki/apiserver-certs"
  wait_for "kube-apiserver /readyz" 120 kube-apiserver kcurl /readyz

  # The egress daemon is the apiserver's `cluster` egress proxy and runs istiod: start it
  # before anything needs to reach a node (kwok) or a webhook.
  local pilot
  pilot="$(bash "$ISTIO_SCRIPT" paths | sed -n 's/^PILOT_DISCOVERY=//p')"
  [[ -x "$pilot" ]] || die "pilot-discovery is not built ($pilot); run: scripts/istio/istio.sh build"
  start_proc cluster-egress node "$REPO/test/e2e/harness/cluster-egress.mjs" \
    --kubeconfig="$STATE/kubeconfig" --listen="127.0.0.1:$egress" --uds="$STATE/egress.sock" \
    --pilot-discovery="$pilot" --workdir="$STATE/istiod" --node-ip="$NODE_IP"
  wait_for "cluster-egress" 30 cluster-egress curl -sf "http://127.0.0.1:$egress/healthz"

  start_proc kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$STATE/kubeconfig" --authentication-kubeconfig="$STATE/kubeconfig" \
    --authorization-kubeconfig="$STATE/kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$kcm" --leader-elect=false \
    --use-service-account-credentials=true \
    --root-ca-file="$STATE/pki/ca.crt" --service-account-private-key-file="$STATE/pki/sa.key" \
    --cluster-signing-cert-file="$STATE/pki/ca.crt" --cluster-signing-key-file="$STATE/pki/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --node-monitor-period=25s --node-monitor-grace-period=3m20s \
    --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
    --kube-api-qps=200 --kube-api-burst=400 \
    --cert-dir="$STATE/pki/kcm-certs"
  start_proc kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig="$STATE/kubeconfig" --authentication-kubeconfig="$STATE/kubeconfig" \
    --authorization-kubeconfig="$STATE/kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$sched" --leader-elect=false \
    --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
    --cert-dir="$STATE/pki/scheduler-certs"

  # kwok's ClusterPortForward CRD, so tests can route pod ports to local servers.
  local crd
  for crd in "$HERE"/crds/*.yaml; do
    kcurl /apis/apiextensions.k8s.io/v1/customresourcedefinitions -X POST \
      -H 'Content-Type: application/yaml' --data-binary "@$crd" >/dev/null
  done
  local stage
  for stage in "$HERE"/stages/*.yaml; do echo "---"; cat "$stage"; done >"$STATE/kwok.yaml"
  start_proc kwok "$BIN/kwok" --kubeconfig="$STATE/kubeconfig" --config="$STATE/kwok.yaml" \
    --manage-all-nodes=true --cidr="$POD_CIDR" --node-ip="$NODE_IP" --node-name=localhost \
    --node-port="$kwok" --server-address="127.0.0.1:$kwok" --node-lease-duration-seconds=40 \
    --enable-crds=ClusterPortForward

  # The nodes report the control plane's version as their kubelet version, as real nodes of this
  # cluster would (istiod turns native sidecars on from Kubernetes 1.33 nodes).
  local i
  for ((i = 0; i < NODE_COUNT; i++)); do
    kcurl /api/v1/nodes -X POST -H 'Content-Type: application/json' --data-binary @- >/dev/null <<EOF
{"apiVersion":"v1","kind":"Node","metadata":{"name":"kwok-node-$i",
 "annotations":{"node.alpha.kubernetes.io/ttl":"0","kwok.x-k8s.io/node":"fake"},
 "labels":{"kubernetes.io/arch":"amd64","kubernetes.io/hostname":"kwok-node-$i","kubernetes.io/os":"linux",
           "kubernetes.io/role":"agent","node-role.kubernetes.io/agent":"","type":"kwok",
           "topology.kubernetes.io/region":"local","topology.kubernetes.io/zone":"local-$i"}},
 "spec":{},"status":{"nodeInfo":{"kubeletVersion":"$K8S_VERSION","kubeProxyVersion":"$K8S_VERSION"}}}
EOF
  done
  wait_for "$NODE_COUNT ready kwok nodes" 60 kwok nodes_ready
  wait_for "the default ServiceAccount" 60 kube-controller-manager kcurl /api/v1/namespaces/default/serviceaccounts/default
  local c
  for c in "${COMPONENTS[@]}"; do alive "$c" || die "$c is not running (log: $STATE/logs/$c.log)"; done
  log "up in $((SECONDS - start))s; state: $STATE"
  log "export KUBECONFIG=$STATE/kubeconfig"
}

# ----------------------------------------------------------------------------- down
cmd_down() {
  [[ -d "$STATE/pids" ]] || { log "not running"; return 0; }
  local f pid pids=()
  for f in "$STATE"/pids/*; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    # Every component runs in its own process group (setsid), with pgid == pid.
    kill -TERM -- "-$pid" 2>/dev/null && pids+=("$pid")
  done
  local deadline=$((SECONDS + 15)) left
  while :; do
    left=()
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && left+=("$pid"); done
    ((${#left[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for pid in "${left[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -rf "$STATE/pids"
  log "stopped"
}

cmd_status() {
  local c rc=0
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then echo "$c: running (pid $(cat "$STATE/pids/$c"))"; else echo "$c: stopped"; rc=1; fi
  done
  if ((rc == 0)) && [[ "$(kcurl /readyz 2>/dev/null)" == "ok" ]]; then echo "apiserver: ready"; else echo "apiserver: not ready"; rc=1; fi
  return $rc
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) echo "export KUBECONFIG=$STATE/kubeconfig" ;;
  paths) printf 'MESH_CP_CACHE=%s\nMESH_CP_BIN=%s\nMESH_CP_STATE=%s\nKUBECONFIG=%s\n' "$CACHE_ROOT" "$BIN" "$STATE" "$STATE/kubeconfig" ;;
  *) echo "usage: $0 build|up|down|env|status|paths" >&2; exit 64 ;;
esac
