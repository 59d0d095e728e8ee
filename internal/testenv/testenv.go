// Package testenv is what the tests of every package share about the host:
// whether missing tools must fail the tests (CI) or only skip them, and
// where a tool is. It is imported by _test.go files only, and knows nothing
// about the stub's packages.
package testenv

import (
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"testing"
)

// RequireTools reports whether a missing host tool fails a test instead of
// skipping it: under CI (CI=true or CI=1) or with
// REDOX_GDBSTUB_REQUIRE_TOOLS=1. A missing tool must never make CI pass by
// skipping.
func RequireTools() bool {
	ci := os.Getenv("CI")
	return ci == "true" || ci == "1" || os.Getenv("REDOX_GDBSTUB_REQUIRE_TOOLS") == "1"
}

// Missing ends the test because a tool is unavailable: it fails under
// RequireTools and skips otherwise.
func Missing(t testing.TB, what string, err error) {
	t.Helper()
	if RequireTools() {
		t.Fatalf("%s is required (CI=true or REDOX_GDBSTUB_REQUIRE_TOOLS=1): %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}

// Tool returns the path of host tool name, or ends the test (see Missing).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, err)
	}
	return p
}

// Symbol returns the value of the defined symbol name in the ELF file
// read from r, or ends the test.
func Symbol(t testing.TB, r io.ReaderAt, name string) uint64 {
	t.Helper()
	f, err := elf.NewFile(r)
	if err != nil {
		t.Fatalf("symbol %s: %v", name, err)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatalf("symbol %s: %v", name, err)
	}
	for _, s := range syms {
		if s.Name == name && s.Section != elf.SHN_UNDEF {
			return s.Value
		}
	}
	t.Fatalf("no symbol %s", name)
	return 0
}

// FileSymbol is Symbol for the ELF file at path.
func FileSymbol(t testing.TB, path, name string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Symbol(t, f, name)
}
