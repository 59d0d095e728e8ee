//go:build linux

package target

import (
	"io"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// osHost is the real host. On a Linux host the guest's flags, modes and
// errnos need no translation.
type osHost struct{}

// NewOSHost returns the Host that passes everything through to this machine.
func NewOSHost() Host { return osHost{} }

func (osHost) Open(path string, flags int, mode uint32) (HostFile, error) {
	fd, err := syscall.Open(path, flags|syscall.O_CLOEXEC, mode)
	if err != nil {
		return nil, err
	}
	return &osFile{fd: fd}, nil
}

func (osHost) Stat(path string, follow bool) (Stat, error) {
	var st syscall.Stat_t
	var err error
	if follow {
		err = syscall.Stat(path, &st)
	} else {
		err = syscall.Lstat(path, &st)
	}
	if err != nil {
		return Stat{}, err
	}
	return fromSysStat(&st), nil
}

func (osHost) Readlink(path string) (string, error) {
	buf := make([]byte, 4096)
	n, err := syscall.Readlink(path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func (osHost) Access(path string, mode uint32) error { return syscall.Access(path, mode) }

func (osHost) Getwd() (string, error) { return syscall.Getwd() }

func (osHost) Clock(id int) (int64, int64, error) {
	var ts syscall.Timespec
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, uintptr(id), uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		return 0, 0, e
	}
	return ts.Sec, ts.Nsec, nil
}

func (osHost) Sleep(d time.Duration, cancel <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-cancel:
		return false
	}
}

func (osHost) Terminal(f any, req uint32, out []byte) error {
	var fd uintptr
	switch v := f.(type) {
	case *osFile:
		fd = uintptr(v.fd)
	case interface{ Fd() uintptr }:
		fd = v.Fd()
	default:
		return syscall.ENOTTY
	}
	var buf [64]byte
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(unsafe.Pointer(&buf[0])))
	if e != 0 {
		return e
	}
	copy(out, buf[:])
	return nil
}

func (osHost) StatStream(f any) (Stat, error) {
	v, ok := f.(interface{ Fd() uintptr })
	if !ok {
		return Stat{}, syscall.ENOTSUP
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(v.Fd()), &st); err != nil {
		return Stat{}, err
	}
	return fromSysStat(&st), nil
}

func (osHost) IDs() (int, int, int, int) {
	return os.Getuid(), os.Geteuid(), os.Getgid(), os.Getegid()
}

// osFile is a host file opened by osHost.
type osFile struct{ fd int }

func (f *osFile) Read(b []byte) (int, error) {
	n, err := syscall.Read(f.fd, b)
	if err != nil {
		return 0, err
	}
	if n == 0 && len(b) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *osFile) Write(b []byte) (int, error) {
	n, err := syscall.Write(f.fd, b)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (f *osFile) Seek(off int64, whence int) (int64, error) {
	return syscall.Seek(f.fd, off, whence)
}

func (f *osFile) ReadAt(b []byte, off int64) (int, error) {
	n, err := syscall.Pread(f.fd, b, off)
	if err != nil {
		return 0, err
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (f *osFile) WriteAt(b []byte, off int64) (int, error) {
	n, err := syscall.Pwrite(f.fd, b, off)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (f *osFile) Close() error { return syscall.Close(f.fd) }

func (f *osFile) Stat() (Stat, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(f.fd, &st); err != nil {
		return Stat{}, err
	}
	return fromSysStat(&st), nil
}

func (f *osFile) ReadDirents(buf []byte) (int, error) {
	return syscall.Getdents(f.fd, buf)
}

func fromSysStat(st *syscall.Stat_t) Stat {
	return Stat{
		Dev: st.Dev, Ino: st.Ino, Nlink: uint64(st.Nlink),
		Mode: st.Mode, UID: st.Uid, GID: st.Gid, Rdev: st.Rdev,
		Size: st.Size, Blksize: int64(st.Blksize), Blocks: st.Blocks,
		Atime: Timespec{st.Atim.Sec, st.Atim.Nsec},
		Mtime: Timespec{st.Mtim.Sec, st.Mtim.Nsec},
		Ctime: Timespec{st.Ctim.Sec, st.Ctim.Nsec},
	}
}

// The HostFS operations pass straight through.

var _ HostFS = osHost{}

func (osHost) Mkdir(path string, mode uint32) error { return syscall.Mkdir(path, mode) }
func (osHost) Unlink(path string) error             { return syscall.Unlink(path) }
func (osHost) Rmdir(path string) error              { return syscall.Rmdir(path) }
func (osHost) Rename(from, to string) error         { return syscall.Rename(from, to) }
func (osHost) Link(oldpath, newpath string) error   { return syscall.Link(oldpath, newpath) }
func (osHost) Symlink(target, link string) error    { return syscall.Symlink(target, link) }
func (osHost) Chmod(path string, mode uint32) error { return syscall.Chmod(path, mode) }
func (osHost) Truncate(path string, size int64) error {
	return syscall.Truncate(path, size)
}

func (f *osFile) Truncate(size int64) error { return syscall.Ftruncate(f.fd, size) }
func (f *osFile) Chmod(mode uint32) error   { return syscall.Fchmod(f.fd, mode) }

func (osHost) Utimes(path string, atime, mtime Timespec, follow bool) error {
	p, err := syscall.BytePtrFromString(path)
	if err != nil {
		return err
	}
	ts := [2]syscall.Timespec{{Sec: atime.Sec, Nsec: atime.Nsec}, {Sec: mtime.Sec, Nsec: mtime.Nsec}}
	flags := 0
	if !follow {
		flags = atSymlinkNofollow
	}
	const atFdcwd = -100
	fd := atFdcwd
	_, _, e := syscall.Syscall6(syscall.SYS_UTIMENSAT, uintptr(fd), uintptr(unsafe.Pointer(p)),
		uintptr(unsafe.Pointer(&ts[0])), uintptr(flags), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func (osHost) Chown(path string, uid, gid int, follow bool) error {
	if follow {
		return syscall.Chown(path, uid, gid)
	}
	return syscall.Lchown(path, uid, gid)
}

func (osHost) Statfs(path string) ([]byte, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return nil, err
	}
	// The host's struct statfs is the guest's (both x86_64 Linux).
	b := unsafe.Slice((*byte)(unsafe.Pointer(&st)), unsafe.Sizeof(st))
	return append([]byte(nil), b...), nil
}

// Readiness of host streams (hostio.go), by poll(2).

var _ HostPoller = osHost{}

// hostFD is the host descriptor behind a HostFile or Config stream.
func hostFD(f any) (int, bool) {
	switch v := f.(type) {
	case *osFile:
		return v.fd, true
	case interface{ Fd() uintptr }:
		return int(v.Fd()), true
	}
	return -1, false
}

func (osHost) Pollable(f any) bool {
	fd, ok := hostFD(f)
	if !ok {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFIFO, syscall.S_IFCHR, syscall.S_IFSOCK:
		return true
	}
	return false // regular files, directories, block devices never block
}

// pollFd is struct pollfd.
type pollFd struct {
	fd             int32
	events, revent int16
}

const (
	pollIn  = 0x1
	pollOut = 0x4
)

// pollHost is poll(2) with a timeout in milliseconds; EINTR counts as
// nothing ready.
func pollHost(fds []pollFd, ms int) int {
	if len(fds) == 0 {
		return 0
	}
	n, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)), uintptr(ms))
	if e != 0 {
		return 0
	}
	return int(n)
}

func (osHost) Ready(f any, write bool) bool {
	fd, ok := hostFD(f)
	if !ok {
		return true
	}
	ev := int16(pollIn)
	if write {
		ev = pollOut
	}
	fds := [1]pollFd{{fd: int32(fd), events: ev}}
	if pollHost(fds[:], 0) < 0 {
		return true
	}
	// POLLHUP, POLLERR and POLLNVAL also make the call return now.
	return fds[0].revent != 0
}

// waitSlice bounds one poll(2) so that cancel is noticed promptly.
const waitSlice = 20 * time.Millisecond

func (osHost) WaitReady(ws []HostWait, d time.Duration, cancel <-chan struct{}) {
	fds := make([]pollFd, 0, len(ws))
	for _, w := range ws {
		fd, ok := hostFD(w.F)
		if !ok {
			continue
		}
		var ev int16
		if w.Read {
			ev |= pollIn
		}
		if w.Write {
			ev |= pollOut
		}
		fds = append(fds, pollFd{fd: int32(fd), events: ev})
	}
	deadline := time.Now().Add(d)
	for {
		select {
		case <-cancel:
			return
		default:
		}
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		slice := min(left, waitSlice)
		if len(fds) == 0 {
			time.Sleep(slice)
			continue
		}
		ms := int((slice + time.Millisecond - 1) / time.Millisecond)
		if pollHost(fds, ms) > 0 {
			return
		}
	}
}
