// Command redox-gdbstub is a GDB remote stub that runs static x86_64 Linux
// programs in its own emulator, with gdbserver's command line:
//
//	redox-gdbstub [--once] [--log-level LEVEL] [--remote-debug] COMM [PROG [ARGS...]]
//	redox-gdbstub --multi [--log-level LEVEL] [--remote-debug] COMM [PROG [ARGS...]]
//	redox-gdbstub run [--log-level LEVEL] PROG [ARGS...]
//	redox-gdbstub strace [-f] [-k] [-o FILE] [-e trace=NAME[,NAME...]] PROG [ARGS...]
//
// COMM is HOST:PORT, :PORT (127.0.0.1 only) or - (the protocol runs over
// stdin/stdout and the program's output goes to stderr). Without PROG the
// bundled demo program is served. With --multi (gdb's "target
// extended-remote") the stub starts PROG if given, otherwise waits for gdb's
// "run", and stays up across runs until "monitor exit" (multi.go).
package main

//go:generate sh -c "cd ../.. && musl-gcc -static -g -O0 -fdebug-prefix-map=$(pwd)=. -o cmd/redox-gdbstub/demo/demo cmd/redox-gdbstub/demo/demo.c"

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
	"github.com/redox-gdbstub/redox-gdbstub/rsp"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// demoImage is the bundled demo program (demo/demo.c, built by go generate).
//
//go:embed demo/demo
var demoImage []byte

const progName = "redox-gdbstub"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the parsed command line.
type options struct {
	once        bool
	multi       bool
	logLevel    string
	maxMemory   memSize
	remoteDebug bool
	rle         bool
	comm        string
	prog        string // empty: the bundled demo
	args        []string
}

// errUsage asks for the usage text.
var errUsage = errors.New("usage")

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.once, "once", false, "exit when the first debugger disconnects (otherwise a stopped program waits for the next)")
	guestFlags(fs, &o.logLevel, &o.maxMemory)
	fs.BoolVar(&o.multi, "multi", false, multiUsage)
	fs.BoolVar(&o.remoteDebug, "remote-debug", false, "log every remote protocol packet")
	fs.BoolVar(&o.rle, "rle", false, "run-length encode replies (as gdbserver does)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [--once] [--multi] [--log-level LEVEL] [--remote-debug] [--rle] [--max-memory SIZE] COMM [PROG [ARGS...]]\n"+
			"  COMM is HOST:PORT, :PORT (binds 127.0.0.1) or - (stdin/stdout).\n"+
			"  Without PROG, the bundled demo program is debugged.\n", progName)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return o, errors.New("missing COMM argument")
	}
	o.comm = rest[0]
	if len(rest) > 1 {
		o.prog = rest[1]
		o.args = rest[2:]
	}
	return o, nil
}

// run is main without os.Exit, for tests. It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == runSubcommand {
		return runCommand(args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == straceSubcommand {
		return straceCommand(args[1:], stdin, stdout, stderr)
	}
	o, err := parseArgs(args, stderr)
	if errors.Is(err, errUsage) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return 1
	}
	if err := serve(o, stdin, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName, err)
		return 1
	}
	return 0
}

// guestFlags registers the flags of every subcommand that runs a guest.
func guestFlags(fs *flag.FlagSet, logLevel *string, maxMemory *memSize) {
	fs.StringVar(logLevel, "log-level", "warning", "log level: panic, fatal, error, warning, info, debug, trace")
	*maxMemory = defaultMaxMemory()
	fs.Var(maxMemory, "max-memory", maxMemoryUsage)
}

// parseFlags parses a subcommand's flags; -h and --help become errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	return nil
}

func newLogger(o options, stderr io.Writer) (*logrus.Logger, error) {
	log := logrus.New()
	log.SetOutput(stderr)
	lvl, err := logrus.ParseLevel(o.logLevel)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	// --remote-debug logs packets at level info: make sure they show even
	// with the default level (gdbserver's --remote-debug needs nothing else).
	if o.remoteDebug && lvl < logrus.InfoLevel {
		lvl = logrus.InfoLevel
	}
	log.SetLevel(lvl)
	return log, nil
}

// serve loads the program, waits for the debugger and serves it.
func serve(o options, stdin io.Reader, stdout, stderr io.Writer) error {
	log, err := newLogger(o, stderr)
	if err != nil {
		return err
	}
	if o.multi {
		return serveMulti(o, log, stdin, stdout, stderr)
	}
	// Validate COMM before loading anything.
	addr, stdio, err := parseComm(o.comm)
	if err != nil {
		return err
	}

	prog, err := loadProgram(o)
	if err != nil {
		return err
	}
	defer prog.cleanup()
	stopSignals := cleanupOnSignal(prog.cleanup, stderr)
	defer stopSignals()

	guestIn, guestOut, guestErr := stdin, stdout, stderr
	if stdio {
		// stdin/stdout carry the protocol.
		guestIn, guestOut = eofReader{}, stderr
	}
	proc, err := target.Load(target.Config{
		Path:   prog.path,
		Image:  prog.image,
		Args:   append([]string{prog.argv0}, o.args...),
		Env:    os.Environ(),
		Stdin:  guestIn,
		Stdout: guestOut,
		Stderr: guestErr,
		Log:    log.WithField("component", "target"),

		MaxMemory: uint64(o.maxMemory),
	})
	if err != nil {
		return fmt.Errorf("%s: %w", prog.argv0, err)
	}
	tr, err := ptrace.Open(proc, ptrace.Options{StopOnOpen: true, Log: log.WithField("component", "ptrace")})
	if err != nil {
		return fmt.Errorf("trace %s: %w", prog.argv0, err)
	}
	fmt.Fprintf(stderr, "Process %s created; pid = %d\n", prog.argv0, proc.Pid)

	ln, err := listen(addr, stdio, stdin, stdout, stderr)
	if err != nil {
		tr.Kill(9)
		tr.Close()
		return err
	}
	defer ln.close()
	// Without --once, a debugger that disconnects from a stopped, live
	// process leaves it for the next one, as gdbserver does.
	keep := !o.once && !stdio
	var outcome rsp.Outcome
	for {
		conn, err := ln.accept()
		if err != nil {
			tr.Kill(9)
			tr.Close()
			return err
		}
		sess := rsp.NewSession(tr, rsp.Config{Log: log, RemoteDebug: o.remoteDebug, KeepOnDisconnect: keep, RLE: o.rle})
		outcome, err = sess.Serve(conn)
		log.WithField("outcome", outcome).Info("session ended")
		if err != nil {
			log.WithError(err).Warn("remote protocol")
		}
		_, exited := proc.ExitStatus()
		if outcome != rsp.OutcomeDisconnected || !keep || exited || sess.Exited() {
			break
		}
		fmt.Fprintln(stderr, "Remote side has terminated connection.  GDBserver will reopen the connection.")
	}
	// Let the tracee finish exiting (it may be parked at its exit stop).
	select {
	case <-tr.Done():
	case <-time.After(5 * time.Second):
		log.Warn("program still running at exit")
	}
	if status, exited := proc.ExitStatus(); exited && outcome != rsp.OutcomeKilled {
		if sig := status & 0x7f; sig != 0 {
			fmt.Fprintf(stderr, "\nChild terminated with signal = %d\n", sig)
		} else {
			fmt.Fprintf(stderr, "\nChild exited with status %d\n", (status>>8)&0xff)
		}
	}
	return nil
}

// eofReader is the guest's stdin when the protocol uses the stub's stdin.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// cleanupOnSignal removes the unpacked demo when the stub is terminated by
// SIGINT, SIGTERM or SIGHUP (the emulated program dies with the stub). The
// returned function uninstalls the handler.
func cleanupOnSignal(cleanup func(), stderr io.Writer) func() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			cleanup()
			fmt.Fprintf(stderr, "%s: %v\n", progName, sig)
			os.Exit(128 + int(sig.(syscall.Signal)))
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
