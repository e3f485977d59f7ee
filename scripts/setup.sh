#!/usr/bin/env bash
# Installs what RenodeGic needs on a fresh Debian machine: system packages (apt), then NuGet restore and build.
# Idempotent: each step is skipped when its result is already present.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in libunicorn2 gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu device-tree-compiler qemu-system-arm make; do
  have_pkg "$p" || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "renode-gic setup: installing ${need_pkgs[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
fi
