#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager 1.20.2 from Debian's kubernetes source
# package, with the two fixes Go >= 1.18 needs in that tree, and caches them under
#   ${BINDOPS_CACHE_DIR:-~/.cache/bindops}/control-plane/<version>-<recipe>/bin
# Installs the Debian packages it needs when they are missing (needs root and apt).
# Safe to re-run: an existing build is reused. Prints one progress line per step.
set -euo pipefail

KUBE_VERSION=1.20.2
RECIPE=r1 # bump when the build recipe changes, so caches rebuild
CACHE_ROOT=${BINDOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bindops}
OUT="$CACHE_ROOT/control-plane/$KUBE_VERSION-$RECIPE"
BIN="$OUT/bin"
WORK="$CACHE_ROOT/control-plane/work-$KUBE_VERSION-$RECIPE"

step() { printf '[control-plane] %s\n' "$*" >&2; }
fail() { printf '[control-plane] error: %s\n' "$*" >&2; exit 1; }

cached=false
[[ -x "$BIN/kube-apiserver" && -x "$BIN/kube-controller-manager" ]] && cached=true

# etcd is needed to run the control plane; the rest only to build it.
need_pkgs=()
command -v etcd >/dev/null || need_pkgs+=(etcd-server)
if [[ $cached == false ]]; then
  command -v go >/dev/null || need_pkgs+=(golang-go)
  command -v rsync >/dev/null || need_pkgs+=(rsync)
  [[ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ]] || need_pkgs+=(golang-github-modern-go-reflect2-dev)
  command -v make >/dev/null || need_pkgs+=(make)
fi

if ((${#need_pkgs[@]})); then
  command -v apt-get >/dev/null || fail "apt-get is not available; install ${need_pkgs[*]} by other means"
  [[ $(id -u) == 0 ]] || fail "installing ${need_pkgs[*]} needs root; run as root or install them first"
  step "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need_pkgs[@]}" >&2
fi

if [[ $cached == true ]]; then
  step "cached build found in $BIN"
  echo "$BIN"
  exit 0
fi

mkdir -p "$WORK"
cd "$WORK"

src_dir="$WORK/kubernetes-$KUBE_VERSION"
if [[ ! -f "$src_dir/.bindops-patched" ]]; then
  rm -rf "$src_dir"
  orig=$(ls kubernetes_*.orig.tar.* 2>/dev/null | head -n 1 || true)
  if [[ -z "$orig" ]]; then
    step "downloading Debian's kubernetes $KUBE_VERSION source package"
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    apt_dir="$WORK/apt"
    mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial"
    printf 'deb-src %s bookworm main\n' "$uri" >"$apt_dir/sources/bookworm-src.list"
    apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources"
      -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Sandbox::User=root")
    apt-get "${apt_opts[@]}" update -qq >&2
    apt-get "${apt_opts[@]}" source --download-only "kubernetes=$KUBE_VERSION*" >&2 ||
      apt-get "${apt_opts[@]}" source --download-only kubernetes >&2
    orig=$(ls kubernetes_*.orig.tar.* | head -n 1)
  fi
  # Debian names this source "1.20.5+really1.20.2": refuse anything that is not the version
  # the cache is keyed by.
  [[ $orig == *"really$KUBE_VERSION.orig"* || $orig == *"_$KUBE_VERSION.orig"* ]] ||
    fail "Debian's kubernetes source is $orig, not $KUBE_VERSION; the recipe needs updating"
  step "unpacking $orig"
  mkdir -p "$src_dir"
  tar -xf "$orig" -C "$src_dir" --strip-components=1

  step "applying the Go >= 1.18 fixes (reflect2, empty-string type validation)"
  rm -rf "$src_dir/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src_dir/vendor/github.com/modern-go/reflect2"
  rm -f "$src_dir/vendor/github.com/modern-go/reflect2/go.mod"
  for f in vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go vendor/github.com/go-openapi/validate/type.go; do
    [[ -f "$src_dir/$f" ]] || continue
    sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$src_dir/$f"
    grep -q 'reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data))' "$src_dir/$f" && fail "patch did not apply to $f"
  done
  touch "$src_dir/.bindops-patched"
fi

step "building kube-apiserver and kube-controller-manager (5-10 minutes on 2 cores)"
gopath="$WORK/.go"
mkdir -p "$gopath/src/k8s.io"
ln -sfn "$src_dir" "$gopath/src/k8s.io/kubernetes"
(
  cd "$gopath/src/k8s.io/kubernetes"
  GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0 GOFLAGS= \
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" 2>&1 |
    while IFS= read -r line; do printf '[control-plane]   %s\n' "$line" >&2; done
  exit "${PIPESTATUS[0]}"
)
built="$src_dir/_output/bin"
[[ -x "$built/kube-apiserver" && -x "$built/kube-controller-manager" ]] || fail "build produced no binaries in $built"

mkdir -p "$BIN.tmp"
cp "$built/kube-apiserver" "$built/kube-controller-manager" "$BIN.tmp/"
rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
step "built into $BIN; removing the build tree"
rm -rf "$WORK"
echo "$BIN"
