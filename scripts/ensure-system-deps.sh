#!/usr/bin/env bash
# Installs the system programs the test suite drives for real, when they are missing:
# Debian's chromium and firefox-esr (browser end-to-end; Firefox ESR for the page without JavaScript),
# age (the reference decryptor) and postgresql (the PostgreSQL deployment). Idempotent and quiet; needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
command -v age >/dev/null 2>&1 || need+=(age)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-system-deps: installing ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
