package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the design's one-way flow: rsp -> ptrace -> target ->
// emu. A package may import only the layer directly below it (and nothing
// above it), so rsp never reaches around ptrace to run the CPU.
func TestLayering(t *testing.T) {
	const mod = "github.com/redox-gdbstub/redox-gdbstub/"
	allowed := map[string][]string{
		"emu":    nil,
		"target": {"emu"},
		"ptrace": {"target", "emu"}, // registers are copied from emu.CPU
		"rsp":    {"ptrace"},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "../"+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, imp := range strings.Fields(string(out)) {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			dep := strings.TrimPrefix(imp, mod)
			permitted := false
			for _, a := range ok {
				permitted = permitted || a == dep
			}
			if !permitted {
				t.Errorf("%s imports %s: only %v are allowed below it", pkg, dep, ok)
			}
		}
	}
}
