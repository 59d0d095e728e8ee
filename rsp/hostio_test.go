package rsp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestHostOpenFlags(t *testing.T) {
	tests := []struct {
		fio  uint64
		host int
		ok   bool
	}{
		{0, os.O_RDONLY, true},
		{fioOWronly, os.O_WRONLY, true},
		{fioORdwr, os.O_RDWR, true},
		// gdb's "remote put": O_WRONLY|O_CREAT|O_TRUNC.
		{0x601, os.O_WRONLY | os.O_CREATE | os.O_TRUNC, true},
		{0x80a, os.O_RDWR | os.O_APPEND | os.O_EXCL, true},
		{0xa01, os.O_WRONLY | os.O_CREATE | os.O_EXCL, true},
		{3, 0, false},      // no such access mode
		{0x1000, 0, false}, // unknown flag
		{0x4, 0, false},
	}
	for _, tc := range tests {
		got, ok := hostOpenFlags(tc.fio)
		if ok != tc.ok || ok && got != tc.host {
			t.Errorf("hostOpenFlags(%#x) = %#x, %v; want %#x, %v", tc.fio, got, ok, tc.host, tc.ok)
		}
	}
}

func TestFioErrno(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, fioENOENT},
		{fmt.Errorf("wrapped: %w", syscall.EACCES), fioEACCES},
		{syscall.EPERM, fioEPERM}, // not folded into EACCES
		{syscall.EEXIST, fioEEXIST},
		{syscall.EISDIR, fioEISDIR},
		{syscall.ENOTDIR, fioENOTDIR},
		{syscall.EBADF, fioEBADF},
		{syscall.EROFS, fioEROFS},
		{syscall.ENOSPC, fioENOSPC},
		{syscall.EFBIG, fioEFBIG},
		{syscall.ENAMETOOLONG, fioENAMETOOLONG},
		{syscall.ELOOP, fioENOENT},
		{syscall.ENOTEMPTY, fioEUNKNOWN},
		{fs.ErrNotExist, fioENOENT},
		{fs.ErrPermission, fioEACCES},
		{errors.New("other"), fioEUNKNOWN},
	}
	for _, tc := range tests {
		if got := fioErrno(tc.err); got != tc.want {
			t.Errorf("fioErrno(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestHostIOWrite runs vFile packets in order against a temporary
// directory: "remote put" (open with O_CREAT|O_TRUNC, pwrite, close),
// "remote get" (open, pread) and "remote delete" (unlink), and the policy's
// refusals. $D in a packet is the directory; a path is hex-encoded by
// hexs. The fake tracee is pid 4200000, its executable /bin/true.
func TestHostIOWrite(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("original"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dest := range map[string]string{
		"to-proc":   "/proc/self/environ",
		"to-target": target,
		"dangling":  "/dev/redox-gdbstub-hostio-test",
	} {
		if err := os.Symlink(dest, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	hexs := func(p string) string {
		return string(appendHexBytes(nil, []byte(strings.ReplaceAll(p, "$D", dir))))
	}
	s := NewSession(newFakeTracer(), Config{})
	defer s.files.closeAll()
	tests := []struct{ pkt, want string }{
		// remote put: created with the mode given (gdb sends 0700).
		{"open:" + hexs("$D/new") + ",601,1c0", "F$F"},
		{"pwrite:$F,0,hello, \x00world", "Fd"},
		{"pwrite:$F,5,!!", "F2"},
		{"pread:$F,10,0", "F-1,9"}, // write-only
		{"fstat:$F", "F40;"},       // prefix: the rest is binary
		{"close:$F", "F0"},
		{"open:" + hexs("$D/new") + ",a01,1c0", "F-1,11"}, // O_EXCL: EEXIST
		// O_APPEND: pwrite appends, as on Linux.
		{"open:" + hexs("$D/new") + ",a,0", "F$F"},
		{"pwrite:$F,0,<", "F1"},
		{"close:$F", "F0"},
		// remote get.
		{"open:" + hexs("$D/new") + ",0,0", "F$F"},
		{"pread:$F,100,0", "Fe;hello!!\x00world<"},
		{"pwrite:$F,0,x", "F-1,9"}, // read-only
		{"close:$F", "F0"},
		// O_TRUNC empties; O_RDWR reads and writes.
		{"open:" + hexs("$D/new") + ",402,0", "F$F"},
		{"pwrite:$F,2,ab", "F2"},
		{"pread:$F,10,0", "F4;\x00\x00ab"},
		{"close:$F", "F0"},
		// remote delete.
		{"unlink:" + hexs("$D/new"), "F0"},
		{"unlink:" + hexs("$D/new"), "F-1,2"},
		{"open:" + hexs("$D/new") + ",0,0", "F-1,2"},
		{"unlink:" + hexs("$D/sub"), "F-1,15"}, // EISDIR
		{"open:" + hexs("$D/sub") + ",1,0", "F-1,15"},
		{"open:" + hexs("$D/sub") + ",0,0", "F$F"}, // read-only: as gdbserver
		{"pread:$F,10,0", "F-1,15"},
		{"close:$F", "F0"},
		{"open:" + hexs("$D/missing/x") + ",201,1c0", "F-1,2"},
		{"open:" + hexs("relative") + ",201,1c0", "F-1,2"},
		{"unlink:" + hexs("relative"), "F-1,2"},
		{"open:" + hexs("$D/x") + ",3,0", "F-1,16"},    // access mode 3: EINVAL
		{"open:" + hexs("$D/x") + ",1201,0", "F-1,16"}, // unknown flag
		{"open:zz,201,0", "E01"},
		{"unlink:zz", "E01"},
		{"pwrite:$F,0", "E01"},
		{"pwrite:9,0,x", "F-1,9"},
		// Links: through one to a regular file, writes reach it; one into
		// /proc is not followed; a dangling one is not created through;
		// unlink removes the link, not its target.
		{"open:" + hexs("$D/to-target") + ",1,0", "F$F"},
		{"pwrite:$F,0,O", "F1"},
		{"close:$F", "F0"},
		{"open:" + hexs("$D/to-proc") + ",0,0", "F-1,2"},
		{"open:" + hexs("$D/to-proc") + ",1,0", "F-1,2"},
		{"open:" + hexs("$D/dangling") + ",201,1c0", "F-1,d"},
		{"unlink:" + hexs("$D/to-target"), "F0"},
		{"unlink:" + hexs("$D/to-proc"), "F0"},
		// The emulated process's /proc files are read-only; other /proc,
		// /sys and /dev paths are not served.
		{"open:" + hexs("/proc/4200000/maps") + ",1,0", "F-1,d"},
		{"open:" + hexs("/proc/4200000/cmdline") + ",600,1c0", "F-1,d"},
		{"open:" + hexs("/proc/4200000/exe") + ",2,0", "F-1,d"},
		{"unlink:" + hexs("/proc/4200000/maps"), "F-1,1"},
		{"unlink:" + hexs("/proc/4200000/exe"), "F-1,1"},
		{"open:" + hexs("/proc/1/status") + ",1,0", "F-1,2"},
		{"unlink:" + hexs("/proc/1/status"), "F-1,2"},
		{"unlink:" + hexs("/sys/kernel/x"), "F-1,2"},
		{"open:" + hexs("/dev/null") + ",1,0", "F-1,2"},
		{"open:" + hexs("/proc/../dev/null") + ",1,0", "F-1,2"},
	}
	fd := "3" // $F: the descriptor the last successful open returned
	for _, tc := range tests {
		got := string(s.handle([]byte("vFile:" + strings.ReplaceAll(tc.pkt, "$F", fd))).reply)
		switch {
		case tc.want == "F$F" && strings.HasPrefix(got, "F") && !strings.HasPrefix(got, "F-"):
			fd = got[1:]
		case got == tc.want:
		case strings.HasPrefix(tc.pkt, "fstat") && strings.HasPrefix(got, tc.want):
		default:
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
	if st, err := os.Stat(target); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("link target: %v %v", st, err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "Original" {
		t.Errorf("the write through the link gave %q, %v; want %q", b, err, "Original")
	}
	if _, err := os.Lstat("/dev/redox-gdbstub-hostio-test"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file was created through the dangling link: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "dangling")); err != nil {
		t.Errorf("the dangling link itself: %v", err)
	}
}

// TestHostIOCreateMode: a created file gets the mode gdb sends, less the
// umask, as with open(2).
func TestHostIOCreateMode(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	s := NewSession(newFakeTracer(), Config{})
	defer s.files.closeAll()
	for _, tc := range []struct {
		mode string
		want fs.FileMode
	}{{"1c0", 0o700}, {"1ff", 0o755}, {"81a4", 0o644}, {"180", 0o600}} {
		path := filepath.Join(dir, tc.mode)
		pkt := fmt.Sprintf("vFile:open:%s,601,%s", appendHexBytes(nil, []byte(path)), tc.mode)
		got := string(s.handle([]byte(pkt)).reply)
		if !strings.HasPrefix(got, "F") || strings.HasPrefix(got, "F-") {
			t.Fatalf("%s: %q", pkt, got)
		}
		s.handle([]byte("vFile:close:" + got[1:]))
		if st, err := os.Stat(path); err != nil || st.Mode() != tc.want {
			t.Errorf("mode %s: %v %v, want %v", tc.mode, st.Mode(), err, tc.want)
		}
	}
}

// TestHostIOReadOnly: with readOnly (the fuzz target's setting) nothing
// in the host filesystem changes, while reads still work.
func TestHostIOReadOnly(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	hexp := string(appendHexBytes(nil, []byte(file)))
	s := NewSession(newFakeTracer(), Config{})
	defer s.files.closeAll()
	s.files.readOnly = true
	for _, tc := range []struct{ pkt, want string }{
		{"open:" + hexp + ",601,1c0", "F-1,d"},
		{"open:" + hexp + ",400,0", "F-1,d"},
		{"open:" + hexp + ",1,0", "F-1,d"},
		{"unlink:" + hexp, "F-1,d"},
		{"open:" + hexp + ",0,0", "F3"},
		{"pread:3,10,0", "F4;keep"},
		{"pwrite:3,0,x", "F-1,9"},
	} {
		if got := string(s.handle([]byte("vFile:" + tc.pkt)).reply); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.pkt, got, tc.want)
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("file now %q, %v", b, err)
	}
}
