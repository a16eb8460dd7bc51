#!/usr/bin/env bash
# Makes sure Debian's Dovecot IMAP server is at /usr/sbin/dovecot for the inbound email tests
# (test/support/dovecot.ts runs a private instance per test file; no system service is used).
set -euo pipefail

DOVECOT=/usr/sbin/dovecot
if [ -x "$DOVECOT" ]; then
  echo "dovecot present: $("$DOVECOT" --version 2>/dev/null)"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "apt-get not found: install Dovecot (dovecot-imapd) at $DOVECOT by other means" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install dovecot-imapd" >&2; exit 1; }
  SUDO="sudo"
fi
echo "installing dovecot-imapd with apt-get"
$SUDO apt-get update -qq
# policy-rc.d 101 keeps the package from starting (or enabling) a system Dovecot; the tests run their own.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && CREATED_POLICY=1
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dovecot-imapd || status=$?
[ -n "$CREATED_POLICY" ] && $SUDO rm -f "$POLICY"
[ "${status:-0}" -eq 0 ] || exit "$status"
[ -x "$DOVECOT" ] || { echo "dovecot did not install at $DOVECOT" >&2; exit 1; }
echo "dovecot installed: $("$DOVECOT" --version 2>/dev/null)"
