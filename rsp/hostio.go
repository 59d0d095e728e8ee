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

// Host I/O (vFile:...), which gdb uses to fetch the executable (and to look
// for separate debug files) when the stub offers qXfer:exec-file:read.
//
// Policy (secure by default): only read-only opens of absolute paths are
// allowed. /proc/<pid>/exe names the tracee's executable; maps and cmdline
// of the emulated process are synthesised (procfs.go); other /proc paths
// give ENOENT, and host /proc is never exposed. Writes, unlink and pwrite
// are refused.

// File-I/O errno values (GDB manual, "Errno Values").
const (
	fioEPERM    = 1
	fioENOENT   = 2
	fioEBADF    = 9
	fioEACCES   = 13
	fioEINVAL   = 22
	fioEMFILE   = 24
	fioEUNKNOWN = 9999
)

// File-I/O open flags.
const fioOAccMode = 3

const maxOpenFiles = 64

// hostFiles holds the files opened through vFile:open.
type hostFiles struct {
	files map[int]hostFile
	next  int
	fsPid int // vFile:setfs: 0 = the stub's view
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

// fioErrno maps a host error to a File-I/O errno.
func fioErrno(err error) int {
	var errno syscall.Errno
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fioENOENT
	case errors.Is(err, fs.ErrPermission):
		return fioEACCES
	case errors.As(err, &errno):
		switch errno {
		case syscall.EISDIR:
			return 21
		case syscall.ENOTDIR:
			return 20
		case syscall.EINVAL:
			return fioEINVAL
		case syscall.ENAMETOOLONG:
			return 91
		case syscall.ELOOP:
			return fioENOENT
		}
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
		return fioError(fioEBADF) // files are only opened read-only
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
		path, err := s.filePath(args)
		if err != nil {
			return fioError(fioENOENT)
		}
		st, err := os.Stat(path)
		if err != nil {
			return fioError(fioErrno(err))
		}
		return statReply(st)
	case "unlink":
		return fioError(fioEPERM)
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
// the host path to open.
func (s *Session) filePath(hexPath string) (string, error) {
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
	if clean == "/proc" || strings.HasPrefix(clean, "/proc/") ||
		clean == "/sys" || strings.HasPrefix(clean, "/sys/") ||
		clean == "/dev" || strings.HasPrefix(clean, "/dev/") {
		return "", fs.ErrNotExist
	}
	return clean, nil
}

// fileOpen handles "open:<hexpath>,<flags>,<mode>".
func (s *Session) fileOpen(args string) response {
	parts := strings.Split(args, ",")
	if len(parts) != 3 {
		return errReply
	}
	flags, err1 := parseHex(parts[1])
	_, err2 := parseHex(parts[2])
	if err1 != nil || err2 != nil {
		return errReply
	}
	if flags&fioOAccMode != 0 || flags&^uint64(fioOAccMode) != 0 {
		return fioError(fioEACCES) // read-only, no create/trunc/append
	}
	if name, err := decodeHexBytes(parts[0]); err == nil {
		if entry, isProc := s.procEntry(string(name)); isProc && entry != "exe" {
			mf, found := s.procFile(entry)
			if !found {
				return fioError(fioENOENT)
			}
			return s.installFile(mf)
		}
	}
	path, err := s.filePath(parts[0])
	if errors.Is(err, errMalformed) {
		return errReply
	}
	if err != nil {
		return fioError(fioENOENT)
	}
	if len(s.files.files) >= maxOpenFiles {
		return fioError(fioEMFILE)
	}
	f, err := os.Open(path)
	if err != nil {
		return fioError(fioErrno(err))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return fioError(fioEACCES) // no directories, fifos or devices
	}
	return s.installFile(f)
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
