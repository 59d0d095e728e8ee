package rsp

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Seed corpora under testdata/fuzz/ come from a real gdb 13.1 <-> gdbserver
// session on the demo program (set debug remote 1).

func FuzzDecodePacket(f *testing.F) {
	f.Add([]byte("$qSupported:multiprocess+;swbreak+#d1+"))
	f.Add([]byte("+$X401000,4:}]}\x03}\x04}\n#00\x03-"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fr := range DecodePacket(data) {
			if fr.kind != framePacket {
				continue
			}
			if len(fr.payload) > maxPayload {
				t.Fatalf("payload of %d bytes", len(fr.payload))
			}
			// Re-encoding a decoded payload must decode to itself.
			again := DecodePacket(encodePacket(appendEscaped(nil, fr.payload)))
			if len(again) != 1 || again[0].kind != framePacket || !bytes.Equal(again[0].payload, fr.payload) {
				t.Fatalf("round trip of %q failed: %+v", fr.payload, again)
			}
		}
	})
}

func FuzzHandlePacket(f *testing.F) {
	for _, s := range []string{gdbQSupported, "g", "G00", "p10", "P10=0000000000000000", "m401000,10",
		"M401000,1:00", "X401000,1:a", "Z0,401000,1", "vCont;c:p401640.-1", "vCont;s:401640",
		"vFile:open:2f62696e2f74727565,0,0", "vFile:pread:3,10,0", "qXfer:features:read:target.xml:0,1000",
		"Hgp0.0", "?", "c", "C0b", "S05;401000", "D;401640", "k",
		// Issue 5's packets, as gdb 13.1 sends them.
		"QCatchSyscalls:1;1;27", "QCatchSyscalls:0", "QPassSignals:e;10;14;17;1a;1b;1c;1e;21;",
		"QProgramSignals:0;1;3;4;6;7;8;9;a;b;c;d;e;f;10;11;12;13;14;", "P39=ffffffffffffffff",
		"Z0,401143,1;" + gdbCondBytecode, "Z0,401143,1;" + gdbDprintfCmds, "Z1,40116c,1", "z1,40116c,1", "qCRC:401000,100",
		"qSearch:memory:401000;18;needle\x00", "x0,0", "x401000,10", "qOffsets",
		"qXfer:siginfo:write::10: \x00\x00\x00\x00\x00\x00\x00",
		"vFile:open:2f70726f632f343230303030302f6d617073,0,1c0", "qRcmd,707472616365", "qRcmd,7374617473",
		// gdb 13.1's "remote put" and "remote delete" (refused here: readOnly).
		"vFile:open:2f746d702f68352f736d616c6c2e707574,601,1c0", "vFile:pwrite:3,0,hi\n",
		"vFile:unlink:2f746d702f68352f736d616c6c2e707574"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		ft := newFakeTracer()
		ft.fuzz = true
		s := NewSession(ft, Config{})
		s.files.readOnly = true // mutated opens and unlinks must not touch host files
		// Open a file first so fd-based vFile calls have something to hit.
		s.handle([]byte("vFile:open:2f62696e2f74727565,0,0"))
		s.handle([]byte(gdbQSupported))
		for i := 0; i < 2; i++ { // twice: the first may change state
			r := s.handle(pkt)
			if r.resume != nil {
				r.reply = s.stopReply(ft.Next(s.resumeFlags(*r.resume)))
			}
			if r.resume == nil && r.reply == nil && !r.noReply {
				t.Fatalf("%q: no reply", pkt)
			}
			fr := DecodePacket(encodePacket(r.reply))
			if len(fr) != 1 || fr[0].kind != framePacket {
				t.Fatalf("%q: reply %q does not frame", pkt, r.reply)
			}
		}
		s.files.closeAll()
		_ = ptrace.StopMask
	})
}

// FuzzNonStopPacket feeds packets to a session in non-stop mode, through
// the same path as the connection (process: the engine is paused and
// restarted around them, replies and notifications written), then checks
// that "?" still answers and the engine can be stopped.
func FuzzNonStopPacket(f *testing.F) {
	for _, s := range []string{"vCont;c", "vCont;c:p401640.401640", "vCont;s:p401640.401640", "vCont;t",
		"vCont;t:p401640.401640", "vCont;r401000,401010:p401640.401640", "vStopped", "vCtrlC", "?", "g",
		"m401000,10", "Z0,401000,1", "QNonStop:0", "QNonStop:1", "c", "s", "k", "D"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		ft := newFakeTracer()
		ft.fuzz = true
		s := NewSession(ft, Config{})
		s.conn = discardConn{}
		s.noAck = true
		s.files.readOnly = true
		if err := s.process([]byte("QNonStop:1")); err != nil || !s.ns.on {
			t.Fatalf("QNonStop:1: %v", err)
		}
		for i := 0; i < 2; i++ {
			if err := s.process(pkt); err != nil {
				if errors.Is(err, errQuit) {
					return // k or D: the session is over
				}
				t.Fatalf("%q: %v", pkt, err)
			}
		}
		if err := s.process([]byte("?")); err != nil {
			t.Fatalf("? after %q: %v", pkt, err)
		}
		s.pauseEngine()
		if s.ns.running {
			t.Fatalf("%q: the engine still runs after a pause", pkt)
		}
		s.files.closeAll()
	})
}

// discardConn is a connection that accepts every write.
type discardConn struct{}

func (discardConn) Read([]byte) (int, error)    { return 0, io.EOF }
func (discardConn) Write(b []byte) (int, error) { return len(b), nil }
