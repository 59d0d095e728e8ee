package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// program is the executable to debug.
type program struct {
	path    string // absolute host path (served to gdb through vFile)
	argv0   string // as given on the command line
	image   []byte // contents when already in memory (the demo)
	cleanup func()
}

// loadProgram resolves PROG (a path, or a $PATH lookup like a shell) or
// writes the bundled demo to a private temporary file.
func loadProgram(o options) (*program, error) {
	if o.prog == "" {
		return writeDemo()
	}
	path, err := resolve(o.prog)
	if err != nil {
		return nil, err
	}
	if err := checkELF(path); err != nil {
		return nil, err
	}
	return &program{path: path, argv0: o.prog, cleanup: func() {}}, nil
}

func resolve(prog string) (string, error) {
	p := prog
	if !strings.Contains(prog, "/") {
		if found, err := exec.LookPath(prog); err == nil {
			p = found
		} else if _, serr := os.Stat(prog); serr != nil {
			return "", fmt.Errorf("%s: no such file or directory", prog)
		}
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", prog, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s: no such file or directory", prog)
		}
		return "", fmt.Errorf("%s: %w", prog, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s: not a regular file", prog)
	}
	return abs, nil
}

// checkELF gives a one-line error for files that are not x86_64 ELF
// executables before the loader is involved.
func checkELF(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not an ELF executable", path)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: not an x86_64 ELF64 executable", path)
	}
	return nil
}

// writeDemo puts the embedded demo into a private temporary directory (mode
// 0700) as "demo", so that its path exists for qXfer:exec-file and vFile and
// the program's name (the thread name gdb shows) is "demo" as under
// gdbserver. Cleanup removes it.
func writeDemo() (*program, error) {
	if len(demoImage) < 4 || !bytes.Equal(demoImage[:4], []byte("\x7fELF")) {
		return nil, errors.New("bundled demo program is missing (run go generate ./cmd/redox-gdbstub)")
	}
	dir, err := os.MkdirTemp("", "redox-gdbstub-")
	if err != nil {
		return nil, fmt.Errorf("write demo: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	name := filepath.Join(dir, "demo")
	if err := os.WriteFile(name, demoImage, 0o700); err != nil {
		cleanup()
		return nil, fmt.Errorf("write demo: %w", err)
	}
	return &program{path: name, argv0: name, image: demoImage, cleanup: cleanup}, nil
}
