#!/bin/bash
# boot_to_prompt, timed from the host: boots a machine BOOTS times (QEMU's
# clock as is, no -icount: this is real time) and prints, on stdout, the
# figure's BENCH line
#   BENCH boot_to_prompt ms <median> <min> <max> <boots>
# where each boot's time runs from just before QEMU is started to the
# moment its serial console shows PROMPT. Then it types EXIT, and the
# machine must power off with QEMU's status STATUS.
#   boot-to-prompt.sh BOOTS LOG PROMPT EXIT STATUS QEMU-COMMAND...
# Linux: PROMPT "bench-prompt# ", EXIT "exit" (its /init powers off), 0;
# Xok: "exos# ", "poweroff", 33.
# LOG gets each boot's serial output, appended. Prints no BENCH line and
# exits 1 if any boot fails to reach the prompt or to power off.
set -u
boots=$1 log=$2 marker=$3 exit_cmd=$4 want_status=$5
shift 5
limit=60	# seconds a boot may take, to the prompt and to power-off
export LC_ALL=C	# one character read is one byte

# Boots once, appending the console to LOG; sets `ms` to the time to the
# prompt in milliseconds, or leaves it empty if none came.
one_boot() {
	local start line='' c status pid rd wr

	ms=
	start=$EPOCHREALTIME
	coproc QEMU { exec timeout -k 5 "$limit" "$@" 2>&1; }
	# Our own copies: bash closes the coproc's once it has reaped it.
	pid=$QEMU_PID
	exec {rd}<&"${QEMU[0]}" {wr}>&"${QEMU[1]}"
	# Byte by byte: the prompt ends no line, so no line-wise read would
	# return at it. The console only matters up to the prompt.
	while IFS= read -r -N 1 c <&$rd; do
		printf '%s' "$c"
		if [ "$c" = $'\n' ]; then
			line=
			continue
		fi
		line+=$c
		if [[ $line == *"$marker" ]]; then
			ms=$(awk -v a="$start" -v b="$EPOCHREALTIME" \
				'BEGIN { printf "%.0f", (b - a) * 1000 }')
			break
		fi
	done >> "$log"
	[ -n "$ms" ] && echo "$exit_cmd" >&$wr
	# The rest of the console, to the power-off.
	cat <&$rd >> "$log"
	wait "$pid"
	status=$?
	exec {rd}<&- {wr}>&-
	echo "(QEMU status $status)" >> "$log"
	[ $status -eq "$want_status" ] || ms=
}

times=()
for ((i = 0; i < boots; i++)); do
	one_boot "$@"
	if [ -z "$ms" ]; then
		echo "boot-to-prompt: boot $((i + 1)) reached no prompt or did not power off (log: $log)" >&2
		exit 1
	fi
	times+=("$ms")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$boots" '
	{ v[NR] = $1 }
	END { printf "BENCH boot_to_prompt ms %d %d %d %d\n", v[int(n / 2) + 1], v[1], v[n], n }'
