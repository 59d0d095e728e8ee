package emu

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNativeOracle builds testdata/oracle (a C program that runs each
// instruction of its table natively on the host CPU over a grid of inputs
// and prints inputs and outputs), then runs the same machine code bytes on
// the emulator and compares registers, defined flags and memory.
func TestNativeOracle(t *testing.T) {
	gcc := needTool(t, "gcc")
	bin := filepath.Join(t.TempDir(), "oracle")
	cmd := exec.Command(gcc, "-O1", "-o", bin, "testdata/oracle/gen.c", "testdata/oracle/harness.S")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building oracle: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running oracle: %v", err)
	}
	const (
		codeAddr = 0x400000
		memAddr  = 0x600000
		stackTop = 0x800000
	)
	mem := NewMemory()
	must(t, mem.Map(codeAddr, PageSize, PermRead|PermExec))
	must(t, mem.Map(memAddr, PageSize, PermRead|PermWrite))
	must(t, mem.Map(stackTop-PageSize, PageSize, PermRead|PermWrite))
	regNames := []string{"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9"}
	regIdx := []int{RAX, RBX, RCX, RDX, RSI, RDI, R8, R9}
	failures := map[string]int{}
	cases := 0
	names := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4+8+9+1 {
			t.Fatalf("bad oracle line %q", sc.Text())
		}
		name := f[0]
		names[name] = true
		code, _ := hex.DecodeString(f[1])
		undef, _ := strconv.ParseUint(f[2], 16, 64)
		fin, _ := strconv.ParseUint(f[3], 16, 64)
		var in, want [9]uint64
		for k := 0; k < 8; k++ {
			in[k], _ = strconv.ParseUint(f[4+k], 16, 64)
		}
		for k := 0; k < 9; k++ {
			want[k], _ = strconv.ParseUint(f[12+k], 16, 64)
		}
		wantMem, _ := hex.DecodeString(f[21])
		cases++

		must(t, mem.WriteForce(codeAddr, append(append([]byte{}, code...), 0xc3)))
		init := make([]byte, 128)
		for k := range init {
			init[k] = byte(k*7 + 1)
		}
		copy(init, le64bytes(in[0]))
		copy(init[8:], le64bytes(in[1]))
		must(t, mem.WriteForce(memAddr, init))
		c := NewCPU(mem)
		for k, r := range regIdx {
			c.R[r] = in[k]
		}
		c.R[RSI] = memAddr + 64
		c.R[RDI] = memAddr
		c.R[RSP] = stackTop - 64
		c.R[RBP] = 0x1234
		c.RIP = codeAddr
		c.SetFlags(fin)
		end := uint64(codeAddr + len(code))
		steps := 0
		for c.RIP != end && steps < 1000 {
			reason, _ := c.Run(1, nil)
			if reason != StopBudget {
				t.Fatalf("%s: stop %d at %#x: %v", name, reason, c.RIP, &c.Fault)
			}
			steps++
		}
		var got [9]uint64
		for k, r := range regIdx {
			got[k] = c.R[r]
		}
		got[4] -= memAddr + 64
		got[5] -= memAddr
		got[8] = c.Flags()
		gotMem := make([]byte, 128)
		must(t, mem.ReadForce(memAddr, gotMem))
		bad := ""
		for k := 0; k < 8; k++ {
			if got[k] != want[k] {
				bad += " " + regNames[k] + "=" + strconv.FormatUint(got[k], 16) + " want " + strconv.FormatUint(want[k], 16)
			}
		}
		const cmpFlags = arithMask | FlagDF
		if (got[8]^want[8])&cmpFlags&^undef != 0 {
			bad += " flags=" + strconv.FormatUint(got[8], 16) + " want " + strconv.FormatUint(want[8], 16)
		}
		if !bytes.Equal(gotMem, wantMem) {
			bad += " memory differs:"
			for k := 0; k < 128; k += 4 {
				if !bytes.Equal(gotMem[k:k+4], wantMem[k:k+4]) {
					bad += " [" + strconv.Itoa(k) + "]=" + hex.EncodeToString(gotMem[k:k+4]) + " want " + hex.EncodeToString(wantMem[k:k+4])
				}
			}
		}
		if bad != "" {
			failures[name]++
			if failures[name] <= 2 {
				t.Errorf("%s (% x) in rax=%x rbx=%x rcx=%x flags=%x:%s", name, code, in[0], in[1], in[2], fin, bad)
			}
		}
	}
	if cases < 10000 {
		t.Fatalf("only %d oracle cases", cases)
	}
	t.Logf("%d instruction forms, %d cases, %d forms with failures", len(names), cases, len(failures))
}

func le64bytes(v uint64) []byte {
	b := make([]byte, 8)
	putLE64(b, v)
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
