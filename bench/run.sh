#!/usr/bin/env bash
# bench/run.sh: runs each workload natively, under qemu-x86_64 and under
# `redox-gdbstub run` in one go, REPS times each, and prints the median
# wall-clock times with the ratios stub/native and stub/qemu, plus the
# stub's guest instructions per second (from its instruction counter).
#
# Usage: bench/run.sh            (from anywhere; builds everything in a temp dir)
# Environment (all optional):
#   REPS=3               repetitions per runner (the median is reported)
#   SIZE_MB=32           size of the generated input of sha256sum and gzip
#   LOOP_ITERS=100000000 iterations of the integer loop (12 instructions each)
#   GO_SCALE=4           work factor of the Go program
#   WORKLOADS="intloop sha256sum gzip go"   which workloads to run
#   BUSYBOX=/bin/busybox Debian's busybox-static (installed with apt-get if missing and root)
#   STUB=path            use this redox-gdbstub binary instead of building one
#
# A workload a runner cannot run is reported as FAILS (with the exit status
# and the first line of its stderr) instead of a time; a run whose output
# differs from the native one is reported as WRONG OUTPUT.
set -uo pipefail

REPS=${REPS:-3}
SIZE_MB=${SIZE_MB:-32}
LOOP_ITERS=${LOOP_ITERS:-100000000}
GO_SCALE=${GO_SCALE:-4}
WORKLOADS=${WORKLOADS:-"intloop sha256sum gzip go"}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/redox-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf '%s\n' "$*" >&2; }

# ---- build -------------------------------------------------------------

stub=${STUB:-}
if [[ -z $stub ]]; then
	stub=$work/redox-gdbstub
	log "building redox-gdbstub"
	if ! (cd "$root" && go build -o "$stub" ./cmd/redox-gdbstub); then
		log "bench: cannot build redox-gdbstub"
		exit 1
	fi
fi

qemu=$(command -v qemu-x86_64 || true)
[[ -z $qemu ]] && log "bench: qemu-x86_64 not found; its column is n/a"

declare -A build_err # workload -> why it could not be built

intloop=$work/intloop
if command -v musl-gcc >/dev/null; then
	musl-gcc -static -O2 -o "$intloop" "$root/bench/workloads/intloop.c" 2>"$work/cc.err" ||
		build_err[intloop]="musl-gcc failed: $(head -n1 "$work/cc.err")"
else
	build_err[intloop]="musl-gcc not found"
fi

busybox=${BUSYBOX:-$(command -v busybox || true)}
if [[ -z $busybox && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
	log "installing busybox-static"
	apt-get install -y busybox-static >"$work/apt.log" 2>&1 || true
	busybox=$(command -v busybox || true)
fi
if [[ -z $busybox ]]; then
	build_err[sha256sum]="busybox not found (apt-get install busybox-static)"
	build_err[gzip]=${build_err[sha256sum]}
elif ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	log "bench: warning: $busybox may not be statically linked"
fi

data=$work/data.txt
if [[ -z ${build_err[sha256sum]:-} ]]; then
	cc=$(command -v gcc || command -v cc || command -v musl-gcc || true)
	if [[ -n $cc ]] && "$cc" -O2 -o "$work/gendata" "$root/bench/workloads/gendata.c" 2>"$work/cc.err"; then
		"$work/gendata" $((SIZE_MB * 1024 * 1024)) 42 >"$data"
	else
		build_err[sha256sum]="cannot build bench/workloads/gendata.c"
		build_err[gzip]=${build_err[sha256sum]}
	fi
fi

gobin=$work/gocpu
if ! (cd "$root" && CGO_ENABLED=0 GOAMD64=v1 go build -o "$gobin" ./bench/workloads/gocpu) 2>"$work/go.err"; then
	build_err[go]="go build failed: $(head -n1 "$work/go.err")"
fi

# ---- measuring ---------------------------------------------------------

declare -A result cpu insns refsum

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# runner_prefix RUNNER: the command words put before the workload.
runner_prefix() {
	case $1 in
	native) ;;
	qemu) printf '%s\n' "$qemu" ;;
	stub) printf '%s\n' "$stub" run --log-level info ;;
	esac
}

# timed_run RUNNER CMD...: one timed run, leaving stdout in $work/out,
# stderr in $work/err, the status in $work/status and the time in $work/time.
timed_run() {
	local runner=$1
	shift
	local -a prefix
	mapfile -t prefix < <(runner_prefix "$runner")
	local TIMEFORMAT='%R %U %S'
	{ time {
		"${prefix[@]}" "$@" <"$stdin_file" >"$work/out" 2>"$work/err"
		echo $? >"$work/status"
	}; } 2>"$work/times"
	awk '{print $1; printf "%.3f\n", $2 + $3}' "$work/times" | {
		read -r wall && read -r cpu
		echo "$wall" >"$work/time"
		echo "$cpu" >"$work/cputime"
	}
}

# guest_stderr: the run's stderr without the stub's own log lines.
guest_stderr() { grep -v '^time="' "$work/err" || true; }

# stub_warnings: a summary of the stub's warning and error log lines: the
# unimplemented syscalls by name, else the first message.
stub_warnings() {
	local sys
	sys=$(sed -nE 's/.*unimplemented syscall.* syscall=([a-z0-9_]+).*/\1/p' "$work/err" | awk '!seen[$0]++' | paste -sd, -)
	if [[ -n $sys ]]; then
		echo "unimplemented syscalls: $sys"
	else
		grep -m1 -E '^time=.* level=(warning|error)' "$work/err" | sed -E 's/^time="[^"]*" level=//' | cut -c1-90
	fi
}

# run_workload NAME CMD...: measures NAME under every runner.
run_workload() {
	local name=$1
	shift
	if [[ -n ${build_err[$name]:-} ]]; then
		for r in native qemu stub; do result[$name,$r]="FAILS (not built: ${build_err[$name]})"; done
		return
	fi
	local runner i
	for runner in native qemu stub; do
		if [[ $runner == qemu && -z $qemu ]]; then
			result[$name,qemu]="n/a"
			continue
		fi
		local times=() cputimes=()
		for ((i = 0; i < REPS; i++)); do
			timed_run "$runner" "$@"
			local status t sum
			status=$(<"$work/status")
			t=$(<"$work/time")
			sum=$(md5sum <"$work/out" | cut -d' ' -f1)
			[[ $runner == native ]] && refsum[$name]=$sum
			if [[ $status != 0 ]]; then
				local why
				why="exit status $status"
				local line
				line=$(guest_stderr | head -n1 | cut -c1-80)
				[[ -n $line ]] && why+=": $line"
				if [[ $runner == stub ]]; then
					line=$(stub_warnings)
					[[ -n $line ]] && why+=" [stub: $line]"
				fi
				result[$name,$runner]="FAILS ($why)"
				log "  $name $runner: FAILS ($why)"
				continue 2
			fi
			if [[ $sum != "${refsum[$name]}" ]]; then
				result[$name,$runner]="WRONG OUTPUT (stdout differs from native; exit 0)"
				log "  $name $runner: WRONG OUTPUT"
				continue 2
			fi
			if [[ $runner == stub ]]; then
				insns[$name]=$(grep -m1 'program exited' "$work/err" | sed -nE 's/.*instructions=([0-9]+).*/\1/p')
			fi
			times+=("$t")
			cputimes+=("$(<"$work/cputime")")
			log "  $name $runner rep $((i + 1))/$REPS: ${t}s wall, $(<"$work/cputime")s cpu"
		done
		result[$name,$runner]=$(printf '%s\n' "${times[@]}" | median)
		cpu[$name,$runner]=$(printf '%s\n' "${cputimes[@]}" | median)
	done
}

stdin_file=/dev/null
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
log "repetitions: $REPS (median reported)"
for w in $WORKLOADS; do
	log "workload $w"
	case $w in
	intloop) run_workload intloop "$intloop" "$LOOP_ITERS" ;;
	sha256sum) run_workload sha256sum "${busybox:-busybox}" sha256sum "$data" ;;
	gzip) run_workload gzip "${busybox:-busybox}" gzip -c "$data" ;;
	go) run_workload go "$gobin" "$GO_SCALE" ;;
	*) log "bench: unknown workload $w" ;;
	esac
done

# ---- table -------------------------------------------------------------

isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
ratio() { if isnum "$1" && isnum "$2" && awk -v b="$2" 'BEGIN {exit !(b > 0)}'; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1fx", a / b}'; else echo "-"; fi; }
cell() { if isnum "$1"; then printf '%.3f' "$1"; else printf '%s' "$1"; fi; }

declare -A desc=(
	[intloop]="intloop (C xorshift, musl -O2, $LOOP_ITERS iters)"
	[sha256sum]="busybox sha256sum ${SIZE_MB} MB"
	[gzip]="busybox gzip -c ${SIZE_MB} MB"
	[go]="Go gocpu $GO_SCALE (CGO_ENABLED=0 GOAMD64=v1)"
)

# table KIND: KIND is wall (the result array) or cpu.
table() {
	local kind=$1 w n q s mips r v
	echo
	echo "$kind time (median of $REPS):"
	echo
	echo "| workload | native s | qemu s | stub s | stub/native | stub/qemu | stub guest MIPS |"
	echo "|---|---|---|---|---|---|---|"
	for w in $WORKLOADS; do
		if [[ $kind == wall ]]; then
			n=${result[$w,native]:-} q=${result[$w,qemu]:-} s=${result[$w,stub]:-}
		else
			n=${cpu[$w,native]:-${result[$w,native]:-}} q=${cpu[$w,qemu]:-${result[$w,qemu]:-}} s=${cpu[$w,stub]:-${result[$w,stub]:-}}
		fi
		mips="-"
		if isnum "$s" && [[ -n ${insns[$w]:-} ]]; then
			mips=$(awk -v i="${insns[$w]}" -v t="$s" 'BEGIN {if (t > 0) printf "%.0f", i / t / 1e6; else print "-"}')
		fi
		# Long failure reasons go below the tables.
		for r in n q s; do
			v=${!r}
			if ! isnum "$v" && [[ ${#v} -gt 40 ]]; then
				printf -v "$r" '%s' "${v%% (*} (see below)"
			fi
		done
		echo "| ${desc[$w]:-$w} | $(cell "$n") | $(cell "$q") | $(cell "$s") | $(ratio "$s" "$n") | $(ratio "$s" "$q") | $mips |"
	done
}

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
table cpu
table wall
notes=()
for w in $WORKLOADS; do
	for r in native qemu stub; do
		v=${result[$w,$r]:-}
		if ! isnum "$v" && [[ ${#v} -gt 40 ]]; then notes+=("$w ($r): $v"); fi
	done
done
if ((${#notes[@]})); then
	echo
	for l in "${notes[@]}"; do echo "- $l"; done
fi
echo
echo "cpu = user+sys seconds of the run (steadier on a shared machine), wall = elapsed seconds;"
echo "ratios are of the medians. MIPS = guest instructions counted by the emulator / stub time."
for w in $WORKLOADS; do
	if [[ -n ${insns[$w]:-} ]]; then echo "$w: ${insns[$w]} guest instructions"; fi
done
