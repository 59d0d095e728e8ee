package target

import (
	"errors"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// Pipes made by pipe2(2), living inside the emulator: a reader that finds
// the pipe empty while a writer exists blocks its thread (the scheduler
// restarts the read when data or EOF arrives), so other threads, and
// other processes, keep running. Writes never block: the buffer grows
// (Linux would block a writer at 64 KiB).

// pipeBuf is the shared state of one pipe.
type pipeBuf struct {
	data             []byte
	readers, writers int // open file descriptions of each end
}

// pipeReader and pipeWriter are the two ends, used as openFile streams.
type pipeReader struct{ p *pipeBuf }
type pipeWriter struct{ p *pipeBuf }

// errWouldBlock is a read from an empty pipe that still has writers.
var errWouldBlock = errnoError(eAGAIN)

func (r pipeReader) Read(b []byte) (int, error) {
	if len(r.p.data) == 0 {
		if r.p.writers > 0 {
			return 0, errWouldBlock
		}
		return 0, nil // EOF
	}
	n := copy(b, r.p.data)
	r.p.data = r.p.data[n:]
	if len(r.p.data) == 0 {
		r.p.data = nil
	}
	return n, nil
}

func (w pipeWriter) Write(b []byte) (int, error) {
	if w.p.readers == 0 {
		return 0, errnoError(ePIPE)
	}
	w.p.data = append(w.p.data, b...)
	return len(b), nil
}

// pipeEnd is implemented by the ends: the last close of an open file
// description drops its end.
type pipeEnd interface{ closeEnd() }

func (r pipeReader) closeEnd() { r.p.readers-- }
func (w pipeWriter) closeEnd() { w.p.writers-- }

// waitable is something a thread can block on until it is ready.
type waitable interface{ ready() bool }

// ready reports whether a blocked read of the pipe would now return.
func (r pipeReader) ready() bool { return len(r.p.data) > 0 || r.p.writers == 0 }

const oDIRECTPipe = 0x4000 // O_DIRECT: packet mode, not supported

func (p *Process) sysPipe2(fdsAddr uint64, flags int) uint64 {
	if flags&^(oCLOEXEC|oNONBLOCK|oDIRECTPipe) != 0 {
		return fail(eINVAL)
	}
	if flags&oDIRECTPipe != 0 {
		return fail(eINVAL)
	}
	pb := &pipeBuf{readers: 1, writers: 1}
	rf := &openFile{flags: oRDONLY | flags&oNONBLOCK, stream: pipeReader{pb}}
	wf := &openFile{flags: oWRONLY | flags&oNONBLOCK, stream: pipeWriter{pb}}
	cloexec := flags&oCLOEXEC != 0
	rfd, ok := p.files.install(rf, 0, cloexec)
	if !ok {
		return fail(eMFILE)
	}
	wfd, ok := p.files.install(wf, 0, cloexec)
	if !ok {
		p.files.close(int32(rfd))
		return fail(eMFILE)
	}
	b := le.AppendUint32(nil, uint32(rfd))
	b = le.AppendUint32(b, uint32(wfd))
	if r := p.putBytes(fdsAddr, b); r != 0 {
		p.files.close(int32(rfd))
		p.files.close(int32(wfd))
		return r
	}
	return 0
}

// blockOnPipe makes the current thread wait for f's pipe if a read found
// it empty (err is errWouldBlock) and f is blocking; it reports whether
// the thread now waits (the read is restarted when the pipe has data or
// no writer), else returns the errno result for the read.
func (p *Process) blockOnPipe(f *openFile, err error) (bool, uint64) {
	if !errors.Is(err, errWouldBlock) {
		return false, fail(errnoOf(err))
	}
	w, ok := f.stream.(waitable)
	if !ok || f.flags&oNONBLOCK != 0 {
		return false, fail(eAGAIN)
	}
	t := p.cur
	t.waitOn, t.epoll = w, false
	t.restartNr = t.CPU.R[emu.RAX] // the syscall number is still in RAX during the call
	p.block(t, waitReady, 0, false)
	return true, 0
}
