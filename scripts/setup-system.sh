#!/usr/bin/env bash
# Installs the test tools that do not come from PyPI or npm: Debian's Chromium (driven by
# Playwright, never downloaded by it), Java for the Nu HTML Checker, xmllint, and nginx (the
# redirect includes are tested in a real one, which the tests start on a free port).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "setup-system: installing ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup-system: need root (or sudo) to install: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The package starts nginx as a system service on port 80; the tests need only the program.
if [[ " ${need[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1 \
  && systemctl is-active --quiet nginx 2>/dev/null; then
  "${sudo[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true
fi
