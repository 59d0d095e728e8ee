package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// parseComm decodes COMM: "-" (stdio), ":PORT" (127.0.0.1), "HOST:PORT".
// It returns the address to listen on.
func parseComm(comm string) (addr string, stdio bool, err error) {
	if comm == "-" || comm == "stdio" {
		return "", true, nil
	}
	host, port, err := net.SplitHostPort(comm)
	if err != nil {
		return "", false, fmt.Errorf("bad COMM %q: want HOST:PORT, :PORT or -", comm)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return "", false, fmt.Errorf("bad port %q in %q", port, comm)
	}
	if host == "" {
		host = "127.0.0.1" // never all interfaces by default
	}
	return net.JoinHostPort(host, port), false, nil
}

// listener hands out debugger connections: stdio once, or TCP.
type listener struct {
	stdio  bool
	ln     net.Listener
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	used   bool
}

func listen(addr string, stdio bool, stdin io.Reader, stdout, stderr io.Writer) (*listener, error) {
	l := &listener{stdio: stdio, stdin: stdin, stdout: stdout, stderr: stderr}
	if stdio {
		return l, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			// gdb's testsuite looks for this exact text to retry.
			return nil, errors.New("Can't bind address: Address already in use.")
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	l.ln = ln
	return l, nil
}

// accept waits for the next debugger connection.
func (l *listener) accept() (io.ReadWriteCloser, error) {
	if l.stdio {
		if l.used {
			return nil, errors.New("stdio connection already used")
		}
		l.used = true
		fmt.Fprintln(l.stderr, "Remote debugging using stdio")
		return stdioConn{l.stdin, l.stdout}, nil
	}
	fmt.Fprintf(l.stderr, "Listening on port %d\n", l.ln.Addr().(*net.TCPAddr).Port)
	conn, err := l.ln.Accept()
	if err != nil {
		return nil, fmt.Errorf("accept: %w", err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	host, port, _ := net.SplitHostPort(conn.RemoteAddr().String())
	fmt.Fprintf(l.stderr, "Remote debugging from host %s, port %s\n", strings.TrimPrefix(host, "::ffff:"), port)
	return conn, nil
}

func (l *listener) close() {
	if l.ln != nil {
		l.ln.Close()
	}
}

// stdioConn is the protocol over the stub's stdin and stdout.
type stdioConn struct {
	io.Reader
	io.Writer
}

func (c stdioConn) Close() error {
	if cl, ok := c.Reader.(io.Closer); ok {
		cl.Close()
	}
	return nil
}
