#!/usr/bin/env bash
# bench/gdb.sh: runs the same gdb batch scripts against gdbserver (the
# guest running natively), qemu-x86_64 -g and redox-gdbstub --once in one
# go, REPS times each, and prints the median wall time of each gdb session
# (connect to exit) with the ratios stub/gdbserver and stub/qemu.
#
# Usage: bench/gdb.sh            (from anywhere; builds everything in a temp dir)
# Environment (all optional):
#   REPS=1                repetitions per server (the median is reported)
#   CASES="base stepi next cond watch dump"   which cases to run
#   TIMEOUT=120           seconds one gdb session may take (then "timeout")
#   STEPS=20000           stepi count
#   NEXT_ITERS=125000     loop iterations under the `next` line (8 instructions each)
#   COND_CALLS=100000     calls of f (each one a conditional breakpoint hit)
#   WATCH_ITERS=1250000   loop iterations run with the watchpoint armed
#   DUMP_MB=64            size of the dumped heap buffer
#   STUB=path             use this redox-gdbstub binary instead of building one
#
# Each session's key output is checked (the value reached after stepi/next,
# "exited normally", the dump's size and md5 against the other servers'):
# a session that does not produce it is FAIL (with the reason), one that
# runs out of time is "timeout"; the script carries on either way.
set -uo pipefail

REPS=${REPS:-1}
CASES=${CASES:-"base stepi next cond watch dump"}
TIMEOUT=${TIMEOUT:-120}
STEPS=${STEPS:-20000}
NEXT_ITERS=${NEXT_ITERS:-125000}
COND_CALLS=${COND_CALLS:-100000}
WATCH_ITERS=${WATCH_ITERS:-1250000}
DUMP_MB=${DUMP_MB:-64}
SERVERS="gdbserver qemu stub"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/redox-gdbbench.XXXXXX")
server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }

# ---- build -------------------------------------------------------------

for tool in gdb musl-gcc timeout; do
	command -v $tool >/dev/null || { log "bench: $tool not found"; exit 1; }
done
stub=${STUB:-}
if [[ -z $stub ]]; then
	stub=$work/redox-gdbstub
	log "building redox-gdbstub"
	if ! (cd "$root" && go build -o "$stub" ./cmd/redox-gdbstub); then
		log "bench: cannot build redox-gdbstub"
		exit 1
	fi
fi
gdbserver=$(command -v gdbserver || true)
qemu=$(command -v qemu-x86_64 || true)

src=$root/bench/workloads/dbg.c
prog=$work/dbg
if ! musl-gcc -static -O0 -g -o "$prog" "$src" 2>"$work/cc.err"; then
	log "bench: musl-gcc failed: $(head -n1 "$work/cc.err")"
	exit 1
fi
next_line=$(grep -n 'the `next` line' "$src" | cut -d: -f1)

# ---- servers -----------------------------------------------------------

# free_port: a TCP port nobody listens on (for qemu, which cannot pick one).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# start_server SERVER ARGS...: starts SERVER on the guest with ARGS, sets
# server_pid and port; returns 1 (reason in $work/why) if it does not listen
# within 10 s.
start_server() {
	local server=$1
	shift
	port=
	: >"$work/server.err"
	case $server in
	gdbserver)
		[[ -z $gdbserver ]] && { echo "gdbserver not found" >"$work/why"; return 1; }
		timeout -k 5 $((TIMEOUT + 30)) "$gdbserver" --once 127.0.0.1:0 "$prog" "$@" >"$work/guest.out" 2>"$work/server.err" &
		;;
	qemu)
		[[ -z $qemu ]] && { echo "qemu-x86_64 not found" >"$work/why"; return 1; }
		port=$(free_port)
		timeout -k 5 $((TIMEOUT + 30)) "$qemu" -g "$port" "$prog" "$@" >"$work/guest.out" 2>"$work/server.err" &
		;;
	stub)
		timeout -k 5 $((TIMEOUT + 30)) "$stub" --once 127.0.0.1:0 "$prog" "$@" >"$work/guest.out" 2>"$work/server.err" &
		;;
	esac
	server_pid=$!
	local i
	for ((i = 0; i < 200; i++)); do
		if [[ $server == qemu ]]; then
			ss -ltnH "sport = :$port" 2>/dev/null | grep -q . && return 0
		else
			port=$(sed -nE 's/.*Listening on port ([0-9]+).*/\1/p' "$work/server.err" | head -n1)
			[[ -n $port ]] && return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "$server did not listen: $(head -n1 "$work/server.err")" >"$work/why"
	stop_server
	return 1
}

# stop_server: waits up to 10 s for the server to exit, then kills it.
stop_server() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
}

# ---- cases -------------------------------------------------------------

# case_args CASE: the guest's arguments.  case_cmds CASE SERVER: gdb's commands,
# one per line (each becomes an -ex, so one failing command does not stop
# the rest; every session ends with kill).
case_args() {
	case $1 in
	base) echo next 1 ;;
	stepi) echo step 100000000 ;;
	next) echo next "$NEXT_ITERS" ;;
	cond) echo cond "$COND_CALLS" ;;
	watch) echo watch "$WATCH_ITERS" ;;
	dump) echo dump "$DUMP_MB" ;;
	esac
}
case_cmds() {
	case $1 in
	base) printf '%s\n' 'break main' continue continue ;;
	stepi) printf '%s\n' 'break spin' continue "stepi $STEPS" 'printf "RESULT i=%ld pc=%#lx\n", i, $pc' ;;
	next) printf '%s\n' "break dbg.c:$next_line" continue next 'printf "RESULT r=%ld line-done\n", r' ;;
	cond) printf '%s\n' 'break f if x == -1' continue ;;
	watch)
		# qemu-x86_64's stub has no Z2 and gdb 13 does not fall back by
		# itself ("Could not insert hardware watchpoint"), so for qemu the
		# watchpoint is made a software one: gdb single-steps the guest.
		[[ $2 == qemu ]] && echo 'set can-use-hw-watchpoints 0'
		printf '%s\n' 'break main' continue 'watch never_written' continue
		;;
	dump) printf '%s\n' 'break ready' continue "dump binary memory $work/dump.bin buf buf+len" 'printf "RESULT dumped\n"' ;;
	esac
}
declare -A desc=(
	[base]="baseline: break main, continue to exit"
	[stepi]="stepi $STEPS"
	[next]="next over work($NEXT_ITERS) ($((NEXT_ITERS * 8)) insns)"
	[cond]="break f if x == -1, $COND_CALLS hits"
	[watch]="watch never_written, run $((WATCH_ITERS * 8)) insns"
	[dump]="dump binary memory ${DUMP_MB} MiB"
)

declare -A result ref

# check CASE SERVER: prints nothing if the session's output ($work/gdb.out)
# shows the case completed, else the reason.
check() {
	local c=$1 s=$2 out=$work/gdb.out v
	case $c in
	base | cond | watch)
		grep -q 'exited normally' "$out" || { echo "no 'exited normally': $(grep -m1 -iE 'error|warning|cannot|could not' "$out")"; return; }
		;;
	stepi | next)
		v=$(grep -m1 '^RESULT' "$out")
		[[ -z $v ]] && { echo "no result: $(grep -m1 -iE 'error|cannot|could not' "$out")"; return; }
		if [[ -z ${ref[$c]:-} ]]; then ref[$c]=$v; elif [[ $v != "${ref[$c]}" ]]; then echo "got '$v', ${ref[$c]%% *} expected '${ref[$c]}'"; return; fi
		;;
	dump)
		grep -q '^RESULT dumped' "$out" || { echo "dump failed: $(grep -m1 -iE 'error|cannot|could not' "$out")"; return; }
		local size sum
		size=$(stat -c %s "$work/dump.bin" 2>/dev/null || echo 0)
		[[ $size != $((DUMP_MB << 20)) ]] && { echo "dump is $size bytes"; return; }
		sum=$(md5sum <"$work/dump.bin" | cut -d' ' -f1)
		if [[ -z ${ref[$c]:-} ]]; then ref[$c]=$sum; elif [[ $sum != "${ref[$c]}" ]]; then echo "dump's md5 differs from the first server's"; return; fi
		;;
	esac
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# run_case CASE SERVER: REPS sessions, result[CASE,SERVER] = median or why not.
run_case() {
	local c=$1 s=$2 i t0 t1 st why
	local -a args ex=()
	read -r -a args <<<"$(case_args "$c")"
	while IFS= read -r line; do ex+=(-ex "$line"); done < <(case_cmds "$c" "$s")
	local times=()
	for ((i = 0; i < REPS; i++)); do
		rm -f "$work/dump.bin"
		if ! start_server "$s" "${args[@]}"; then
			result[$c,$s]="FAIL ($(<"$work/why"))"
			return
		fi
		t0=$(date +%s.%N)
		timeout -k 5 "$TIMEOUT" gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
			-ex "target remote 127.0.0.1:$port" "${ex[@]}" -ex kill "$prog" >"$work/gdb.out" 2>&1
		st=$?
		t1=$(date +%s.%N)
		stop_server
		if [[ $st == 124 || $st == 137 ]]; then
			result[$c,$s]="timeout (>${TIMEOUT}s)"
			log "  $c $s: timeout"
			return
		fi
		why=$(check "$c" "$s")
		if [[ -n $why ]]; then
			result[$c,$s]="FAIL (${why:0:100})"
			log "  $c $s: FAIL ($why)"
			cp "$work/gdb.out" "${TMPDIR:-/tmp}/gdbbench-$c-$s.out" 2>/dev/null
			return
		fi
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
		log "  $c $s rep $((i + 1))/$REPS: ${times[-1]}s"
	done
	result[$c,$s]=$(printf '%s\n' "${times[@]}" | median)
}

start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $(nproc) cores, load $load0; repetitions: $REPS"
for c in $CASES; do
	log "case $c"
	for s in $SERVERS; do run_case "$c" "$s"; done
done

# ---- table -------------------------------------------------------------

isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
ratio() { if isnum "$1" && isnum "$2" && awk -v b="$2" 'BEGIN {exit !(b > 0)}'; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; else echo "-"; fi; }
cell() { if isnum "$1"; then printf '%.3f' "$1"; else printf '%s' "$1"; fi; }

echo
echo "Started $start; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//');"
echo "load average at the start: $load0, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Wall time of the gdb session, seconds (median of $REPS):"
echo
echo "| case | gdbserver | qemu -g | stub | stub/gdbserver | stub/qemu |"
echo "|---|---|---|---|---|---|"
for c in $CASES; do
	g=${result[$c,gdbserver]:-} q=${result[$c,qemu]:-} s=${result[$c,stub]:-}
	echo "| ${desc[$c]:-$c} | $(cell "$g") | $(cell "$q") | $(cell "$s") | $(ratio "$s" "$g") | $(ratio "$s" "$q") |"
done
echo
[[ " $CASES " == *" watch "* ]] && echo "qemu's watch session has 'set can-use-hw-watchpoints 0' (no Z2 in qemu-user; gdb single-steps)."
echo "Ratios below 1 mean the stub is faster. Each session: gdb -nx -batch, target remote, the case's commands, kill."
