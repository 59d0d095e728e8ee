package rsp

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/ptrace"
)

// Files of /proc/PID synthesised for the emulated process and served
// through vFile (gdb's "info proc mappings", "info proc cmdline", "info
// proc exe"): maps, cmdline and exe. Host /proc is never exposed.

// RegionLister is a Tracer that lists the tracee's mapped memory
// (/proc/PID/maps). *ptrace.Session provides it.
type RegionLister interface {
	MemoryRegions() ([]ptrace.Region, error)
}

// hostFile is a file opened through vFile:open.
type hostFile interface {
	io.ReaderAt
	Stat() (os.FileInfo, error)
	Close() error
}

// memFile is a synthesised file.
type memFile struct {
	name string
	data []byte
}

func (m *memFile) ReadAt(b []byte, off int64) (int, error) {
	if off >= int64(len(m.data)) {
		return 0, io.EOF
	}
	n := copy(b, m.data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (m *memFile) Close() error { return nil }

// Stat reports a size of 0, as Linux does for /proc files.
func (m *memFile) Stat() (os.FileInfo, error) { return memInfo{m.name}, nil }

type memInfo struct{ name string }

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return 0 }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// procEntry returns the entry name ("maps", "exe", ...) when name is
// /proc/<our pid>/<entry> (or /proc/self/<entry> in the process's
// filesystem view, after vFile:setfs:<pid>).
func (s *Session) procEntry(name string) (string, bool) {
	rest, found := strings.CutPrefix(name, "/proc/")
	if !found {
		return "", false
	}
	who, entry, found := strings.Cut(rest, "/")
	if !found {
		return "", false
	}
	if who != strconv.Itoa(s.t.Pid()) && (who != "self" || s.files.fsPid == 0) {
		return "", false
	}
	return entry, true
}

// procFile synthesises /proc/PID/<entry>; ok is false for entries that
// are not synthesised.
func (s *Session) procFile(entry string) (*memFile, bool) {
	switch entry {
	case "maps":
		if s.exited {
			return nil, false
		}
		if data, err := s.procMaps(); err == nil {
			return &memFile{name: entry, data: data}, true
		}
	case "cmdline":
		if s.exited {
			return nil, false
		}
		return &memFile{name: entry, data: s.procCmdline()}, true
	}
	return nil, false
}

// imageInfo is what maps needs from the executable: its load segments,
// relocated by the load base (non-zero for a static PIE).
type imageInfo struct {
	path      string
	base      uint64
	segs      []*elf.Prog
	dev, ino  uint64
	imageEnd  uint64 // end of the highest segment (the heap starts after it)
	isDynamic bool   // ET_DYN (static PIE)
}

// auxvValue finds an auxiliary vector entry.
func (s *Session) auxvValue(key uint64) (uint64, bool) {
	ar, has := s.t.(AuxvReader)
	if !has {
		return 0, false
	}
	a := ar.Auxv()
	for i := 0; i+16 <= len(a); i += 16 {
		k := binary.LittleEndian.Uint64(a[i:])
		if k == key {
			return binary.LittleEndian.Uint64(a[i+8:]), true
		}
		if k == 0 {
			break
		}
	}
	return 0, false
}

const (
	atEntry = 9
)

// image reads the executable's program headers and computes the load
// base from AT_ENTRY.
func (s *Session) image() (*imageInfo, error) {
	ef, has := s.t.(ExecFiler)
	if !has {
		return nil, fs.ErrNotExist
	}
	path := ef.Exe()
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	img := &imageInfo{path: path, isDynamic: f.Type == elf.ET_DYN}
	if entry, ok := s.auxvValue(atEntry); ok {
		img.base = entry - f.Entry
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			img.segs = append(img.segs, p)
			if end := img.base + p.Vaddr + p.Memsz; end > img.imageEnd {
				img.imageEnd = end
			}
		}
	}
	if st, err := os.Stat(path); err == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			img.dev, img.ino = uint64(sys.Dev), sys.Ino
		}
	}
	return img, nil
}

// mapsEntry is one line of /proc/PID/maps: a run of pages with the same
// permissions and backing.
type mapsEntry struct {
	start, end    uint64
	r             ptrace.Region
	off, dev, ino uint64
	name          string
}

// mapsEntries splits the mapped regions like Linux's /proc/PID/maps:
// pages of the executable's load segments are named by its path (with
// the file offset), the run after the last segment is [heap], the run
// holding the initial stack pointer [stack]. lldb's qMemoryRegionInfo
// uses the same names.
func (s *Session) mapsEntries() ([]mapsEntry, error) {
	rl, has := s.t.(RegionLister)
	if !has {
		return nil, fs.ErrNotExist
	}
	regions, err := rl.MemoryRegions()
	if err != nil {
		return nil, err
	}
	img, _ := s.image()
	var out []mapsEntry
	for _, r := range regions {
		start := r.Start
		// Split the run at segment boundaries of the executable.
		for start < r.End {
			e := mapsEntry{start: start, end: r.End, r: r}
			if img != nil {
				for _, p := range img.segs {
					lo := (img.base + p.Vaddr) &^ (pageSize - 1)
					hi := (img.base + p.Vaddr + p.Memsz + pageSize - 1) &^ (pageSize - 1)
					// As in Linux, only the pages holding file data map
					// the file; the rest of the bss is anonymous.
					fileHi := min(hi, (img.base+p.Vaddr+p.Filesz+pageSize-1)&^(pageSize-1))
					if start >= lo && start < fileHi {
						e.end = min(e.end, fileHi)
						e.name, e.dev, e.ino = img.path, img.dev, img.ino
						e.off = (p.Off &^ (pageSize - 1)) + (start - lo)
						break
					}
					if start >= fileHi && start < hi {
						e.end = min(e.end, hi)
						break
					}
					if lo > start && lo < e.end {
						e.end = lo // the next segment starts inside this run
					}
				}
				if e.name == "" && start >= img.imageEnd && start < img.imageEnd+pageSize {
					e.name = "[heap]"
				}
			}
			if e.name == "" && s.initialSP >= start && s.initialSP < e.end {
				e.name = "[stack]"
			}
			out = append(out, e)
			start = e.end
		}
	}
	return out, nil
}

// procMaps formats mapsEntries like Linux's /proc/PID/maps:
// "start-end perms offset dev inode" padded to column 73, then the name.
func (s *Session) procMaps() ([]byte, error) {
	entries, err := s.mapsEntries()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, e := range entries {
		perm := []byte("---p")
		if e.r.Read {
			perm[0] = 'r'
		}
		if e.r.Write {
			perm[1] = 'w'
		}
		if e.r.Execute {
			perm[2] = 'x'
		}
		major := (e.dev>>8)&0xfff | (e.dev>>32)&^0xfff
		minor := e.dev&0xff | (e.dev>>12)&^0xff
		l := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d ", e.start, e.end, perm, e.off, major, minor, e.ino)
		if e.name != "" {
			for len(l) < 73 {
				l += " "
			}
			l += e.name
		}
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return b.Bytes(), nil
}

// recordArgs remembers where argv's strings are on the initial stack
// (Linux's arg_start..arg_end) when the session starts at the entry point,
// and the initial stack pointer.
func (s *Session) recordArgs() {
	regs, err := s.t.IntRegs(s.stopTid)
	if err != nil {
		return
	}
	s.initialSP = regs.RSP
	entry, ok := s.auxvValue(atEntry)
	if !ok || regs.RIP != entry {
		return
	}
	var w [8]byte
	if s.t.ReadMem(regs.RSP, w[:]) != nil {
		return
	}
	argc := binary.LittleEndian.Uint64(w[:])
	if argc == 0 || argc > 4096 {
		return
	}
	var first, last uint64
	for i := uint64(0); i < argc; i++ {
		if s.t.ReadMem(regs.RSP+8+8*i, w[:]) != nil {
			return
		}
		p := binary.LittleEndian.Uint64(w[:])
		if i == 0 {
			first = p
		}
		last = p
	}
	// The last string ends at its NUL.
	end := last
	var c [1]byte
	for n := 0; n < 1<<17; n++ {
		if s.t.ReadMem(end, c[:]) != nil {
			return
		}
		end++
		if c[0] == 0 {
			s.argStart, s.argEnd = first, end
			return
		}
	}
}

// procCmdline is argv as NUL-terminated strings, read from the live
// stack like Linux does; without it, the executable's path.
func (s *Session) procCmdline() []byte {
	if s.argEnd > s.argStart && s.argEnd-s.argStart <= 1<<17 {
		b := make([]byte, s.argEnd-s.argStart)
		if s.t.ReadMem(s.argStart, b) == nil {
			return b
		}
	}
	if ef, has := s.t.(ExecFiler); has {
		return append([]byte(ef.Exe()), 0)
	}
	return nil
}

// qOffsets answers "Text=<base>;Data=<base>;Bss=<base>": 0 for a
// fixed-address executable, the load base of a static PIE.
func (s *Session) qOffsets() response {
	img, err := s.image()
	if err != nil {
		return empty
	}
	b := hexString(img.base)
	return reply("Text=" + b + ";Data=" + b + ";Bss=" + b)
}
