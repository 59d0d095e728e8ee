package main

import (
	"bytes"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// benchLoopIters is the integer loop's size per benchmark operation:
// 12 guest instructions per iteration, about 0.5-1 s under the emulator.
const benchLoopIters = 10_000_000

// BenchmarkRunIntLoop runs bench/workloads/intloop.c (musl-gcc -static -O2)
// in-process through the run subcommand's runGuest, and in the same
// benchmark run times the same binary natively and under qemu-x86_64
// (exec'd, outside the benchmark timer). Metrics:
//
//	guest-MIPS    guest instructions (emulator counter) per wall second
//	guest-MIPS-cpu  the same per CPU second of this process (steadier when
//	              the machine is shared)
//	stub/native   stub time / native time (wall)
//	stub/qemu     stub time / qemu-x86_64 time (wall; absent if qemu is missing outside CI)
//	stub/native-cpu, stub/qemu-cpu  the same ratios of user+system CPU time
//
// Run: go test -run '^$' -bench RunIntLoop ./cmd/redox-gdbstub
func BenchmarkRunIntLoop(b *testing.B) {
	cc := needMusl(b)
	bin := buildGuest(b, cc, b.TempDir(), "intloop", mustRead(b, filepath.Join("..", "..", "bench", "workloads", "intloop.c")))
	iters := strconv.Itoa(benchLoopIters)

	want, err := exec.Command(bin, iters).Output()
	if err != nil {
		b.Fatalf("native %s: %v", bin, err)
	}
	qemu, err := exec.LookPath("qemu-x86_64")
	if err != nil {
		if testenv.RequireTools() {
			b.Fatalf("qemu-x86_64 is required under CI: %v", err)
		}
		b.Logf("qemu-x86_64 not found, no stub/qemu ratio: %v", err)
		qemu = ""
	}
	log := logrus.New()
	log.SetLevel(logrus.ErrorLevel)

	var stubTime, stubCPU time.Duration
	var native, emul runTimes
	var insns uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out, errb bytes.Buffer
		start, cstart := time.Now(), processCPU()
		res, err := runGuest(guestSpec{
			path: bin, argv: []string{bin, iters},
			stdin: bytes.NewReader(nil), stdout: &out, stderr: &errb, log: log,
		})
		stubTime += time.Since(start)
		stubCPU += processCPU() - cstart
		if err != nil || res.exitCode() != 0 || !bytes.Equal(out.Bytes(), want) {
			b.Fatalf("stub run: %v, status %#x, stdout %q (want %q), stderr %q", err, res.waitStatus, out.String(), want, errb.String())
		}
		insns += res.instructions

		b.StopTimer()
		native.add(timeExec(b, bin, iters))
		if qemu != "" {
			emul.add(timeExec(b, qemu, bin, iters))
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(insns)/stubTime.Seconds()/1e6, "guest-MIPS")
	b.ReportMetric(float64(insns)/stubCPU.Seconds()/1e6, "guest-MIPS-cpu")
	b.ReportMetric(stubTime.Seconds()/native.wall.Seconds(), "stub/native")
	b.ReportMetric(stubCPU.Seconds()/native.cpu.Seconds(), "stub/native-cpu")
	if qemu != "" {
		b.ReportMetric(stubTime.Seconds()/emul.wall.Seconds(), "stub/qemu")
		b.ReportMetric(stubCPU.Seconds()/emul.cpu.Seconds(), "stub/qemu-cpu")
	}
}

// runTimes accumulates wall and user+system CPU time.
type runTimes struct{ wall, cpu time.Duration }

func (t *runTimes) add(u runTimes) { t.wall += u.wall; t.cpu += u.cpu }

// timeExec runs a command with its output discarded and returns its times.
func timeExec(b *testing.B, name string, args ...string) runTimes {
	b.Helper()
	cmd := exec.Command(name, args...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v", name, args, err)
	}
	return runTimes{time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// BenchmarkRunBusybox runs Debian's static BusyBox (glibc) sha256sum and
// gzip -c over 4 MB of bench/workloads/gendata.c output in-process, for
// profiles of real code (memory access, calls, string instructions):
//
//	go test -run '^$' -bench RunBusybox -cpuprofile cpu.prof ./cmd/redox-gdbstub
func BenchmarkRunBusybox(b *testing.B) {
	busybox := testenv.Tool(b, "busybox")
	cc := needMusl(b)
	dir := b.TempDir()
	gen := buildGuest(b, cc, dir, "gendata", mustRead(b, filepath.Join("..", "..", "bench", "workloads", "gendata.c")))
	data := filepath.Join(dir, "data.txt")
	out, err := exec.Command(gen, strconv.Itoa(4<<20), "42").Output()
	if err != nil {
		b.Fatalf("gendata: %v", err)
	}
	if err := os.WriteFile(data, out, 0o644); err != nil {
		b.Fatal(err)
	}
	log := logrus.New()
	log.SetLevel(logrus.ErrorLevel)
	for _, applet := range [][]string{{"sha256sum", data}, {"gzip", "-c", data}} {
		b.Run(applet[0], func(b *testing.B) {
			argv := append([]string{"busybox"}, applet...)
			want, err := exec.Command(busybox, applet...).Output()
			if err != nil {
				b.Fatalf("native busybox %v: %v", applet, err)
			}
			var insns uint64
			var stubCPU time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var stdout, stderr bytes.Buffer
				cstart := processCPU()
				res, err := runGuest(guestSpec{
					path: busybox, argv: argv,
					stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, log: log,
				})
				stubCPU += processCPU() - cstart
				if err != nil || res.exitCode() != 0 || !bytes.Equal(stdout.Bytes(), want) {
					b.Fatalf("stub busybox %v: %v, status %#x, stderr %q, stdout matches: %v",
						applet, err, res.waitStatus, stderr.String(), bytes.Equal(stdout.Bytes(), want))
				}
				insns += res.instructions
			}
			b.StopTimer()
			b.ReportMetric(float64(insns)/stubCPU.Seconds()/1e6, "guest-MIPS-cpu")
		})
	}
}

// BenchmarkRunGo runs bench/workloads/gocpu (CGO_ENABLED=0 GOAMD64=v1,
// scale 1) in-process: a static Go binary with the runtime's threads,
// futexes and signals, for profiles of that code mix.
func BenchmarkRunGo(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "gocpu")
	cmd := exec.Command("go", "build", "-o", bin, "../../bench/workloads/gocpu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build gocpu: %v\n%s", err, out)
	}
	want, err := exec.Command(bin).Output()
	if err != nil {
		b.Fatalf("native gocpu: %v", err)
	}
	log := logrus.New()
	log.SetLevel(logrus.ErrorLevel)
	var insns uint64
	var stubCPU time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var stdout, stderr bytes.Buffer
		cstart := processCPU()
		res, err := runGuest(guestSpec{
			path: bin, argv: []string{bin},
			stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, log: log,
		})
		stubCPU += processCPU() - cstart
		if err != nil || res.exitCode() != 0 || !bytes.Equal(stdout.Bytes(), want) {
			b.Fatalf("stub gocpu: %v, status %#x, stdout %q (want %q), stderr %.300q",
				err, res.waitStatus, stdout.String(), want, stderr.String())
		}
		insns += res.instructions
	}
	b.StopTimer()
	b.ReportMetric(float64(insns)/stubCPU.Seconds()/1e6, "guest-MIPS-cpu")
}
