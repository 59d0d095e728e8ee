package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// The `run` subcommand runs a program in the emulator without a debugger,
// as qemu-x86_64 does:
//
//	redox-gdbstub run [--log-level LEVEL] PROG [ARGS...]
//
// The guest gets the stub's stdin, stdout, stderr and environment. The stub
// exits with the guest's exit code, or with 128+N when the guest is killed
// by signal N (what a shell reports), and prints nothing of its own unless
// --log-level asks for it. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to the
// stub are passed on to the guest.
//
// Exit statuses of the stub itself: 127 when PROG is not found, 126 when it
// cannot be loaded (not a static x86_64 ELF executable), 2 for a bad
// command line, 1 when the emulation fails.

// runSubcommand is the word that selects the run subcommand.
const runSubcommand = "run"

// Exit statuses for failures of the stub rather than the guest.
const (
	exitRunUsage    = 2
	exitRunFailed   = 1
	exitNotFound    = 127
	exitCannotLoad  = 126
	exitSignalShift = 128
)

// runOptions are the parsed `run` command line.
type runOptions struct {
	logLevel  string
	maxMemory memSize
	prog      string
	args      []string
}

func parseRunArgs(args []string, stderr io.Writer) (runOptions, error) {
	var o runOptions
	fs := flag.NewFlagSet(progName+" run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	guestFlags(fs, &o.logLevel, &o.maxMemory)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s run [--log-level LEVEL] [--max-memory SIZE] PROG [ARGS...]\n"+
			"  Runs PROG in the emulator without a debugger; the exit status is PROG's\n"+
			"  (128+N when PROG is killed by signal N).\n", progName)
		fs.PrintDefaults()
	}
	// Flags stop at PROG: everything after it belongs to the guest.
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return o, errors.New("run: missing PROG")
	}
	o.prog, o.args = rest[0], rest[1:]
	return o, nil
}

// runCommand is `redox-gdbstub run ...` without os.Exit. It returns the
// stub's exit status.
func runCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseRunArgs(args, stderr)
	if errors.Is(err, errUsage) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitRunUsage
	}
	log, err := newLogger(options{logLevel: o.logLevel}, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitRunUsage
	}
	path, err := resolve(o.prog)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitNotFound
	}
	if err := checkELF(path); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitCannotLoad
	}
	res, err := runGuest(guestSpec{
		maxMemory: uint64(o.maxMemory),
		path:      path,
		argv:      append([]string{o.prog}, o.args...),
		env:       os.Environ(),
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		log:       log,
		// Harmless in-process too (tests): forwarding ends with the run.
		forwardSignals: true,
	})
	if err != nil {
		var le *loadError
		if errors.As(err, &le) {
			fmt.Fprintf(stderr, "%s: %v\n", progName, err)
			return exitCannotLoad
		}
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return exitRunFailed
	}
	log.WithFields(logrus.Fields{
		"status":       fmt.Sprintf("%#x", res.waitStatus),
		"instructions": res.instructions,
	}).Info("program exited")
	return res.exitCode()
}

// guestSpec says what to run and with which host streams.
type guestSpec struct {
	path           string // host path of the executable
	argv           []string
	env            []string
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *logrus.Logger
	forwardSignals bool
	maxMemory      uint64 // 0: target's default
}

// guestResult is how a guest run ended.
type guestResult struct {
	waitStatus   int    // Linux wait status: code<<8, or the terminating signal
	instructions uint64 // guest instructions executed by the threads alive at the exit
}

// exitCode is the status a shell would report: the exit code, or 128+N
// for a guest killed by signal N.
func (r guestResult) exitCode() int {
	if sig := r.waitStatus & 0x7f; sig != 0 {
		return exitSignalShift + sig
	}
	return (r.waitStatus >> 8) & 0xff
}

// loadError marks a failure to load the executable (as opposed to a failure
// while running it).
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// runGuest loads the program and runs it to completion.
//
// It goes through a ptrace session rather than calling target directly, so
// that `run` exercises the same layering as the debugger. This costs
// nothing measurable: the session's runner goroutine makes one Resume call
// that lasts until the exit stop, and this goroutine just waits for it.
func runGuest(g guestSpec) (guestResult, error) {
	var res guestResult
	log := g.log
	if log == nil {
		log = logrus.New()
		log.SetLevel(logrus.WarnLevel)
	}
	proc, err := target.Load(target.Config{
		Path:   g.path,
		Args:   g.argv,
		Env:    g.env,
		Stdin:  g.stdin,
		Stdout: g.stdout,
		Stderr: g.stderr,
		Log:    log.WithField("component", "target"),

		MaxMemory: g.maxMemory,
	})
	if err != nil {
		return guestResult{}, &loadError{err}
	}
	// The instruction counters live in the threads' CPUs, which the process
	// no longer lists once it has exited: they are read at the exit stop.
	cpus := map[*target.Thread]bool{}
	for _, t := range proc.Threads() {
		cpus[t] = true
	}

	tr, err := ptrace.Open(proc, ptrace.Options{Log: log.WithField("component", "ptrace")})
	if err != nil {
		return guestResult{}, fmt.Errorf("trace %s: %w", g.path, err)
	}
	defer tr.Close()

	if g.forwardSignals {
		stop := forwardSignals(tr)
		defer stop()
	}

	// Only STOP_EXIT is armed: the tracee runs unobserved until it is about
	// to exit, where its threads' instruction counters are read; then
	// Next with nothing armed (Redox's write(0), "run to completion")
	// lets it go, and reports ESRCH.
	// TODO(target): threads that exited before the process are not
	// counted (target keeps their count in an unexported field); an
	// exported Process.InstructionsExecuted would make this exact.
	ev, err := tr.Next(ptrace.StopExit)
	if err == nil && ev.Cause&ptrace.StopExit != 0 {
		for _, t := range proc.Threads() {
			cpus[t] = true
		}
		var n uint64
		for t := range cpus {
			n += t.CPU.InstructionsExecuted()
		}
		res.instructions = n
		ev, err = tr.Next(0)
	}
	if err == nil {
		return guestResult{}, fmt.Errorf("run %s: unexpected stop %v", g.path, ev)
	}
	if !errors.Is(err, syscall.ESRCH) {
		return guestResult{}, fmt.Errorf("run %s: %w", g.path, err)
	}
	status, exited := tr.ExitStatus()
	if !exited {
		return guestResult{}, fmt.Errorf("run %s: tracee gone without an exit status: %w", g.path, err)
	}
	res.waitStatus = status
	// Background processes the program left (a shell's "cmd &") run on to
	// their end, as on Linux, where they would outlive it.
	proc.RunOrphans()
	return res, nil
}

// forwardSignals passes the terminal and termination signals the stub
// receives to the guest, as qemu-x86_64 does; the guest's own disposition
// (default: death) then decides. The returned function stops forwarding.
func forwardSignals(tr *ptrace.Session) func() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				tr.Kill(int(sig.(syscall.Signal)))
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
