#!/usr/bin/env bash
# The system packages the tests use beyond Node: tmux drives `botz repl` in a real terminal,
# redis-server backs the shared registry's tests, chromium runs the dashboard and browser tests.
# Installed with apt-get when missing and we are root (CI, containers); otherwise this says
# what to install and the tests that need it fail saying the same. Used by `npm test` and .ci/run.
set -euo pipefail

APT_PACKAGES=(tmux redis-server chromium)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "warning: the REPL's terminal tests need ${missing[*]}: install it (e.g. sudo apt-get install ${missing[*]})" >&2
fi
