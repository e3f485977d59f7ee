#!/bin/sh
# Run one firmware sample on QEMU `virt` and print its UART transcript (CR stripped).
#   run-qemu.sh <name> [el2]        el2: virtualization=on (image entered at EL2, PSCI via SMC)
# Environment: QEMU (default qemu-system-aarch64), SMP (4), TIMEOUT seconds (20), GIC (3), ITS (on/off: the
#              virt machine's its= option; unset: QEMU's default),
#              BUILD (build directory, default build/ next to this script).
# Exit status: 0 if the transcript ends with PASS, 1 otherwise (124 on timeout).
set -u
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: run-qemu.sh <name> [el2]}
mode=${2:-el1}
build=${BUILD:-$here/build}
img=$build/$name.bin
[ -f "$img" ] || { echo "run-qemu.sh: $img not found (run make -C $here)" >&2; exit 2; }
machine="virt,gic-version=${GIC:-3}"
[ -n "${ITS:-}" ] && machine="$machine,its=$ITS"
case "$mode" in
	el1) ;;
	el2) machine="$machine,virtualization=on" ;;
	*) echo "run-qemu.sh: mode must be el1 or el2" >&2; exit 2 ;;
esac
out=$(timeout "${TIMEOUT:-20}" "${QEMU:-qemu-system-aarch64}" -M "$machine" -cpu cortex-a57 \
	-smp "${SMP:-4}" -m 1G -nographic -nic none -monitor none -serial stdio \
	-kernel "$img" </dev/null 2>&1)
rc=$?
printf '%s\n' "$out" | tr -d '\r'
[ $rc -eq 124 ] && { echo "run-qemu.sh: timeout" >&2; exit 124; }
printf '%s\n' "$out" | tr -d '\r' | tail -n 1 | grep -qx PASS
