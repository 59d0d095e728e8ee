package target

import (
	"io"
	"time"
)

// Host is the single gateway between the guest and the host machine. Every
// input the guest can observe that does not come from its own memory goes
// through it (files, directories, clocks, terminal queries, user ids), so a
// recording Host can later make runs replayable. Errors should be
// syscall.Errno values (Linux numbering); anything else becomes EIO.
type Host interface {
	// Open opens path with Linux open(2) flags and mode.
	Open(path string, flags int, mode uint32) (HostFile, error)
	// Stat describes path, following a final symlink if follow is set.
	Stat(path string, follow bool) (Stat, error)
	// Readlink reads a symbolic link.
	Readlink(path string) (string, error)
	// Access checks path with access(2) mode bits.
	Access(path string, mode uint32) error
	// Getwd is the current directory relative paths are resolved from.
	Getwd() (string, error)
	// Clock reads clock id (Linux CLOCK_* numbering).
	Clock(id int) (sec, nsec int64, err error)
	// Sleep waits for d or until cancel receives; it reports whether the
	// full time elapsed.
	Sleep(d time.Duration, cancel <-chan struct{}) bool
	// Terminal answers the terminal ioctls (TCGETS, TIOCGWINSZ) for a host
	// stream: f is a Config stream or a HostFile. It fails with ENOTTY when
	// f is not a terminal.
	Terminal(f any, req uint32, out []byte) error
	// StatStream is fstat(2) of a Config stream (Stdin/Stdout/Stderr) that
	// is backed by a host file; other streams fail with ENOTSUP.
	StatStream(f any) (Stat, error)
	// IDs are the user and group ids the guest sees (uid, euid, gid, egid).
	IDs() (uid, euid, gid, egid int)
}

// HostFile is an open host file.
type HostFile interface {
	io.Reader
	io.Writer
	io.Seeker
	io.ReaderAt
	io.WriterAt
	io.Closer
	Stat() (Stat, error)
	// ReadDirents reads directory entries as Linux getdents64 records.
	ReadDirents(buf []byte) (int, error)
}

// Stat is Linux's struct stat, host independent.
type Stat struct {
	Dev, Ino, Nlink uint64
	Mode, UID, GID  uint32
	Rdev            uint64
	Size            int64
	Blksize, Blocks int64
	Atime, Mtime    Timespec
	Ctime           Timespec
}

// Timespec is a time in seconds and nanoseconds.
type Timespec struct{ Sec, Nsec int64 }

// File type bits of Stat.Mode.
const (
	sIFMT   = 0o170000
	sIFIFO  = 0o010000
	sIFCHR  = 0o020000
	sIFDIR  = 0o040000
	sIFREG  = 0o100000
	sIFLNK  = 0o120000
	statLen = 144
)

// encode lays s out as the x86_64 struct stat (144 bytes).
func (s *Stat) encode() []byte {
	b := make([]byte, statLen)
	le.PutUint64(b[0:], s.Dev)
	le.PutUint64(b[8:], s.Ino)
	le.PutUint64(b[16:], s.Nlink)
	le.PutUint32(b[24:], s.Mode)
	le.PutUint32(b[28:], s.UID)
	le.PutUint32(b[32:], s.GID)
	le.PutUint64(b[40:], s.Rdev)
	le.PutUint64(b[48:], uint64(s.Size))
	le.PutUint64(b[56:], uint64(s.Blksize))
	le.PutUint64(b[64:], uint64(s.Blocks))
	le.PutUint64(b[72:], uint64(s.Atime.Sec))
	le.PutUint64(b[80:], uint64(s.Atime.Nsec))
	le.PutUint64(b[88:], uint64(s.Mtime.Sec))
	le.PutUint64(b[96:], uint64(s.Mtime.Nsec))
	le.PutUint64(b[104:], uint64(s.Ctime.Sec))
	le.PutUint64(b[112:], uint64(s.Ctime.Nsec))
	return b
}
