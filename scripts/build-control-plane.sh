#!/usr/bin/env bash
# Builds the local control plane that `bindops dev up`, the demo and the integration tests run, and
# caches it under ${BINDOPS_CACHE_DIR:-~/.cache/bindops}/control-plane/<name>-<version>-<recipe>/bin.
#
#   build-control-plane.sh [current|old]...   (default: current)
#
#   current  kube-apiserver and kube-controller-manager 1.37.2, built from the k8s.io/kubernetes Go
#            module with the machine's Go (go 1.26 or newer on PATH), in a private Go module whose
#            go.mod replaces every staging module (k8s.io/api, k8s.io/apiserver, ...) with v0.37.2.
#   old      kube-apiserver and kube-controller-manager 1.20.2, built from Debian bookworm's
#            kubernetes source package with Debian's Go 1.19 (named by path), plus the two vendor
#            fixes Go >= 1.18 needs in that tree. Kept for version-skew tests.
#
# Both use etcd 3.6.16, built from its Go modules (etcd-3.6.16-<recipe>/bin/etcd).
#
# Installs the Debian packages it needs when they are missing (needs root and apt). Safe to re-run:
# a finished build is reused, an interrupted one starts again. Prints progress on stderr and, per
# requested server, "<name> <bin dir>" on stdout.
set -euo pipefail

CURRENT_VERSION=1.37.2
CURRENT_RECIPE=r1 # bump when the recipe changes, so caches rebuild
OLD_VERSION=1.20.2
OLD_RECIPE=r2
ETCD_VERSION=3.6.16
ETCD_RECIPE=r1

CACHE_ROOT=${BINDOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bindops}
CP="$CACHE_ROOT/control-plane"
# Go's module and build caches live beside the binaries, not in the user's GOPATH, so a purge of
# the cache folder removes everything the builds downloaded.
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-mod=mod -trimpath"
export CGO_ENABLED=0
export GOTOOLCHAIN=local

step() { printf '[control-plane] %s\n' "$*" >&2; }
fail() { printf '[control-plane] error: %s\n' "$*" >&2; exit 1; }
indent() { while IFS= read -r line; do printf '[control-plane]   %s\n' "$line" >&2; done; }
# Runs a command, its output indented under the current step; fails with the command's status.
run() { "$@" 2>&1 | indent; return "${PIPESTATUS[0]}"; }

apt_install() {
  (($#)) || return 0
  command -v apt-get >/dev/null || fail "apt-get is not available; install $* by other means"
  [[ $(id -u) == 0 ]] || fail "installing $* needs root; run as root or install them first"
  step "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The machine's Go, checked to be new enough for the current recipe.
modern_go() {
  local go
  go=$(command -v go || true)
  [[ -z $go && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
  [[ -n $go ]] || fail "Go 1.26 or newer is needed to build the control plane (install it into /usr/local/go)"
  local v
  v=$("$go" env GOVERSION)
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  ((major > 1 || (major == 1 && minor >= 26))) || fail "$go is Go $v; the current control plane needs Go 1.26 or newer"
  echo "$go"
}

# Holds an exclusive lock on one build until the script ends, so two runs (two test processes, a
# user's `dev up` beside CI) never build into the same folder at once; the second waits, then finds
# the first one's result.
lock() { # <build folder>
  mkdir -p "$1"
  local fd
  exec {fd}>"$1.lock"
  if ! flock -n "$fd"; then
    step "waiting for another build of $(basename "$1") to finish"
    flock "$fd"
  fi
}

# Moves a finished bin folder into place in one step, so a killed build never looks finished.
publish() { # <tmp bin> <final bin>
  rm -rf "$2" && mv "$1" "$2"
}

build_etcd() {
  local out="$CP/etcd-$ETCD_VERSION-$ETCD_RECIPE"
  lock "$out"
  if [[ -x "$out/bin/etcd" ]]; then
    step "etcd $ETCD_VERSION: cached in $out/bin"
    return
  fi
  local go
  go=$(modern_go)
  local work="$out/work"
  rm -rf "$work" && mkdir -p "$work"
  cat >"$work/go.mod" <<EOF
module bindops.invalid/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
  step "etcd $ETCD_VERSION: resolving modules"
  (cd "$work" && run "$go" mod download go.etcd.io/etcd/server/v3) || fail "cannot download etcd's modules"
  (cd "$work" && run "$go" get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION") || fail "cannot resolve etcd's modules"
  step "etcd $ETCD_VERSION: building (about a minute)"
  (cd "$work" && run "$go" build -ldflags="-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3) ||
    fail "building etcd failed"
  publish "$work/bin" "$out/bin"
  rm -rf "$work"
  step "etcd $ETCD_VERSION: built into $out/bin"
}

build_current() {
  local version=$CURRENT_VERSION
  local out="$CP/kubernetes-$version-$CURRENT_RECIPE"
  lock "$out"
  if [[ -x "$out/bin/kube-apiserver" && -x "$out/bin/kube-controller-manager" ]]; then
    step "kubernetes $version: cached in $out/bin"
    echo "current $out/bin"
    return
  fi
  local go
  go=$(modern_go)
  local work="$out/work"
  rm -rf "$work" && mkdir -p "$work"
  step "kubernetes $version: reading k8s.io/kubernetes's go.mod"
  (cd "$work" && run "$go" mod download -json "k8s.io/kubernetes@v$version" >/dev/null) ||
    fail "cannot download k8s.io/kubernetes v$version from the Go module proxy"
  local upstream_mod="$GOMODCACHE/cache/download/k8s.io/kubernetes/@v/v$version.mod"
  [[ -f $upstream_mod ]] || fail "k8s.io/kubernetes v$version has no go.mod at $upstream_mod"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...,
  # which a dependent module cannot use: pin each to its published v0.<minor>.<patch>.
  local staging
  staging=$(awk '/=> \.\/staging\/src\// {print $1}' "$upstream_mod")
  [[ -n $staging ]] || fail "found no staging modules in k8s.io/kubernetes v$version's go.mod"
  {
    printf 'module bindops.invalid/control-plane\n\ngo 1.26.0\n\n'
    printf 'require k8s.io/kubernetes v%s\n\n' "$version"
    printf 'tool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kube-controller-manager\n)\n\n'
    printf 'replace (\n'
    for m in $staging; do printf '\t%s => %s v0.%s\n' "$m" "$m" "${version#*.}"; done
    printf ')\n'
  } >"$work/go.mod"
  step "kubernetes $version: resolving $(wc -w <<<"$staging") staging modules and their dependencies"
  (cd "$work" && run "$go" mod tidy) || fail "cannot resolve the modules of kubernetes $version"
  local ldflags="-s -w"
  local major=${version%%.*} minor
  minor=${version#*.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  step "kubernetes $version: building kube-apiserver and kube-controller-manager (10-20 minutes on 2 cores)"
  (cd "$work" && run "$go" build -ldflags="$ldflags" -o "$work/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager) ||
    fail "building kubernetes $version failed"
  publish "$work/bin" "$out/bin"
  rm -rf "$work"
  step "kubernetes $version: built into $out/bin"
  echo "current $out/bin"
}

build_old() {
  local version=$OLD_VERSION
  local out="$CP/kubernetes-$version-$OLD_RECIPE"
  lock "$out"
  if [[ -x "$out/bin/kube-apiserver" && -x "$out/bin/kube-controller-manager" ]]; then
    step "kubernetes $version: cached in $out/bin"
    echo "old $out/bin"
    return
  fi
  local go119=/usr/lib/go-1.19/bin/go
  local pkgs=()
  [[ -x $go119 ]] || pkgs+=(golang-1.19-go)
  command -v rsync >/dev/null || pkgs+=(rsync)
  command -v make >/dev/null || pkgs+=(make)
  [[ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ]] || pkgs+=(golang-github-modern-go-reflect2-dev)
  apt_install "${pkgs[@]}"

  local work="$out/work"
  mkdir -p "$work"
  local src_dir="$work/kubernetes-$version"
  if [[ ! -f "$src_dir/.bindops-patched" ]]; then
    rm -rf "$src_dir"
    local orig
    orig=$(cd "$work" && ls kubernetes_*.orig.tar.* 2>/dev/null | head -n 1 || true)
    if [[ -z "$orig" ]]; then
      step "kubernetes $version: downloading Debian's kubernetes source package"
      local uri
      uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
      uri=${uri:-http://deb.debian.org/debian}
      local apt_dir="$work/apt"
      mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial"
      printf 'deb-src %s bookworm main\n' "$uri" >"$apt_dir/sources/bookworm-src.list"
      local apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources"
        -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Sandbox::User=root")
      apt-get "${apt_opts[@]}" update -qq >&2
      (cd "$work" && { apt-get "${apt_opts[@]}" source --download-only "kubernetes=$version*" >&2 ||
        apt-get "${apt_opts[@]}" source --download-only kubernetes >&2; })
      orig=$(cd "$work" && ls kubernetes_*.orig.tar.* | head -n 1)
    fi
    # Debian names this source "1.20.5+really1.20.2": refuse anything that is not the version the
    # cache is keyed by.
    [[ $orig == *"really$version.orig"* || $orig == *"_$version.orig"* ]] ||
      fail "Debian's kubernetes source is $orig, not $version; the recipe needs updating"
    step "kubernetes $version: unpacking $orig"
    mkdir -p "$src_dir"
    tar -xf "$work/$orig" -C "$src_dir" --strip-components=1

    step "kubernetes $version: applying the Go >= 1.18 fixes (reflect2, empty-string type validation)"
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

  step "kubernetes $version: building kube-apiserver and kube-controller-manager with Go 1.19 (5-10 minutes)"
  local gopath="$work/.go"
  mkdir -p "$gopath/src/k8s.io"
  ln -sfn "$src_dir" "$gopath/src/k8s.io/kubernetes"
  (
    cd "$gopath/src/k8s.io/kubernetes"
    # Debian's Go 1.19 first on PATH: /usr/local/go (a newer Go) must not build this tree.
    PATH="$(dirname "$go119"):$PATH" GOROOT= GOPATH="$gopath" GO111MODULE=off GOFLAGS= \
      GOTOOLCHAIN= GOMODCACHE= GOCACHE="$CACHE_ROOT/go/build-1.19" \
      run make WHAT="cmd/kube-apiserver cmd/kube-controller-manager"
  ) || fail "building kubernetes $version failed"
  local built="$src_dir/_output/bin"
  [[ -x "$built/kube-apiserver" && -x "$built/kube-controller-manager" ]] || fail "build produced no binaries in $built"
  mkdir -p "$work/bin"
  cp "$built/kube-apiserver" "$built/kube-controller-manager" "$work/bin/"
  publish "$work/bin" "$out/bin"
  rm -rf "$work"
  step "kubernetes $version: built into $out/bin"
  echo "old $out/bin"
}

targets=("$@")
((${#targets[@]})) || targets=(current)
for t in "${targets[@]}"; do
  case $t in
  current | "$CURRENT_VERSION" | old | "$OLD_VERSION") ;;
  *) fail "unknown server '$t': use current ($CURRENT_VERSION) or old ($OLD_VERSION)" ;;
  esac
done
build_etcd
echo "etcd $CP/etcd-$ETCD_VERSION-$ETCD_RECIPE/bin"
for t in "${targets[@]}"; do
  case $t in
  current | "$CURRENT_VERSION") build_current ;;
  old | "$OLD_VERSION") build_old ;;
  esac
done
