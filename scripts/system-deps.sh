#!/usr/bin/env bash
# Debian packages the project needs: headless Chromium for the Datasette page test, and
# redis-server for the shared crawl frontier (`crawl --frontier`, `--workers N`; its tests).
# Installs only what is missing. A failed install is reported, not fatal: the browser and Redis
# tests then skip themselves with a clear reason (not under CI=true), and everything else still runs.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    echo "warning: could not install ${need[*]} with apt-get; the tests that need them will be skipped" >&2
  fi
else
  echo "warning: missing system packages: ${need[*]} (install them with your package manager)" >&2
fi
exit 0
