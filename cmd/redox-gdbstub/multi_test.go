package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/rsp"
	"github.com/redox-gdbstub/redox-gdbstub/target"
	"github.com/sirupsen/logrus"
)

func TestParseArgsMulti(t *testing.T) {
	o, err := parseArgs([]string{"--multi", ":1"}, io.Discard)
	if err != nil || !o.multi || o.prog != "" || o.comm != ":1" {
		t.Errorf("got %+v %v", o, err)
	}
}

func TestDirHostResolvesRelativePaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := dirHost{Host: target.NewOSHost(), dir: dir}
	if wd, err := h.Getwd(); err != nil || wd != dir {
		t.Errorf("Getwd = %q %v", wd, err)
	}
	if _, err := h.Stat("f", true); err != nil {
		t.Errorf("relative Stat: %v", err)
	}
	if err := h.Access(filepath.Join(dir, "f"), 0); err != nil {
		t.Errorf("absolute Access: %v", err)
	}
	if _, err := h.Stat("missing", true); err == nil {
		t.Error("missing file found")
	}
}

func TestLauncherErrors(t *testing.T) {
	l := &launcher{log: logrus.New(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	if _, err := l.launch(rsp.LaunchRequest{}); err == nil {
		t.Error("launched with no program")
	}
	if _, err := l.launch(rsp.LaunchRequest{Path: "/nonexistent/prog"}); err == nil {
		t.Error("launched a missing program")
	}
	demo, err := writeDemo()
	if err != nil {
		t.Skip(err)
	}
	defer demo.cleanup()
	if _, err := l.launch(rsp.LaunchRequest{Path: demo.path, Dir: "/nonexistent/dir"}); err == nil {
		t.Error("launched in a missing directory")
	}
	tr, err := l.launch(rsp.LaunchRequest{Path: demo.path, Env: []string{"FOO=bar"}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Pid() == 0 {
		t.Error("no pid")
	}
	tr.Kill(9)
	tr.Close()
}
