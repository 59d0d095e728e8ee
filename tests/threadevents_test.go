package tests

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestThreadEvents checks QThreadEvents at the packet level with a small
// Go client (gdb 13 enables thread events only in situations a batch
// script cannot set up, and gdbserver 13 crashes when they are forced
// with "maint packet"): after QThreadEvents:1, a continue reports every
// new thread as "T05create:;...thread:NEW" and every thread's end as
// "w00;pPID.TID", each thread seen created before it exits, and the
// process exit as W00.
func TestThreadEvents(t *testing.T) {
	c, srv := dialStub(t, "nonstop")
	if r := c.call("qSupported:multiprocess+;QThreadEvents+"); !strings.Contains(r, "QThreadEvents+") {
		t.Fatalf("qSupported reply %q lacks QThreadEvents+", r)
	}
	if r := c.call("QThreadEvents:1"); r != "OK" {
		t.Fatalf("QThreadEvents:1 = %q", r)
	}
	create := regexp.MustCompile(`^T05create:;.*thread:p[0-9a-f]+\.([0-9a-f]+);`)
	exit := regexp.MustCompile(`^w00;p[0-9a-f]+\.([0-9a-f]+)$`)
	created := map[string]bool{}
	exited := 0
	for i := 0; i < 100; i++ {
		r := c.call("vCont;c")
		if m := create.FindStringSubmatch(r); m != nil {
			created[m[1]] = true
			continue
		}
		if m := exit.FindStringSubmatch(r); m != nil {
			if !created[m[1]] {
				t.Errorf("thread %s exited without a create event before", m[1])
			}
			exited++
			continue
		}
		if strings.HasPrefix(r, "W00") {
			break
		}
		t.Fatalf("unexpected stop reply %q", r)
	}
	if len(created) != 4 || exited != 4 {
		t.Errorf("%d threads created and %d exits reported; want the 4 workers", len(created), exited)
	}
	c.conn.Close()
	srv.stop(exitGrace) // the output is copied from the stub asynchronously
	if out := srv.stdout.String(); out != "counter 30\n" {
		t.Errorf("program output %q", out)
	}
}

// dialStub starts the stub on guest and connects a packetClient to it;
// both are closed when the test ends.
func dialStub(t *testing.T, guest string) (*packetClient, *serverProc) {
	t.Helper()
	needTools(t)
	needStub(t)
	if err := suite.guestErr[guest]; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	t.Cleanup(cancel)
	srv, err := startServer(ctx, []string{suite.stub, "--once", "127.0.0.1:0", suite.guests[guest]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.stop(exitGrace) })
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", srv.port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &packetClient{conn: conn, r: bufio.NewReader(conn)}, srv
}

// packetClient is a minimal RSP client (acks on, no RLE from the stub).
type packetClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func (c *packetClient) call(p string) string {
	var sum byte
	for i := 0; i < len(p); i++ {
		sum += p[i]
	}
	c.conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c.conn, "$%s#%02x", p, sum)
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return "read error: " + err.Error()
		}
		if b != '$' {
			continue // acks
		}
		payload, err := c.r.ReadString('#')
		if err != nil {
			return "read error: " + err.Error()
		}
		c.r.Discard(2)
		c.conn.Write([]byte{'+'})
		return strings.TrimSuffix(payload, "#")
	}
}

// TestNonStopPackets drives non-stop mode at the packet level on a guest
// that spins forever: QNonStop:1, "?" and vStopped, a continue answered
// OK, vCtrlC stopping the running thread with SIGINT's stop as a %Stop
// notification, memory read while stopped, and vKill.
func TestNonStopPackets(t *testing.T) {
	c, _ := dialStub(t, "spin")
	if r := c.call("qSupported:multiprocess+"); !strings.Contains(r, "QNonStop+") {
		t.Fatalf("qSupported reply %q lacks QNonStop+", r)
	}
	for _, step := range []struct{ send, want string }{
		{"QNonStop:1", "^OK$"},
		{"?", `^T05.*thread:p[0-9a-f]+\.[0-9a-f]+;`},
		{"vStopped", "^OK$"},
		{"vCont;c", "^OK$"},
		{"qfThreadInfo", `^mp[0-9a-f]+\.[0-9a-f]+$`}, // served while it runs
		{"vCtrlC", "^OK$"},
	} {
		if r := c.call(step.send); !regexp.MustCompile(step.want).MatchString(r) {
			t.Fatalf("%s: reply %q, want %s", step.send, r, step.want)
		}
	}
	n := c.notification()
	m := regexp.MustCompile(`^Stop:T02.*thread:p([0-9a-f]+)\.[0-9a-f]+;`).FindStringSubmatch(n)
	if m == nil {
		t.Fatalf("notification after vCtrlC %q, want a T02 stop", n)
	}
	if r := c.call("vStopped"); r != "OK" {
		t.Fatalf("vStopped: %q", r)
	}
	if r := c.call("vKill;" + m[1]); r != "OK" {
		t.Fatalf("vKill: %q", r)
	}
}

// notification reads the next "%payload#xx" and returns the payload.
func (c *packetClient) notification() string {
	c.conn.SetDeadline(time.Now().Add(20 * time.Second))
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return "read error: " + err.Error()
		}
		if b != '%' {
			continue
		}
		payload, err := c.r.ReadString('#')
		if err != nil {
			return "read error: " + err.Error()
		}
		c.r.Discard(2)
		return strings.TrimSuffix(payload, "#")
	}
}
