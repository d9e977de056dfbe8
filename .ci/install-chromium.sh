#!/usr/bin/env bash
# Optional: installs Debian's Chromium (and a font) for the browser tests. Not needed: without it
# they use the Chromium inside the @sparticuz/chromium npm package. `.ci/run` calls this only with
# CI_DEBIAN_CHROMIUM=1.
# Idempotent: does nothing when /usr/bin/chromium is already there. Uses sudo only when not root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "== chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-chromium: not root and sudo is missing; install the 'chromium' package by hand" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "== installing chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core

if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "== $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
