#!/usr/bin/env bash
# Builds what is out of date: the host (Release, into out/host) and the firmware samples.
# Usage: scripts/build.sh [--all]   (--all also builds tests and benchmarks)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
host_dll="$root/out/host/renode-gic-host.dll"
stale=1
if [ -f "$host_dll" ]; then
  if [ -z "$(find host peripherals renode-api vgic-host RenodeGic.csproj Directory.Build.props -newer "$host_dll" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
    stale=0
  fi
fi
if [ "$stale" = 1 ]; then
  echo "renode-gic: building the host (first run restores NuGet packages)..." >&2
  dotnet build host/Host.csproj -c Release -o out/host -nologo -v quiet -clp:ErrorsOnly\;NoSummary >&2
  touch "$host_dll"
fi
if [ "${1:-}" = "--all" ]; then
  dotnet build RenodeGic.slnx -c Release -nologo -v quiet -clp:ErrorsOnly\;NoSummary >&2
fi
make -s -C firmware-samples >&2
