package target

import (
	"errors"
	"io"
	"path"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// System calls that change the file system or the process's place in it
// (mkdir, unlink, rename, links, chmod, truncate, chdir, umask), sendfile,
// sysinfo and mremap.

// HostFS is the part of a Host that lets the guest change the host's file
// system. It is optional: with a Host that does not implement it, these
// system calls fail with EROFS (a read-only file system), so a
// sandboxing Host need not know about them.
type HostFS interface {
	Mkdir(path string, mode uint32) error
	Unlink(path string) error
	Rmdir(path string) error
	Rename(from, to string) error
	Link(oldpath, newpath string) error
	Symlink(target, link string) error
	Chmod(path string, mode uint32) error
	Truncate(path string, size int64) error
	// Utimes sets the access and modification times (Nsec may be
	// Linux's UTIME_NOW or UTIME_OMIT), of a final symlink itself
	// unless follow.
	Utimes(path string, atime, mtime Timespec, follow bool) error
	// Chown changes the owner and group (-1: unchanged), of a final
	// symlink itself unless follow.
	Chown(path string, uid, gid int, follow bool) error
	// Statfs describes the file system holding path as Linux's 120-byte
	// struct statfs.
	Statfs(path string) ([]byte, error)
}

// truncater is a HostFile that can be truncated (ftruncate).
type truncater interface{ Truncate(size int64) error }

// chmoder is a HostFile whose mode can be changed (fchmod).
type chmoder interface{ Chmod(mode uint32) error }

const (
	sysTruncate   = 76
	sysFtruncate  = 77
	sysFsync      = 74
	sysFdatasync  = 75
	sysChdir      = 80
	sysFchdir     = 81
	sysRename     = 82
	sysMkdir      = 83
	sysRmdir      = 84
	sysLink       = 86
	sysUnlink     = 87
	sysSymlink    = 88
	sysChmod      = 90
	sysFchmod     = 91
	sysUmask      = 95
	sysSysinfo    = 99
	sysSendfile   = 40
	sysMremap     = 25
	sysMkdirat    = 258
	sysUnlinkat   = 263
	sysRenameat   = 264
	sysLinkat     = 265
	sysSymlinkat  = 266
	sysFchmodat   = 268
	sysRenameat2  = 316
	sysUtimensat  = 280
	sysChown      = 92
	sysFchown     = 93
	sysLchown     = 94
	sysFchownat   = 260
	sysStatfs     = 137
	sysFstatfs    = 138
	utimeNow      = 1<<30 - 1
	utimeOmit     = 1<<30 - 2
	eROFS         = 30
	eXDEV         = 18
	atRemovedir   = 0x200
	atSymlinkFoll = 0x400

	mremapMaymove = 1
	mremapFixed   = 2
)

// fsSyscall runs the system calls of this file; ok is false for others.
func (p *Process) fsSyscall(nr, a0, a1, a2, a3, a4 uint64) (uint64, bool) {
	switch nr {
	case sysMkdir:
		return p.sysMkdirat(atFDCWD, a0, uint32(a1)), true
	case sysMkdirat:
		return p.sysMkdirat(int32(a0), a1, uint32(a2)), true
	case sysRmdir:
		return p.sysUnlinkat(atFDCWD, a0, atRemovedir), true
	case sysUnlink:
		return p.sysUnlinkat(atFDCWD, a0, 0), true
	case sysUnlinkat:
		return p.sysUnlinkat(int32(a0), a1, int(int32(a2))), true
	case sysRename:
		return p.sysRenameat(atFDCWD, a0, atFDCWD, a1, 0), true
	case sysRenameat:
		return p.sysRenameat(int32(a0), a1, int32(a2), a3, 0), true
	case sysRenameat2:
		return p.sysRenameat(int32(a0), a1, int32(a2), a3, uint32(a4)), true
	case sysLink:
		return p.sysLinkat(atFDCWD, a0, atFDCWD, a1, 0), true
	case sysLinkat:
		return p.sysLinkat(int32(a0), a1, int32(a2), a3, int(int32(a4))), true
	case sysSymlink:
		return p.sysSymlinkat(a0, atFDCWD, a1), true
	case sysSymlinkat:
		return p.sysSymlinkat(a0, int32(a1), a2), true
	case sysChmod:
		return p.sysFchmodat(atFDCWD, a0, uint32(a1)), true
	case sysFchmodat:
		return p.sysFchmodat(int32(a0), a1, uint32(a2)), true
	case sysFchmod:
		return p.sysFchmod(int32(a0), uint32(a1)), true
	case sysTruncate:
		return p.sysTruncate(a0, int64(a1)), true
	case sysFtruncate:
		return p.sysFtruncate(int32(a0), int64(a1)), true
	case sysFsync, sysFdatasync:
		if p.files.get(int32(a0)) == nil {
			return fail(eBADF), true
		}
		return 0, true
	case sysChdir:
		return p.sysChdir(a0), true
	case sysFchdir:
		return p.sysFchdir(int32(a0)), true
	case sysUmask:
		old := p.umask
		p.umask = uint32(a0) & 0o777
		return uint64(old), true
	case sysSendfile:
		return p.sysSendfile(int32(a0), int32(a1), a2, a3), true
	case sysSysinfo:
		return p.sysSysinfo(a0), true
	case sysMremap:
		return p.sysMremap(a0, a1, a2, int(int32(a3)), a4), true
	case sysChown:
		return p.sysFchownat(atFDCWD, a0, int(int32(a1)), int(int32(a2)), 0), true
	case sysLchown:
		return p.sysFchownat(atFDCWD, a0, int(int32(a1)), int(int32(a2)), atSymlinkNofollow), true
	case sysFchownat:
		return p.sysFchownat(int32(a0), a1, int(int32(a2)), int(int32(a3)), int(int32(a4))), true
	case sysFchown:
		f := p.files.get(int32(a0))
		if f == nil {
			return fail(eBADF), true
		}
		if f.file == nil {
			return fail(eINVAL), true
		}
		return p.fsWrite(func(fs HostFS) error { return fs.Chown(f.path, int(int32(a1)), int(int32(a2)), true) }), true
	case sysStatfs, sysFstatfs:
		var name string
		if nr == sysFstatfs {
			f := p.files.get(int32(a0))
			if f == nil {
				return fail(eBADF), true
			}
			if f.file == nil {
				return fail(eNOSYS), true // a stream (pipe, terminal): not modelled
			}
			name = f.path
		} else {
			var r uint64
			if name, r = p.pathArg(atFDCWD, a0); r != 0 {
				return r, true
			}
		}
		if p.fs() == nil {
			return fail(eNOSYS), true
		}
		b, err := p.fs().Statfs(name)
		if err != nil {
			return fail(errnoOf(err)), true
		}
		return p.putBytes(a1, b), true
	case sysUtimensat:
		return p.sysUtimensat(int32(a0), a1, a2, int(int32(a3))), true
	}
	return 0, false
}

// pathArg reads a path argument and resolves it against dirfd.
func (p *Process) pathArg(dirfd int32, addr uint64) (string, uint64) {
	name, r := p.getPath(addr)
	if r != 0 {
		return "", r
	}
	return p.resolve(dirfd, name)
}

// fs returns the host's HostFS, or nil (EROFS).
func (p *Process) fs() HostFS {
	f, _ := p.host.(HostFS)
	return f
}

// fsWrite runs an operation that changes the host file system; a Host
// without HostFS leaves the guest a read-only file system (EROFS).
func (p *Process) fsWrite(op func(HostFS) error) uint64 {
	fs := p.fs()
	if fs == nil {
		return fail(eROFS)
	}
	return fsResult(op(fs))
}

// pathArgs2 resolves the two path arguments of rename- and link-style calls.
func (p *Process) pathArgs2(olddir int32, oldAddr uint64, newdir int32, newAddr uint64) (from, to string, r uint64) {
	if from, r = p.pathArg(olddir, oldAddr); r != 0 {
		return "", "", r
	}
	if to, r = p.pathArg(newdir, newAddr); r != 0 {
		return "", "", r
	}
	return from, to, 0
}

// fsResult turns a host error into a syscall result.
func fsResult(err error) uint64 {
	if err != nil {
		return fail(errnoOf(err))
	}
	return 0
}

func (p *Process) sysMkdirat(dirfd int32, addr uint64, mode uint32) uint64 {
	name, r := p.pathArg(dirfd, addr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Mkdir(name, mode&0o7777&^p.umask) })
}

func (p *Process) sysUnlinkat(dirfd int32, addr uint64, flags int) uint64 {
	if flags&^atRemovedir != 0 {
		return fail(eINVAL)
	}
	name, r := p.pathArg(dirfd, addr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error {
		if flags&atRemovedir != 0 {
			return fs.Rmdir(name)
		}
		return fs.Unlink(name)
	})
}

func (p *Process) sysRenameat(olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags uint32) uint64 {
	if flags != 0 {
		return fail(eINVAL) // RENAME_NOREPLACE and friends: not offered
	}
	from, to, r := p.pathArgs2(olddir, oldAddr, newdir, newAddr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Rename(from, to) })
}

func (p *Process) sysLinkat(olddir int32, oldAddr uint64, newdir int32, newAddr uint64, flags int) uint64 {
	if flags&^atSymlinkFoll != 0 {
		return fail(eINVAL)
	}
	from, to, r := p.pathArgs2(olddir, oldAddr, newdir, newAddr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Link(from, to) })
}

func (p *Process) sysSymlinkat(targetAddr uint64, newdir int32, linkAddr uint64) uint64 {
	target, r := p.getPath(targetAddr)
	if r != 0 {
		return r
	}
	if target == "" {
		return fail(eNOENT)
	}
	link, r := p.pathArg(newdir, linkAddr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Symlink(target, link) })
}

func (p *Process) sysFchmodat(dirfd int32, addr uint64, mode uint32) uint64 {
	name, r := p.pathArg(dirfd, addr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Chmod(name, mode&0o7777) })
}

func (p *Process) sysFchmod(fd int32, mode uint32) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	c, ok := f.file.(chmoder)
	if !ok {
		return fail(eROFS)
	}
	return fsResult(c.Chmod(mode & 0o7777))
}

func (p *Process) sysTruncate(addr uint64, size int64) uint64 {
	if size < 0 {
		return fail(eINVAL)
	}
	name, r := p.pathArg(atFDCWD, addr)
	if r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Truncate(name, size) })
}

func (p *Process) sysFtruncate(fd int32, size int64) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	if size < 0 || f.file == nil || !f.writable() {
		return fail(eINVAL)
	}
	t, ok := f.file.(truncater)
	if !ok {
		return fail(eINVAL)
	}
	return fsResult(t.Truncate(size))
}

// The current directory is kept per process (a fork inherits it), not in
// the stub's own: relative paths are resolved against it (see resolve).

func (p *Process) setCwd(dir string) uint64 {
	st, err := p.host.Stat(dir, true)
	if err != nil {
		return fail(errnoOf(err))
	}
	if st.Mode&sIFMT != sIFDIR {
		return fail(eNOTDIR)
	}
	if err := p.host.Access(dir, 1); err != nil { // search permission
		return fail(errnoOf(err))
	}
	if !path.IsAbs(dir) {
		wd, err := p.host.Getwd()
		if err != nil {
			return fail(errnoOf(err))
		}
		dir = path.Join(wd, dir)
	}
	p.cwd = path.Clean(dir)
	return 0
}

func (p *Process) sysChdir(addr uint64) uint64 {
	name, r := p.pathArg(atFDCWD, addr)
	if r != 0 {
		return r
	}
	return p.setCwd(name)
}

func (p *Process) sysFchdir(fd int32) uint64 {
	f := p.files.get(fd)
	if f == nil {
		return fail(eBADF)
	}
	if f.file == nil {
		return fail(eNOTDIR)
	}
	return p.setCwd(f.path)
}

// sendfile copies between host files, or from a host file to any
// writable descriptor; other sources fail with EINVAL as on Linux (callers
// then fall back to read and write).
func (p *Process) sysSendfile(outFd, inFd int32, offAddr, count uint64) uint64 {
	in, out := p.files.get(inFd), p.files.get(outFd)
	if in == nil || out == nil || !in.readable() || !out.writable() {
		return fail(eBADF)
	}
	if in.file == nil {
		return fail(eINVAL)
	}
	count = min(count, ioChunk)
	buf := make([]byte, count)
	var n int
	var off uint64
	if offAddr != 0 {
		var r uint64
		if off, r = p.getU64(offAddr); r != 0 {
			return r
		}
		if int64(off) < 0 {
			return fail(eINVAL)
		}
		var err error
		n, err = in.file.ReadAt(buf, int64(off))
		if n == 0 && err != nil && !errors.Is(err, io.EOF) {
			return fail(errnoOf(err))
		}
	} else {
		var err error
		if n, err = in.read(buf); err != nil {
			return fail(errnoOf(err))
		}
	}
	if n == 0 {
		return 0
	}
	w, err := p.writeFile(out, buf[:n])
	if w == 0 && err != nil {
		if offAddr == 0 {
			_, _ = in.file.Seek(int64(-n), io.SeekCurrent) // give back what was read
		}
		return fail(errnoOf(err))
	}
	if offAddr != 0 {
		if r := p.putU64(offAddr, off+uint64(w)); r != 0 {
			return r
		}
	} else if w < n {
		_, _ = in.file.Seek(int64(w-n), io.SeekCurrent)
	}
	return uint64(w)
}

// sysSysinfo describes a machine whose memory is the guest's limit.
func (p *Process) sysSysinfo(addr uint64) uint64 {
	b := make([]byte, 112)
	sec, _, err := p.host.Clock(1) // CLOCK_MONOTONIC: the uptime
	if err != nil {
		sec = 0
	}
	free := p.maxMemory - min(p.committed(), p.maxMemory)
	le.PutUint64(b[0:], uint64(sec))
	le.PutUint64(b[32:], p.maxMemory) // totalram
	le.PutUint64(b[40:], free)        // freeram
	le.PutUint16(b[80:], 1)           // procs
	le.PutUint32(b[104:], 1)          // mem_unit
	return p.putBytes(addr, b)
}

// sysMremap resizes a mapping: in place when it shrinks or the pages
// after it are free, else (with MREMAP_MAYMOVE) by moving it.
func (p *Process) sysMremap(old, oldSize, newSize uint64, flags int, newAddr uint64) uint64 {
	if old&pageMask != 0 || flags&^(mremapMaymove|mremapFixed) != 0 || newSize == 0 ||
		flags&mremapFixed != 0 && flags&mremapMaymove == 0 {
		return fail(eINVAL)
	}
	oldSize, newSize = pageUp(oldSize), pageUp(newSize)
	if oldSize == 0 || old+oldSize < old || old+newSize < old || newSize > taskSize {
		return fail(eINVAL)
	}
	if !p.Mem.IsMapped(old, oldSize) {
		return fail(eFAULT)
	}
	regs := p.regionsIn(old, oldSize)
	perm := regs[len(regs)-1].Perm
	if flags&mremapFixed == 0 {
		if newSize <= oldSize {
			if newSize < oldSize {
				if err := p.Mem.Unmap(old+newSize, oldSize-newSize); err != nil {
					return fail(eINVAL)
				}
			}
			return old
		}
		grow := newSize - oldSize
		if old+newSize <= taskSize && !p.anyMapped(old+oldSize, grow) {
			if !p.memoryAllows("mremap", old+oldSize, grow, perm) {
				return fail(eNOMEM)
			}
			if err := p.Mem.Map(old+oldSize, grow, perm); err != nil {
				return fail(eNOMEM)
			}
			return old
		}
		if flags&mremapMaymove == 0 {
			return fail(eNOMEM)
		}
	}
	var at uint64
	if flags&mremapFixed != 0 {
		if newAddr&pageMask != 0 || newAddr+newSize < newAddr || newAddr+newSize > taskSize || newAddr < mmapMinAddr ||
			newAddr < old+oldSize && old < newAddr+newSize {
			return fail(eINVAL)
		}
		at = newAddr
	} else {
		a, ok := p.Mem.FindFree(newSize, mmapBase)
		if !ok {
			return fail(eNOMEM)
		}
		at = a
	}
	if !p.memoryAllows("mremap", at, newSize-min(newSize, oldSize), perm) {
		return fail(eNOMEM)
	}
	// Copy page by page, keeping each page's permission; untouched pages
	// read as zero either way.
	keep := min(oldSize, newSize)
	if err := p.Mem.Map(at, newSize, perm); err != nil {
		return fail(eNOMEM)
	}
	page := make([]byte, emu.PageSize)
	for off := uint64(0); off < keep; off += emu.PageSize {
		if p.Mem.ReadForce(old+off, page) != nil {
			continue
		}
		if !allZero(page) {
			_ = p.Mem.WriteForce(at+off, page)
		}
	}
	for _, r := range p.regionsIn(old, keep) {
		if r.Perm != perm {
			_ = p.Mem.Protect(at+(r.Start-old), r.End-r.Start, r.Perm)
		}
	}
	_ = p.Mem.Unmap(old, oldSize)
	return at
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// sysUtimensat is utimensat and futimens (a NULL path: dirfd's file).
func (p *Process) sysUtimensat(dirfd int32, pathAddr, tsAddr uint64, flags int) uint64 {
	if flags&^atSymlinkNofollow != 0 {
		return fail(eINVAL)
	}
	var name string
	if pathAddr == 0 {
		f := p.files.get(dirfd)
		if f == nil {
			return fail(eBADF)
		}
		if f.file == nil {
			return fail(eINVAL) // a stream: not modelled
		}
		name = f.path
	} else {
		var r uint64
		if name, r = p.pathArg(dirfd, pathAddr); r != 0 {
			return r
		}
	}
	at, mt := Timespec{Nsec: utimeNow}, Timespec{Nsec: utimeNow}
	if tsAddr != 0 {
		b, r := p.getBytes(tsAddr, 32)
		if r != 0 {
			return r
		}
		at = Timespec{int64(le.Uint64(b)), int64(le.Uint64(b[8:]))}
		mt = Timespec{int64(le.Uint64(b[16:])), int64(le.Uint64(b[24:]))}
		for _, t := range []Timespec{at, mt} {
			if t.Nsec != utimeNow && t.Nsec != utimeOmit && (t.Nsec < 0 || t.Nsec >= 1e9) {
				return fail(eINVAL)
			}
		}
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Utimes(name, at, mt, flags&atSymlinkNofollow == 0) })
}

func (p *Process) sysFchownat(dirfd int32, addr uint64, uid, gid, flags int) uint64 {
	if flags&^(atSymlinkNofollow|atEmptyPath) != 0 {
		return fail(eINVAL)
	}
	name, r := p.getPath(addr)
	if r != 0 {
		return r
	}
	if name == "" && flags&atEmptyPath != 0 {
		f := p.files.get(dirfd)
		if f == nil {
			return fail(eBADF)
		}
		if f.file == nil {
			return fail(eINVAL)
		}
		name = f.path
	} else if name, r = p.resolve(dirfd, name); r != 0 {
		return r
	}
	return p.fsWrite(func(fs HostFS) error { return fs.Chown(name, uid, gid, flags&atSymlinkNofollow == 0) })
}
