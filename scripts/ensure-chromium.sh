#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the Swagger UI browser test
# (test/browser/swagger-ui.spec.ts drives it with playwright-core; no browser is downloaded).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  echo "chromium present: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "apt-get not found: install Chromium at $CHROMIUM by other means" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install chromium" >&2; exit 1; }
  SUDO="sudo"
fi
echo "installing chromium with apt-get"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
[ -x "$CHROMIUM" ] || { echo "chromium did not install at $CHROMIUM" >&2; exit 1; }
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
