#!/usr/bin/env bash
# The real Istio binaries of the 1.31 line, built from Go modules: istiod (pilot-discovery) and istioctl.
# They are test oracles and the other side of mesh's end-to-end tests (never shipped with mesh).
#
# Usage: scripts/istio/istio.sh build|simproxy|paths|version|present|gateway-api-crds
#
# `build` also builds simproxy (scripts/istio/simproxy: simulated proxies on xDS for the e2e tests
# and the benchmark) into the same directory; `simproxy` builds only that one and prints its path.
# Each is a fast no-op when its binary is up to date.
#
# Environment:
#   MESH_ISTIO_CACHE   binary cache root  (default: <repo>/.cache/istio)
#   MESH_CP_BUILD_JOBS go build -p value  (default: number of CPUs)
set -euo pipefail

# istio.io/istio is served by the module proxy only as pseudo-versions (its tags are not semver).
# This commit is on the release-1.31 line (VERSION says 1.31). Keep in sync with go.mod.
ISTIO_MODULE=v0.0.0-20260827124520-eed52ebb66ad
# What the binaries report as their version, and the hub/tag their charts default to. mesh renders
# registry.istio.io/release/*:1.31.1, so the oracle is stamped the same way.
ISTIO_VERSION=1.31.1
ISTIO_HUB=registry.istio.io/release

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${MESH_ISTIO_CACHE:-$REPO/.cache/istio}"
BIN="$CACHE_ROOT/$ISTIO_MODULE/bin"
STAMP_CONTENT="istio=$ISTIO_MODULE version=$ISTIO_VERSION hub=$ISTIO_HUB sums=$(cksum <"$HERE/go.sum" | cut -d' ' -f1)"
BINARIES=(istioctl pilot-discovery)

log() { printf '[istio] %s\n' "$*" >&2; }
die() {
  printf '[istio] ERROR: %s\n' "$*" >&2
  mkdir -p "$CACHE_ROOT" 2>/dev/null && printf '%s\n' "$*" >"$CACHE_ROOT/last-error" 2>/dev/null
  exit 1
}

present() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || return 1; done
  [[ -f "$BIN/.stamp" && "$(cat "$BIN/.stamp")" == "$STAMP_CONTENT" ]]
}

cmd_build() {
  rm -f "$CACHE_ROOT/last-error"
  if present; then
    log "binaries up to date in $BIN"
    return 0
  fi
  command -v go >/dev/null || die "go is not installed; cannot build istiod and istioctl"
  mkdir -p "$BIN"
  rm -f "$BIN/.stamp"
  local start=$SECONDS jobs="${MESH_CP_BUILD_JOBS:-}" pflag=()
  [[ -n "$jobs" ]] && pflag=(-p "$jobs")
  export CGO_ENABLED=0 GOFLAGS=-mod=readonly
  local v=istio.io/istio/pkg/version
  local ld="-s -w -X $v.buildVersion=$ISTIO_VERSION -X $v.buildTag=$ISTIO_VERSION -X $v.buildHub=$ISTIO_HUB"
  ld+=" -X $v.buildStatus=Clean -X $v.buildGitRevision=${ISTIO_MODULE##*-}"
  local b pkg
  for b in "${BINARIES[@]}"; do
    [[ -x "$BIN/$b" ]] && continue
    case "$b" in
      istioctl) pkg=istio.io/istio/istioctl/cmd/istioctl ;;
      pilot-discovery) pkg=istio.io/istio/pilot/cmd/pilot-discovery ;;
    esac
    log "building $b (istio.io/istio@$ISTIO_MODULE, reports $ISTIO_VERSION) ..."
    (cd "$HERE" && go build "${pflag[@]}" -trimpath -ldflags "$ld" -o "$BIN/$b.tmp" "$pkg") || die "go build $pkg failed"
    mv "$BIN/$b.tmp" "$BIN/$b"
  done
  echo "$STAMP_CONTENT" >"$BIN/.stamp"
  log "built ${BINARIES[*]} in $((SECONDS - start))s into $BIN"
}

# simproxy has its own stamp (its sources and go.sum), so changing it rebuilds only it; the Istio
# binaries next to it are never touched.
simproxy_stamp() {
  printf 'istio=%s sums=%s src=%s' "$ISTIO_MODULE" "$(cksum <"$HERE/go.sum" | cut -d' ' -f1)" \
    "$(cat "$HERE"/simproxy/*.go | cksum | cut -d' ' -f1)"
}

cmd_simproxy() {
  local stamp
  stamp="$(simproxy_stamp)"
  if [[ -x "$BIN/simproxy" && -f "$BIN/.simproxy.stamp" && "$(cat "$BIN/.simproxy.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v go >/dev/null || die "go is not installed; cannot build simproxy"
  mkdir -p "$BIN"
  local start=$SECONDS jobs="${MESH_CP_BUILD_JOBS:-}" pflag=()
  [[ -n "$jobs" ]] && pflag=(-p "$jobs")
  log "building simproxy (istio.io/istio@$ISTIO_MODULE pkg/adsc) ..."
  (cd "$HERE" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build "${pflag[@]}" -trimpath -ldflags "-s -w" -o "$BIN/simproxy.tmp" ./simproxy) ||
    die "go build ./simproxy failed"
  mv "$BIN/simproxy.tmp" "$BIN/simproxy"
  echo "$stamp" >"$BIN/.simproxy.stamp"
  log "built simproxy in $((SECONDS - start))s into $BIN"
}

case "${1:-}" in
  build) cmd_build; cmd_simproxy ;;
  simproxy) cmd_simproxy >&2; echo "$BIN/simproxy" ;;
  paths) printf 'MESH_ISTIO_BIN=%s\nISTIOCTL=%s\nPILOT_DISCOVERY=%s\nSIMPROXY=%s\n' "$BIN" "$BIN/istioctl" "$BIN/pilot-discovery" "$BIN/simproxy" ;;
  version) echo "$ISTIO_VERSION ($ISTIO_MODULE)" ;;
  present) present ;;
  # The Gateway API CRDs (standard channel) of the version Istio's module requires, from the Go
  # module cache: what the e2e tests apply before creating Gateway API gateways and waypoints.
  gateway-api-crds)
    dir="$(cd "$HERE" && GOFLAGS=-mod=mod go mod download -json sigs.k8s.io/gateway-api | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d "$dir/config/crd/standard" ]] || die "sigs.k8s.io/gateway-api is not in the Go module cache (run: scripts/istio/istio.sh build)"
    echo "$dir/config/crd/standard" ;;
  *) echo "usage: $0 build|simproxy|paths|version|present|gateway-api-crds" >&2; exit 64 ;;
esac
