package target

import (
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
)

// Linux open(2) flags and *at constants.
const (
	oRDONLY    = 0
	oWRONLY    = 1
	oRDWR      = 2
	oACCMODE   = 3
	oAPPEND    = 0x400
	oNONBLOCK  = 0x800
	oDIRECTORY = 0x10000
	oCLOEXEC   = 0x80000
	oLARGEFILE = 0x8000 // set in every open file description on 64-bit Linux

	atFDCWD           = -100
	atSymlinkNofollow = 0x100
	atEmptyPath       = 0x1000

	maxFDs = 1024
)

// openFile is an open file description, shared by dup'ed descriptors.
type openFile struct {
	refs   int
	flags  int      // access mode, O_APPEND, O_NONBLOCK as the guest sees them
	stream any      // a Config stream (io.Reader or io.Writer), or nil
	file   HostFile // a host file, or nil
	path   string   // for host files: the path it was opened with
	hpoll  uint8    // hpUnknown, hpNo, hpYes: can reads or writes block (hostio.go)
}

// fdTable maps descriptors to open files.
type fdTable struct {
	fds     []*openFile
	cloexec []bool
	poller  HostPoller // the host's readiness checks, or nil
}

// init installs the standard streams as fds 0, 1 and 2.
func (t *fdTable) init(stdin io.Reader, stdout, stderr io.Writer) {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	t.fds = []*openFile{
		{refs: 1, flags: oRDONLY, stream: stdin},
		{refs: 1, flags: oWRONLY, stream: stdout},
		{refs: 1, flags: oWRONLY, stream: stderr},
	}
	t.cloexec = make([]bool, 3)
}

// get returns the file open on fd.
func (t *fdTable) get(fd int32) *openFile {
	if fd < 0 || int(fd) >= len(t.fds) {
		return nil
	}
	return t.fds[fd]
}

// install puts f on the lowest free descriptor at or above from.
func (t *fdTable) install(f *openFile, from int, cloexec bool) (int, bool) {
	for fd := from; fd < maxFDs; fd++ {
		if fd >= len(t.fds) {
			t.fds = append(t.fds, make([]*openFile, fd+1-len(t.fds))...)
			t.cloexec = append(t.cloexec, make([]bool, fd+1-len(t.cloexec))...)
		}
		if t.fds[fd] == nil {
			t.fds[fd] = f
			t.cloexec[fd] = cloexec
			f.refs++
			return fd, true
		}
	}
	return -1, false
}

// close drops descriptor fd, closing the host file with its last reference.
func (t *fdTable) close(fd int32) bool {
	f := t.get(fd)
	if f == nil {
		return false
	}
	t.fds[fd] = nil
	t.cloexec[fd] = false
	f.refs--
	if f.refs == 0 {
		if f.file != nil {
			f.file.Close()
		}
		if e, ok := f.stream.(pipeEnd); ok {
			e.closeEnd()
		}
	}
	return true
}

// closeAll closes every descriptor (at exit).
func (t *fdTable) closeAll() {
	for fd := range t.fds {
		t.close(int32(fd))
	}
}

func (f *openFile) readable() bool { return f.flags&oACCMODE != oWRONLY }
func (f *openFile) writable() bool { return f.flags&oACCMODE != oRDONLY }

// read reads into b from the stream or host file.
func (f *openFile) read(b []byte) (int, error) {
	var n int
	var err error
	switch {
	case f.file != nil:
		n, err = f.file.Read(b)
	case f.stream != nil:
		r, ok := f.stream.(io.Reader)
		if !ok {
			return 0, errBadf
		}
		n, err = r.Read(b)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// write writes b to the stream or host file.
func (f *openFile) write(b []byte) (int, error) {
	if f.file != nil {
		return f.file.Write(b)
	}
	w, ok := f.stream.(io.Writer)
	if !ok {
		return 0, errBadf
	}
	return w.Write(b)
}

// errBadf is a stream used in the wrong direction.
var errBadf = errnoError(eBADF)

// errnoError is a Linux errno as an error (independent of the host).
type errnoError int64

func (e errnoError) Error() string { return "errno " + strconv.Itoa(int(e)) }

// procExe reports whether name is this process's /proc/.../exe link.
func (p *Process) procExe(name string) bool {
	for _, self := range []string{"self", "thread-self", strconv.Itoa(p.Pid)} {
		if name == "/proc/"+self+"/exe" {
			return true
		}
	}
	return false
}

// resolve turns a guest (dirfd, path) pair into a host path. Relative
// paths without a directory fd are left relative (the host resolves them
// from its working directory, which is the guest's).
func (p *Process) resolve(dirfd int32, name string) (string, uint64) {
	if name == "" {
		return "", fail(eNOENT)
	}
	if !path.IsAbs(name) && dirfd != atFDCWD {
		d := p.files.get(dirfd)
		if d == nil {
			return "", fail(eBADF)
		}
		if d.file == nil {
			return "", fail(eNOTDIR)
		}
		name = path.Join(d.path, name)
	}
	if !path.IsAbs(name) && p.cwd != "" {
		name = p.cwd + "/" + name
	}
	if p.procExe(path.Clean(name)) && p.Exe != "" {
		return p.Exe, 0
	}
	return name, 0
}

// --- file syscalls ---

func (p *Process) sysOpenat(dirfd int32, pathAddr uint64, flags int, mode uint32) uint64 {
	name, r := p.getPath(pathAddr)
	if r != 0 {
		return r
	}
	host, r := p.resolve(dirfd, name)
	if r != 0 {
		return r
	}
	hf, err := p.host.Open(host, flags&^oCLOEXEC, mode&^p.umask)
	if err != nil {
		return fail(errnoOf(err))
	}
	// A 64-bit kernel gives every file open(2) opens O_LARGEFILE, and
	// F_GETFL shows it (pipes and inherited streams do not have it).
	f := &openFile{flags: flags&(oACCMODE|oAPPEND|oNONBLOCK) | oLARGEFILE, file: hf, path: host}
	fd, ok := p.files.install(f, 0, flags&oCLOEXEC != 0)
	if !ok {
		hf.Close()
		return fail(eMFILE)
	}
	return uint64(fd)
}

func (p *Process) sysClose(fd int32) uint64 {
	if !p.files.close(fd) {
		return fail(eBADF)
	}
	return 0
}

// ioChunk bounds the host buffer of one read or write step.
const ioChunk = 1 << 20

func (p *Process) sysRead(fd int32, buf, n uint64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.readable() {
		return fail(eBADF)
	}
	n = min(n, maxIO)
	if n == 0 {
		return 0
	}
	if wait, r := p.waitHost(f, false); wait || r != 0 {
		return r // 0 when blocked: the read is made again when ready
	}
	var done uint64
	tmp := make([]byte, min(n, ioChunk))
	for done < n {
		want := min(n-done, uint64(len(tmp)))
		got, err := f.read(tmp[:want])
		if got > 0 {
			if r := p.putBytes(buf+done, tmp[:got]); r != 0 {
				if done > 0 {
					return done
				}
				return r
			}
			done += uint64(got)
		}
		if err != nil {
			if done > 0 {
				return done
			}
			if _, r := p.blockOnPipe(f, err); r != 0 {
				return r
			}
			return 0 // blocked: the read is restarted when the pipe is ready
		}
		// Streams (pipes, terminals) return what they have; only
		// regular host files keep reading to fill the buffer.
		if got == 0 || uint64(got) < want || f.file == nil || f.hpoll == hpYes {
			break
		}
	}
	return done
}

func (p *Process) sysWrite(fd int32, buf, n uint64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.writable() {
		return fail(eBADF)
	}
	n = min(n, maxIO)
	if n == 0 {
		return 0
	}
	if wait, r := p.waitHost(f, true); wait || r != 0 {
		return r // 0 when blocked: the write is made again when ready
	}
	var done uint64
	for done < n {
		b, r := p.getBytes(buf+done, min(n-done, ioChunk))
		if r != 0 {
			if done > 0 {
				return done
			}
			return r
		}
		got, err := p.writeFile(f, b)
		done += uint64(got)
		if err != nil {
			if done > 0 {
				return done
			}
			return fail(errnoOf(err))
		}
		if got < len(b) {
			break
		}
	}
	return done
}

// writeFile writes to f; a write to a broken pipe also raises SIGPIPE, as
// on Linux.
func (p *Process) writeFile(f *openFile, b []byte) (int, error) {
	n, err := f.write(b)
	if err != nil && errnoOf(err) == ePIPE {
		p.Kill(sigPIPE)
	}
	return n, err
}

func (p *Process) sysPread(fd int32, buf, n uint64, off int64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.readable() {
		return fail(eBADF)
	}
	if f.file == nil {
		return fail(eSPIPE)
	}
	if off < 0 {
		return fail(eINVAL)
	}
	b := make([]byte, min(n, ioChunk))
	got, err := f.file.ReadAt(b, off)
	if got == 0 && err != nil && !errors.Is(err, io.EOF) {
		return fail(errnoOf(err))
	}
	if r := p.putBytes(buf, b[:got]); r != 0 {
		return r
	}
	return uint64(got)
}

func (p *Process) sysPwrite(fd int32, buf, n uint64, off int64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.writable() {
		return fail(eBADF)
	}
	if f.file == nil {
		return fail(eSPIPE)
	}
	if off < 0 {
		return fail(eINVAL)
	}
	b, r := p.getBytes(buf, min(n, ioChunk))
	if r != 0 {
		return r
	}
	got, err := f.file.WriteAt(b, off)
	if got == 0 && err != nil {
		return fail(errnoOf(err))
	}
	return uint64(got)
}

// iovecs reads an iovec array.
func (p *Process) iovecs(addr, count uint64) ([][2]uint64, uint64) {
	if count > 1024 {
		return nil, fail(eINVAL)
	}
	raw, r := p.getBytes(addr, count*16)
	if r != 0 {
		return nil, r
	}
	iov := make([][2]uint64, count)
	var total uint64
	for i := range iov {
		iov[i] = [2]uint64{le.Uint64(raw[i*16:]), le.Uint64(raw[i*16+8:])}
		total += iov[i][1]
		if int64(iov[i][1]) < 0 || total > maxIO {
			return nil, fail(eINVAL)
		}
	}
	return iov, 0
}

func (p *Process) sysWritev(fd int32, iovAddr, count uint64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.writable() {
		return fail(eBADF)
	}
	iov, r := p.iovecs(iovAddr, count)
	if r != 0 {
		return r
	}
	var all []byte
	for _, v := range iov {
		b, r := p.getBytes(v[0], v[1])
		if r != 0 {
			return r
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		return 0
	}
	if wait, r := p.waitHost(f, true); wait || r != 0 {
		return r
	}
	got, err := p.writeFile(f, all)
	if got == 0 && err != nil {
		return fail(errnoOf(err))
	}
	return uint64(got)
}

func (p *Process) sysReadv(fd int32, iovAddr, count uint64) uint64 {
	f := p.files.get(fd)
	if f == nil || !f.readable() {
		return fail(eBADF)
	}
	iov, r := p.iovecs(iovAddr, count)
	if r != 0 {
		return r
	}
	var total uint64
	for _, v := range iov {
		total += v[1]
	}
	if total == 0 {
		return 0
	}
	if wait, r := p.waitHost(f, false); wait || r != 0 {
		return r
	}
	b := make([]byte, min(total, ioChunk))
	got, err := f.read(b)
	if got == 0 && err != nil {
		_, r := p.blockOnPipe(f, err)
		return r // 0 when blocked: the read is restarted
	}
	b = b[:got]
	for _, v := range iov {
		if len(b) == 0 {
			break
		}
		k := min(uint64(len(b)), v[1])
		if r := p.putBytes(v[0], b[:k]); r != 0 {
			return r
		}
		b = b[k:]
	}
	return uint64(got)
}

// statOf describes an open file.
func (p *Process) statOf(f *openFile) (Stat, error) {
	if f.file != nil {
		return f.file.Stat()
	}
	if st, err := p.host.StatStream(f.stream); err == nil {
		return st, nil
	}
	// A stream that is no host file looks like a pipe.
	uid, _, gid, _ := p.host.IDs()
	return Stat{Mode: sIFIFO | 0o600, Nlink: 1, UID: uint32(uid), GID: uint32(gid), Blksize: 4096}, nil
}

func (p *Process) sysFstat(fd int32, addr uint64) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	st, err := p.statOf(f)
	if err != nil {
		return fail(errnoOf(err))
	}
	return p.putBytes(addr, st.encode())
}

func (p *Process) sysNewfstatat(dirfd int32, pathAddr, addr uint64, flags int) uint64 {
	if flags&^(atSymlinkNofollow|atEmptyPath|0x800 /* AT_NO_AUTOMOUNT */) != 0 {
		return fail(eINVAL)
	}
	name, r := p.getPath(pathAddr)
	if r != 0 {
		return r
	}
	if name == "" && flags&atEmptyPath != 0 {
		if dirfd == atFDCWD {
			name = "."
		} else {
			return p.sysFstat(dirfd, addr)
		}
	}
	host, r := p.resolve(dirfd, name)
	if r != 0 {
		return r
	}
	st, err := p.host.Stat(host, flags&atSymlinkNofollow == 0)
	if err != nil {
		return fail(errnoOf(err))
	}
	return p.putBytes(addr, st.encode())
}

func (p *Process) sysLseek(fd int32, off int64, whence int) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	if f.file == nil {
		return fail(eSPIPE)
	}
	if whence < 0 || whence > 4 {
		return fail(eINVAL)
	}
	pos, err := f.file.Seek(off, whence)
	if err != nil {
		return fail(errnoOf(err))
	}
	return uint64(pos)
}

// Terminal ioctls.
const (
	tcgets     = 0x5401
	tiocgwinsz = 0x5413
)

func (p *Process) sysIoctl(fd int32, req uint32, arg uint64) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	var size int
	switch req {
	case tcgets:
		size = 36 // struct termios (kernel layout)
	case tiocgwinsz:
		size = 8 // struct winsize
	default:
		p.log.WithField("request", req).Debug("ioctl not supported: ENOTTY")
		return fail(eNOTTY)
	}
	var obj any = f.stream
	if f.file != nil {
		obj = f.file
	}
	out := make([]byte, size)
	if err := p.host.Terminal(obj, req, out); err != nil {
		return fail(errnoOf(err))
	}
	return p.putBytes(arg, out)
}

// fcntl commands.
const (
	fDUPFD        = 0
	fGETFD        = 1
	fSETFD        = 2
	fGETFL        = 3
	fSETFL        = 4
	fDUPFDCloexec = 1030
)

func (p *Process) sysFcntl(fd int32, cmd int, arg uint64) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	switch cmd {
	case fDUPFD, fDUPFDCloexec:
		if arg >= maxFDs {
			return fail(eINVAL)
		}
		nfd, ok := p.files.install(f, int(arg), cmd == fDUPFDCloexec)
		if !ok {
			return fail(eMFILE)
		}
		return uint64(nfd)
	case fGETFD:
		if p.files.cloexec[fd] {
			return 1
		}
		return 0
	case fSETFD:
		p.files.cloexec[fd] = arg&1 != 0
		return 0
	case fGETFL:
		return uint64(f.flags)
	case fSETFL:
		f.flags = f.flags&^(oAPPEND|oNONBLOCK) | int(arg)&(oAPPEND|oNONBLOCK)
		return 0
	}
	p.log.WithField("cmd", cmd).Debug("fcntl command not supported")
	return fail(eINVAL)
}

func (p *Process) sysDup(fd int32) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	nfd, ok := p.files.install(f, 0, false)
	if !ok {
		return fail(eMFILE)
	}
	return uint64(nfd)
}

func (p *Process) sysDup3(oldfd, newfd int32, flags int, dup2 bool) uint64 {
	f := p.files.get(oldfd)
	if f == nil {
		return fail(eBADF)
	}
	if oldfd == newfd {
		if dup2 {
			return uint64(newfd)
		}
		return fail(eINVAL)
	}
	if flags&^oCLOEXEC != 0 {
		return fail(eINVAL)
	}
	if newfd < 0 || newfd >= maxFDs {
		return fail(eBADF)
	}
	p.files.close(newfd)
	nfd, _ := p.files.install(f, int(newfd), flags&oCLOEXEC != 0)
	return uint64(nfd)
}

func (p *Process) sysFaccessat(dirfd int32, pathAddr uint64, mode uint32) uint64 {
	if mode&^7 != 0 {
		return fail(eINVAL)
	}
	name, r := p.getPath(pathAddr)
	if r != 0 {
		return r
	}
	host, r := p.resolve(dirfd, name)
	if r != 0 {
		return r
	}
	if err := p.host.Access(host, mode); err != nil {
		return fail(errnoOf(err))
	}
	return 0
}

func (p *Process) sysReadlinkat(dirfd int32, pathAddr, buf uint64, size int64) uint64 {
	if size <= 0 {
		return fail(eINVAL)
	}
	name, r := p.getPath(pathAddr)
	if r != 0 {
		return r
	}
	var target string
	if p.procExe(path.Clean(name)) {
		target = p.Exe
	} else {
		host, r := p.resolve(dirfd, name)
		if r != 0 {
			return r
		}
		t, err := p.host.Readlink(host)
		if err != nil {
			return fail(errnoOf(err))
		}
		target = t
	}
	b := []byte(target)
	if int64(len(b)) > size {
		b = b[:size]
	}
	if r := p.putBytes(buf, b); r != 0 {
		return r
	}
	return uint64(len(b))
}

func (p *Process) sysGetcwd(buf, size uint64) uint64 {
	wd, err := p.cwd, error(nil)
	if wd == "" {
		wd, err = p.host.Getwd()
	}
	if err != nil {
		return fail(errnoOf(err))
	}
	b := append([]byte(wd), 0)
	if uint64(len(b)) > size {
		return fail(eRANGE)
	}
	if r := p.putBytes(buf, b); r != 0 {
		return r
	}
	return uint64(len(b))
}

func (p *Process) sysGetdents64(fd int32, buf, count uint64) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	if f.file == nil {
		return fail(eNOTDIR)
	}
	b := make([]byte, min(count, 1<<16))
	n, err := f.file.ReadDirents(b)
	if err != nil {
		return fail(errnoOf(err))
	}
	if r := p.putBytes(buf, b[:n]); r != 0 {
		return r
	}
	return uint64(n)
}
