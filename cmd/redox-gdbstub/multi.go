package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
	"github.com/redox-gdbstub/redox-gdbstub/rsp"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

// --multi: gdbserver's multi-process mode, for gdb's "target
// extended-remote". The stub starts with or without a program and stays
// up across runs and connections; gdb starts programs with "run" (vRun),
// and "monitor exit" ends the stub.

// launcher starts programs for rsp.Session (rsp.Launcher).
type launcher struct {
	log                      *logrus.Logger
	o                        options
	stdin                    io.Reader
	stdout, stderr           io.Writer
	defaultPath, defaultArg0 string
	defaultImage             []byte
}

// launch loads req's program stopped at its entry point.
func (l *launcher) launch(req rsp.LaunchRequest) (rsp.Tracer, error) {
	path, argv0, image := req.Path, req.Path, []byte(nil)
	if path == "" {
		if l.defaultPath == "" {
			return nil, errors.New("no program to run (set remote exec-file)")
		}
		path, argv0, image = l.defaultPath, l.defaultArg0, l.defaultImage
	} else {
		abs, err := resolve(path)
		if err != nil {
			return nil, err
		}
		if err := checkELF(abs); err != nil {
			return nil, err
		}
		path = abs
	}
	var host target.Host
	if req.Dir != "" {
		st, err := os.Stat(req.Dir)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("working directory %q: not a directory", req.Dir)
		}
		host = dirHost{Host: target.NewOSHost(), dir: req.Dir}
	}
	proc, err := target.Load(target.Config{
		Path:      path,
		Image:     image,
		Args:      append([]string{argv0}, req.Args...),
		Env:       req.Env,
		Stdin:     l.stdin,
		Stdout:    l.stdout,
		Stderr:    l.stderr,
		Log:       l.log.WithField("component", "target"),
		MaxMemory: uint64(l.o.maxMemory),
		Host:      host,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", argv0, err)
	}
	tr, err := ptrace.Open(proc, ptrace.Options{StopOnOpen: true, Log: l.log.WithField("component", "ptrace")})
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", argv0, err)
	}
	fmt.Fprintf(l.stderr, "Process %s created; pid = %d\n", argv0, proc.Pid)
	return tr, nil
}

// dirHost is the host seen from another working directory (QSetWorkingDir):
// relative paths are resolved against dir.
type dirHost struct {
	target.Host
	dir string
}

func (h dirHost) abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(h.dir, p)
}

func (h dirHost) Open(p string, flags int, mode uint32) (target.HostFile, error) {
	return h.Host.Open(h.abs(p), flags, mode)
}
func (h dirHost) Stat(p string, follow bool) (target.Stat, error) {
	return h.Host.Stat(h.abs(p), follow)
}
func (h dirHost) Readlink(p string) (string, error)  { return h.Host.Readlink(h.abs(p)) }
func (h dirHost) Access(p string, mode uint32) error { return h.Host.Access(h.abs(p), mode) }
func (h dirHost) Getwd() (string, error)             { return filepath.Abs(h.dir) }

// consoleStrace formats a tracee's stops for "monitor strace on" with the
// strace subcommand's formatter, one tracee state per trace session.
type consoleStrace struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	st      *stracer
	tracees map[*ptrace.Session]*tracee
}

func newConsoleStrace() *consoleStrace {
	c := &consoleStrace{tracees: map[*ptrace.Session]*tracee{}}
	c.st = &stracer{w: &c.buf}
	return c
}

// format is an rsp.SyscallFormatter.
func (c *consoleStrace) format(t rsp.Tracer, ev ptrace.Event) string {
	s, ok := t.(*ptrace.Session)
	if !ok {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tc := c.tracees[s]
	if tc == nil {
		tc = &tracee{s: s, pid: s.Pid(), calls: map[int]*pendingCall{}}
		c.tracees[s] = tc
	}
	c.buf.Reset()
	c.st.handle(tc, []ptrace.Event{ev})
	if ev.Cause&ptrace.StopExit != 0 {
		delete(c.tracees, s)
	}
	return c.buf.String()
}

// serveMulti serves extended-remote sessions until "monitor exit".
func serveMulti(o options, log *logrus.Logger, stdin io.Reader, stdout, stderr io.Writer) error {
	addr, stdio, err := parseComm(o.comm)
	if err != nil {
		return err
	}
	l := &launcher{log: log, o: o, stdin: stdin, stdout: stdout, stderr: stderr}
	if stdio {
		l.stdin, l.stdout = eofReader{}, stderr
	}
	if o.prog != "" {
		prog, err := loadProgram(o)
		if err != nil {
			return err
		}
		defer prog.cleanup()
		l.defaultPath, l.defaultArg0, l.defaultImage = prog.path, prog.argv0, prog.image
	}
	ln, err := listen(addr, stdio, stdin, stdout, stderr)
	if err != nil {
		return err
	}
	defer ln.close()
	strace := newConsoleStrace()
	cfg := rsp.Config{Log: log, RemoteDebug: o.remoteDebug, RLE: o.rle,
		Launcher: l.launch, Env: os.Environ(), SyscallFormatter: strace.format}
	first := true
	for {
		conn, err := ln.accept()
		if err != nil {
			return err
		}
		var sess *rsp.Session
		if first && o.prog != "" {
			// The program on the command line is started at once, as
			// gdbserver --multi does.
			tr, lerr := l.launch(rsp.LaunchRequest{Args: o.args, Env: os.Environ()})
			if lerr != nil {
				conn.Close()
				return lerr
			}
			sess = rsp.NewSession(tr, cfg)
		} else {
			sess = rsp.NewIdleSession(cfg)
		}
		first = false
		outcome, err := sess.Serve(conn)
		log.WithField("outcome", outcome).Info("session ended")
		if err != nil {
			log.WithError(err).Warn("remote protocol")
		}
		if outcome == rsp.OutcomeKilled || stdio || o.once {
			// "monitor exit" (k and vKill keep an extended session up).
			return nil
		}
		fmt.Fprintln(stderr, "Remote side has terminated connection.  GDBserver will reopen the connection.")
	}
}

// multiUsage documents --multi.
var multiUsage = strings.TrimSpace(`
start without a program (or keep PROG as the default) and stay up across runs for "target extended-remote"`)
