package rsp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Host I/O (vFile:...): gdb fetches the executable this way (qXfer:exec-file
// names it), looks for separate debug files, reads /proc/PID/... for "info
// proc", and transfers files with "remote get", "remote put" and "remote
// delete".
//
// Policy. Paths must be absolute. Files are opened, created, truncated,
// written and unlinked in the host filesystem with the stub's rights, as
// gdbserver does: the debugged program can already do all of that through
// its own syscalls (the emulator passes file syscalls through), and a
// debugger that can make it run any code (set $pc, call a function) gains
// nothing from being refused; the stub listens on the loopback address
// unless told otherwise. What stays out of reach is the host's /proc (and
// /sys and /dev): the emulated process is not a host process, so
// /proc/<pid>/maps and cmdline are synthesised (procfs.go) and exe names
// the executable; these stay read-only (a write open gives EACCES, an
// unlink EPERM, as Linux's procfs says), and every other path under /proc, /sys or /dev gives ENOENT,
// also when reached through a symbolic link. Only regular files (and
// directories, read-only: reading one fails with EISDIR, as with
// gdbserver) are opened: a FIFO or device would block or have side
// effects.

// File-I/O errno values (GDB manual, "Errno Values").
const (
	fioEPERM        = 1
	fioENOENT       = 2
	fioEINTR        = 4
	fioEBADF        = 9
	fioEACCES       = 13
	fioEFAULT       = 14
	fioEBUSY        = 16
	fioEEXIST       = 17
	fioENODEV       = 19
	fioENOTDIR      = 20
	fioEISDIR       = 21
	fioEINVAL       = 22
	fioENFILE       = 23
	fioEMFILE       = 24
	fioEFBIG        = 27
	fioENOSPC       = 28
	fioESPIPE       = 29
	fioEROFS        = 30
	fioENAMETOOLONG = 91
	fioEUNKNOWN     = 9999
)

// File-I/O open flags (GDB manual, "Open Flags"); the values differ from
// Linux's, hence the mapping in hostOpenFlags.
const (
	fioOAccMode = 0x3
	fioOWronly  = 0x1
	fioORdwr    = 0x2
	fioOAppend  = 0x8
	fioOCreat   = 0x200
	fioOTrunc   = 0x400
	fioOExcl    = 0x800
	fioOKnown   = fioOAccMode | fioOAppend | fioOCreat | fioOTrunc | fioOExcl
)

// hostOpenFlags maps File-I/O open flags to the host's; ok is false for
// unknown bits or an access mode of 3.
func hostOpenFlags(f uint64) (flags int, ok bool) {
	if f&^uint64(fioOKnown) != 0 {
		return 0, false
	}
	switch f & fioOAccMode {
	case 0:
		flags = os.O_RDONLY
	case fioOWronly:
		flags = os.O_WRONLY
	case fioORdwr:
		flags = os.O_RDWR
	default:
		return 0, false
	}
	for _, m := range []struct {
		fio  uint64
		host int
	}{{fioOAppend, os.O_APPEND}, {fioOCreat, os.O_CREATE}, {fioOTrunc, os.O_TRUNC}, {fioOExcl, os.O_EXCL}} {
		if f&m.fio != 0 {
			flags |= m.host
		}
	}
	return flags, true
}

// writes reports whether an open with these File-I/O flags can change a
// file (write access, create or truncate).
func writes(f uint64) bool { return f&fioOAccMode != 0 || f&(fioOCreat|fioOTrunc) != 0 }

const maxOpenFiles = 64

// hostFiles holds the files opened through vFile:open.
type hostFiles struct {
	files map[int]hostFile
	next  int
	fsPid int // vFile:setfs: 0 = the stub's view
	// readOnly refuses every change to the host filesystem (EACCES): for
	// the fuzz target, whose mutated packets must not truncate or unlink
	// host files.
	readOnly bool
}

func newHostFiles() *hostFiles { return &hostFiles{files: map[int]hostFile{}, next: 3} }

func (h *hostFiles) closeAll() {
	for fd, f := range h.files {
		f.Close()
		delete(h.files, fd)
	}
}

func fioResult(v int64) response { return reply("F" + formatSigned(v)) }

func fioError(errno int) response { return reply(fmt.Sprintf("F-1,%x", errno)) }

func formatSigned(v int64) string {
	if v < 0 {
		return "-" + strconv.FormatInt(-v, 16)
	}
	return strconv.FormatInt(v, 16)
}

// fioErrnos maps host errnos to File-I/O ones; the others are EUNKNOWN.
var fioErrnos = map[syscall.Errno]int{
	syscall.EPERM: fioEPERM, syscall.ENOENT: fioENOENT, syscall.EINTR: fioEINTR, syscall.EBADF: fioEBADF,
	syscall.EACCES: fioEACCES, syscall.EFAULT: fioEFAULT, syscall.EBUSY: fioEBUSY, syscall.EEXIST: fioEEXIST,
	syscall.ENODEV: fioENODEV, syscall.ENOTDIR: fioENOTDIR, syscall.EISDIR: fioEISDIR, syscall.EINVAL: fioEINVAL,
	syscall.ENFILE: fioENFILE, syscall.EMFILE: fioEMFILE, syscall.EFBIG: fioEFBIG, syscall.ENOSPC: fioENOSPC,
	syscall.ESPIPE: fioESPIPE, syscall.EROFS: fioEROFS, syscall.ENAMETOOLONG: fioENAMETOOLONG,
	// No File-I/O value: a symlink loop is a path that cannot be found.
	syscall.ELOOP: fioENOENT,
}

// fioErrno maps a host error to a File-I/O errno.
func fioErrno(err error) int {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		if v, known := fioErrnos[errno]; known {
			return v
		}
	case errors.Is(err, fs.ErrNotExist):
		return fioENOENT
	case errors.Is(err, fs.ErrPermission):
		return fioEACCES
	case errors.Is(err, fs.ErrExist):
		return fioEEXIST
	}
	return fioEUNKNOWN
}

// hostIO dispatches "vFile:<op>:<args>".
func (s *Session) hostIO(rest, whole string) response {
	op, args, _ := strings.Cut(rest, ":")
	switch op {
	case "setfs":
		pid, err := parseHex(args)
		if err != nil {
			return errReply
		}
		s.files.fsPid = int(pid)
		return fioResult(0)
	case "open":
		return s.fileOpen(args)
	case "close":
		fd, err := parseHex(args)
		if err != nil {
			return errReply
		}
		f, found := s.files.files[int(fd)]
		if !found {
			return fioError(fioEBADF)
		}
		f.Close()
		delete(s.files.files, int(fd))
		return fioResult(0)
	case "pread":
		return s.filePread(args)
	case "pwrite":
		return s.filePwrite(args)
	case "fstat":
		fd, err := parseHex(args)
		if err != nil {
			return errReply
		}
		f, found := s.files.files[int(fd)]
		if !found {
			return fioError(fioEBADF)
		}
		st, err := f.Stat()
		if err != nil {
			return fioError(fioErrno(err))
		}
		return statReply(st)
	case "stat":
		path, err := s.filePath(args, true)
		if errors.Is(err, errMalformed) {
			return errReply
		}
		if err != nil {
			return fioError(fioErrno(err))
		}
		st, err := os.Stat(path)
		if err != nil {
			return fioError(fioErrno(err))
		}
		return statReply(st)
	case "unlink":
		return s.fileUnlink(args)
	case "readlink":
		name, err := decodeHexBytes(args)
		if err != nil {
			return errReply
		}
		if ef, has := s.t.(ExecFiler); has && s.isProcExe(string(name)) {
			target := []byte(ef.Exe())
			return replyBytes(appendEscaped([]byte(fmt.Sprintf("F%x;", len(target))), target))
		}
		return fioError(fioENOENT)
	}
	return empty
}

// isProcExe reports whether name is /proc/<our pid>/exe (or /proc/self/exe
// in the process's filesystem view).
func (s *Session) isProcExe(name string) bool {
	pid := strconv.Itoa(s.t.Pid())
	return name == "/proc/"+pid+"/exe" || (s.files.fsPid != 0 && name == "/proc/self/exe")
}

// filePath decodes a hex path and applies the access policy, returning
// the host path to open (symbolic links resolved, so that none leads into
// /proc, /sys or /dev). Without followLast (unlink), or when the last
// component does not exist, only the directory is resolved; the caller
// must then not follow a link there (O_NOFOLLOW), as a dangling link
// could point anywhere.
func (s *Session) filePath(hexPath string, followLast bool) (string, error) {
	b, err := decodeHexBytes(hexPath)
	if err != nil {
		return "", errMalformed
	}
	name := string(b)
	if ef, has := s.t.(ExecFiler); has && s.isProcExe(name) {
		return ef.Exe(), nil
	}
	if strings.IndexByte(name, 0) >= 0 || !filepath.IsAbs(name) {
		return "", fs.ErrNotExist
	}
	clean := filepath.Clean(name)
	if hiddenHostPath(clean) {
		return "", fs.ErrNotExist
	}
	real, err := clean, fs.ErrNotExist
	if followLast {
		real, err = filepath.EvalSymlinks(clean)
	}
	if errors.Is(err, fs.ErrNotExist) {
		var dir string
		dir, err = filepath.EvalSymlinks(filepath.Dir(clean))
		real = filepath.Join(dir, filepath.Base(clean))
	}
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", clean, err)
	}
	if hiddenHostPath(real) {
		return "", fs.ErrNotExist
	}
	return real, nil
}

// hiddenHostPath reports whether a clean absolute path is in the host's
// /proc, /sys or /dev, which are never served.
func hiddenHostPath(p string) bool {
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// procPath reports whether name is one of the emulated process's /proc
// files (synthesised or exe), which are read-only.
func (s *Session) procPath(name string) bool {
	_, isProc := s.procEntry(name)
	return isProc || s.isProcExe(name)
}

// fileOpen handles "open:<hexpath>,<flags>,<mode>".
func (s *Session) fileOpen(args string) response {
	parts := strings.Split(args, ",")
	if len(parts) != 3 {
		return errReply
	}
	fioFlags, err1 := parseHex(parts[1])
	mode, err2 := parseHex(parts[2])
	if err1 != nil || err2 != nil {
		return errReply
	}
	flags, known := hostOpenFlags(fioFlags)
	if !known {
		return fioError(fioEINVAL)
	}
	if writes(fioFlags) && s.files.readOnly {
		return fioError(fioEACCES)
	}
	if name, err := decodeHexBytes(parts[0]); err == nil && s.procPath(string(name)) {
		if writes(fioFlags) {
			return fioError(fioEACCES)
		}
		if entry, _ := s.procEntry(string(name)); entry != "exe" {
			mf, found := s.procFile(entry)
			if !found {
				return fioError(fioENOENT)
			}
			return s.installFile(mf)
		}
	}
	path, err := s.filePath(parts[0], true)
	if errors.Is(err, errMalformed) {
		return errReply
	}
	if err != nil {
		return fioError(fioErrno(err))
	}
	if len(s.files.files) >= maxOpenFiles {
		return fioError(fioEMFILE)
	}
	// No FIFO or device is opened (nor truncated): check before opening,
	// and open non-blocking so that one swapped in meanwhile cannot block
	// the stub; the check after opening catches it.
	st, err := os.Lstat(path)
	switch {
	case err == nil && st.IsDir() && writes(fioFlags):
		return fioError(fioEISDIR) // as open(2) says
	case err == nil && !st.Mode().IsRegular() && !st.IsDir():
		return fioError(fioEACCES)
	case err != nil && errors.Is(err, fs.ErrNotExist):
		flags |= syscall.O_NOFOLLOW // see filePath
	case err != nil:
		return fioError(fioErrno(err))
	}
	// The permission bits of mode only (gdb's "remote put" sends 0700);
	// the umask applies, as with open(2).
	f, err := os.OpenFile(path, flags|syscall.O_NONBLOCK|syscall.O_NOCTTY, fs.FileMode(mode&0o777))
	if err != nil {
		return fioError(fioErrno(err))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() && !(st.IsDir() && !writes(fioFlags)) {
		f.Close()
		return fioError(fioEACCES)
	}
	if flags&(os.O_WRONLY|os.O_RDWR) != 0 {
		return s.installFile(writableFile{f})
	}
	return s.installFile(f)
}

// writableFile is a host file opened for writing (pwrite is refused on
// the others with EBADF, as pwrite(2) does).
type writableFile struct{ *os.File }

// filePwrite handles "pwrite:<fd>,<offset>,<binary data>".
func (s *Session) filePwrite(args string) response {
	parts := strings.SplitN(args, ",", 3)
	if len(parts) != 3 {
		return errReply
	}
	fd, err1 := parseHex(parts[0])
	off, err2 := parseHex(parts[1])
	if err1 != nil || err2 != nil {
		return errReply
	}
	f, found := s.files.files[int(fd)]
	if !found {
		return fioError(fioEBADF)
	}
	w, writable := f.(writableFile)
	if !writable {
		return fioError(fioEBADF)
	}
	if off > 1<<62 {
		return fioError(fioEINVAL)
	}
	// pwrite(2) itself rather than WriteAt: on a file opened with
	// O_APPEND, Linux appends (what gdbserver does), and WriteAt refuses.
	conn, err := w.SyscallConn()
	if err != nil {
		return fioError(fioErrno(err))
	}
	var n int
	var werr error
	if err := conn.Write(func(fd uintptr) bool {
		n, werr = syscall.Pwrite(int(fd), []byte(parts[2]), int64(off))
		return true
	}); err != nil {
		return fioError(fioErrno(err))
	}
	if werr != nil {
		return fioError(fioErrno(werr))
	}
	return fioResult(int64(n))
}

// fileUnlink handles "unlink:<hexpath>".
func (s *Session) fileUnlink(args string) response {
	if s.files.readOnly {
		return fioError(fioEACCES)
	}
	if name, err := decodeHexBytes(args); err == nil && s.procPath(string(name)) {
		return fioError(fioEPERM) // procfs has no unlink
	}
	path, err := s.filePath(args, false)
	if errors.Is(err, errMalformed) {
		return errReply
	}
	if err != nil {
		return fioError(fioErrno(err))
	}
	if err := syscall.Unlink(path); err != nil {
		return fioError(fioErrno(err))
	}
	return fioResult(0)
}

// installFile gives f a File-I/O descriptor.
func (s *Session) installFile(f hostFile) response {
	if len(s.files.files) >= maxOpenFiles {
		f.Close()
		return fioError(fioEMFILE)
	}
	fd := s.files.next
	s.files.next++
	s.files.files[fd] = f
	return fioResult(int64(fd))
}

// filePread handles "pread:<fd>,<count>,<offset>".
func (s *Session) filePread(args string) response {
	parts := strings.Split(args, ",")
	if len(parts) != 3 {
		return errReply
	}
	fd, err1 := parseHex(parts[0])
	count, err2 := parseHex(parts[1])
	off, err3 := parseHex(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return errReply
	}
	f, found := s.files.files[int(fd)]
	if !found {
		return fioError(fioEBADF)
	}
	if max := uint64(PacketSize/2 - 32); count > max {
		count = max // escaping may double the reply
	}
	if off > 1<<62 {
		return fioError(fioEINVAL)
	}
	buf := make([]byte, count)
	n, err := f.ReadAt(buf, int64(off))
	if n == 0 && err != nil && !errors.Is(err, io.EOF) {
		return fioError(fioErrno(err))
	}
	return replyBytes(appendEscaped([]byte(fmt.Sprintf("F%x;", n)), buf[:n]))
}

// statReply encodes the File-I/O struct stat (big-endian, 64 bytes).
func statReply(st os.FileInfo) response {
	var b [64]byte
	be := binary.BigEndian
	var dev, ino, nlink, uid, gid, rdev uint32
	var blksize, blocks uint64
	var atime, ctime uint32
	if sys, isUnix := st.Sys().(*syscall.Stat_t); isUnix {
		dev, ino, nlink = uint32(sys.Dev), uint32(sys.Ino), uint32(sys.Nlink)
		uid, gid, rdev = sys.Uid, sys.Gid, uint32(sys.Rdev)
		blksize, blocks = uint64(sys.Blksize), uint64(sys.Blocks)
		atime, ctime = uint32(sys.Atim.Sec), uint32(sys.Ctim.Sec)
	}
	mode := uint32(st.Mode().Perm())
	switch {
	case st.Mode().IsRegular():
		mode |= 0o100000
	case st.IsDir():
		mode |= 0o040000
	}
	be.PutUint32(b[0:], dev)
	be.PutUint32(b[4:], ino)
	be.PutUint32(b[8:], mode)
	be.PutUint32(b[12:], nlink)
	be.PutUint32(b[16:], uid)
	be.PutUint32(b[20:], gid)
	be.PutUint32(b[24:], rdev)
	be.PutUint64(b[28:], uint64(st.Size()))
	be.PutUint64(b[36:], blksize)
	be.PutUint64(b[44:], blocks)
	be.PutUint32(b[52:], atime)
	be.PutUint32(b[56:], uint32(st.ModTime().Unix()))
	be.PutUint32(b[60:], ctime)
	return replyBytes(appendEscaped([]byte(fmt.Sprintf("F%x;", len(b))), b[:]))
}
