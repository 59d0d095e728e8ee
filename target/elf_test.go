package target

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

// prog is a synthetic ELF64 executable for loader tests.
type prog struct {
	typ      elf.Type
	machine  elf.Machine
	class    elf.Class
	base     uint64 // vaddr of the first (text) segment, which starts at file offset 0
	code     []byte // placed at file offset codeOff
	data     []byte // a RW segment at file offset 0x1000, vaddr base+0x1000 (if non-nil)
	bss      uint64 // extra memsz of the data segment
	interp   bool
	stackX   bool
	noStack  bool
	noPhdr   bool
	extra    []elf.Prog64 // more program headers, appended as given
	badFiles bool         // text segment filesz > memsz
}

const codeOff = 0x200

// exitCode is: write(1, "hi\n", 3); exit_group(7), position independent.
var exitCode = []byte{
	0xb8, 0x01, 0, 0, 0, // mov eax, 1
	0xbf, 0x01, 0, 0, 0, // mov edi, 1
	0x48, 0x8d, 0x35, 19, 0, 0, 0, // lea rsi, [rip+19]
	0xba, 0x03, 0, 0, 0, // mov edx, 3
	0x0f, 0x05, // syscall
	0xb8, 0xe7, 0, 0, 0, // mov eax, 231
	0xbf, 0x07, 0, 0, 0, // mov edi, 7
	0x0f, 0x05, // syscall
	'h', 'i', '\n',
}

func (p prog) build() []byte {
	if p.typ == 0 {
		p.typ = elf.ET_EXEC
	}
	if p.machine == 0 {
		p.machine = elf.EM_X86_64
	}
	if p.class == 0 {
		p.class = elf.ELFCLASS64
	}
	if p.code == nil {
		p.code = exitCode
	}
	var phs []elf.Prog64
	if !p.noPhdr {
		phs = append(phs, elf.Prog64{Type: uint32(elf.PT_PHDR), Flags: uint32(elf.PF_R), Off: 64, Vaddr: p.base + 64})
	}
	if p.interp {
		phs = append(phs, elf.Prog64{Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R), Off: 0x1f0, Vaddr: p.base + 0x1f0, Filesz: 1, Memsz: 1})
	}
	textEnd := uint64(codeOff + len(p.code))
	text := elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Off: 0, Vaddr: p.base, Filesz: textEnd, Memsz: textEnd, Align: 0x1000}
	if p.badFiles {
		text.Memsz = 10
	}
	phs = append(phs, text)
	if p.data != nil {
		phs = append(phs, elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_W), Off: 0x1000, Vaddr: p.base + 0x1000,
			Filesz: uint64(len(p.data)), Memsz: uint64(len(p.data)) + p.bss, Align: 0x1000})
	}
	if !p.noStack {
		fl := elf.PF_R | elf.PF_W
		if p.stackX {
			fl |= elf.PF_X
		}
		phs = append(phs, elf.Prog64{Type: uint32(elf.PT_GNU_STACK), Flags: uint32(fl)})
	}
	phs = append(phs, p.extra...)
	for i := range phs {
		if phs[i].Type == uint32(elf.PT_PHDR) {
			phs[i].Filesz = uint64(56 * len(phs))
			phs[i].Memsz = phs[i].Filesz
		}
	}

	size := int(textEnd)
	if p.data != nil {
		size = 0x1000 + len(p.data)
	}
	b := make([]byte, size)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS] = byte(p.class)
	b[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	b[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(p.typ))
	le.PutUint16(b[18:], uint16(p.machine))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(b[24:], p.base+codeOff)
	le.PutUint64(b[32:], 64)
	le.PutUint16(b[52:], 64)
	le.PutUint16(b[54:], 56)
	le.PutUint16(b[56:], uint16(len(phs)))
	le.PutUint16(b[58:], 64)
	var ph bytes.Buffer
	binary.Write(&ph, le, phs)
	copy(b[64:], ph.Bytes())
	if p.interp {
		copy(b[0x1f0:], "/lib/ld.so\x00")
	}
	copy(b[codeOff:], p.code)
	if p.data != nil {
		copy(b[0x1000:], p.data)
	}
	return b
}

// loadImage loads a synthetic image with output captured.
func loadImage(t *testing.T, img []byte, args, env []string) (*Process, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	p, err := Load(Config{Path: "/test/prog", Image: img, Args: args, Env: env, Stdout: &out, Stderr: &out, Log: testLogger(t)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p, &out
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", []byte{}, ErrNotELF, ""},
		{"text", []byte("#!/bin/sh\necho hi\n"), ErrNotELF, ""},
		{"magic only", []byte(elf.ELFMAG), ErrBadELF, "truncated"},
		{"32-bit", prog{class: elf.ELFCLASS32, base: 0x400000}.build(), ErrUnsupported, "ELFCLASS32"},
		{"arm64", prog{machine: elf.EM_AARCH64, base: 0x400000}.build(), ErrUnsupported, "EM_AARCH64"},
		{"relocatable", prog{typ: elf.ET_REL, base: 0x400000}.build(), ErrUnsupported, "ET_REL"},
		{"dynamic", prog{interp: true, base: 0x400000}.build(), ErrDynamic, "PT_INTERP"},
		{"dynamic PIE", prog{typ: elf.ET_DYN, interp: true}.build(), ErrDynamic, "-static"},
		{"filesz > memsz", prog{badFiles: true, base: 0x400000}.build(), ErrBadELF, "filesz"},
		{"past end of file", prog{base: 0x400000, extra: []elf.Prog64{{Type: uint32(elf.PT_LOAD), Off: 0x100000, Vaddr: 0x800000, Filesz: 10, Memsz: 10}}}.build(), ErrBadELF, "end of the file"},
		{"kernel address", prog{base: 0xffffffff80000000}.build(), ErrBadELF, "outside user space"},
		{"page zero", prog{base: 0}.build(), ErrBadELF, "outside user space"},
		{"not congruent", prog{base: 0x400000, extra: []elf.Prog64{{Type: uint32(elf.PT_LOAD), Off: 0x10, Vaddr: 0x800000, Filesz: 10, Memsz: 10}}}.build(), ErrBadELF, "congruent"},
		{"huge", prog{base: 0x400000, data: []byte{1}, bss: 8 << 30}.build(), ErrUnsupported, "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Config{Path: "/x/" + tc.name, Image: tc.data, Log: testLogger(t)})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "/x/"+tc.name) {
				t.Errorf("message %q lacks %q or the path", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q is not one line", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(Config{Path: filepath.Join(t.TempDir(), "nope"), Log: testLogger(t)})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

// TestLoadRealDynamic rejects a dynamically linked host program.
func TestLoadRealDynamic(t *testing.T) {
	gcc := testenv.Tool(t, "gcc")
	bin := filepath.Join(t.TempDir(), "dyn")
	if out, err := exec.Command(gcc, "-o", bin, "testdata/hello.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v %s", err, out)
	}
	if _, err := Load(Config{Path: bin, Log: testLogger(t)}); !errors.Is(err, ErrDynamic) {
		t.Fatalf("err = %v, want ErrDynamic", err)
	}
}

// TestLoadRuns runs the synthetic program as ET_EXEC and as static PIE.
func TestLoadRuns(t *testing.T) {
	tests := []struct {
		name      string
		p         prog
		wantEntry uint64
	}{
		{"exec", prog{base: 0x400000}, 0x400000 + codeOff},
		{"pie", prog{typ: elf.ET_DYN}, pieBase + codeOff},
		{"exec without PT_PHDR", prog{base: 0x400000, noPhdr: true}, 0x400000 + codeOff},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, out := loadImage(t, tc.p.build(), []string{"prog"}, nil)
			if p.Entry() != tc.wantEntry || p.Threads()[0].CPU.RIP != tc.wantEntry {
				t.Fatalf("entry %#x, RIP %#x, want %#x", p.Entry(), p.Threads()[0].CPU.RIP, tc.wantEntry)
			}
			if st := runToExit(t, p); st != 7<<8 {
				t.Errorf("status %#x, want 7<<8", st)
			}
			if out.String() != "hi\n" {
				t.Errorf("output %q", out)
			}
		})
	}
}

// TestSegmentsMapped checks permissions, data and bss of the segments,
// the stack permissions (PT_GNU_STACK) and the start of the heap.
func TestSegmentsMapped(t *testing.T) {
	data := bytes.Repeat([]byte{0xff}, 100)
	for _, stackX := range []bool{false, true} {
		p, _ := loadImage(t, prog{base: 0x400000, data: data, bss: 0x2000, stackX: stackX}.build(), nil, nil)
		wantStack := emu.PermRead | emu.PermWrite
		if stackX {
			wantStack |= emu.PermExec
		}
		want := []emu.Region{
			{Start: 0x400000, End: 0x401000, Perm: emu.PermRead | emu.PermExec},
			{Start: 0x401000, End: 0x404000, Perm: emu.PermRead | emu.PermWrite},
			{Start: p.stackLow, End: stackTop, Perm: wantStack},
		}
		if stackTop-p.stackLow < stackInitial {
			t.Errorf("only %#x bytes of stack mapped", stackTop-p.stackLow)
		}
		got := p.Mem.Regions()
		if len(got) != len(want) {
			t.Fatalf("regions %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("region %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		buf := make([]byte, 0x2000+100)
		if err := p.Mem.ReadForce(0x401000, buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf[:100], data) || !bytes.Equal(buf[100:], make([]byte, len(buf)-100)) {
			t.Errorf("data or bss wrong")
		}
		if p.brkStart != 0x404000 || p.brk != 0x404000 {
			t.Errorf("brk starts at %#x, want %#x", p.brkStart, 0x404000)
		}
	}
}

// TestStackLayout parses the initial stack back: argc, argv, envp, auxv
// and the strings and bytes auxv points to.
func TestStackLayout(t *testing.T) {
	img := prog{base: 0x400000}.build()
	args := []string{"/test/prog", "a b", ""}
	env := []string{"A=1", "PATH=/bin"}
	p, _ := loadImage(t, img, args, env)
	sp := p.Threads()[0].CPU.R[emu.RSP]
	if sp%16 != 0 {
		t.Errorf("rsp %#x not 16-byte aligned", sp)
	}
	if sp > stackTop || sp < stackTop-emu.PageSize {
		t.Errorf("rsp %#x not just below the stack top", sp)
	}
	ps, err := readStack(p.Mem, sp)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ps.argv, "|") != strings.Join(args, "|") || len(ps.argv) != len(args) {
		t.Errorf("argv %q", ps.argv)
	}
	if strings.Join(ps.envp, "|") != strings.Join(env, "|") {
		t.Errorf("envp %q", ps.envp)
	}
	aux := map[uint64]uint64{}
	var order []uint64
	for _, a := range ps.auxv {
		aux[a.typ] = a.val
		order = append(order, a.typ)
	}
	if order[len(order)-1] != atNull {
		t.Errorf("auxv does not end with AT_NULL")
	}
	f, _ := elf.NewFile(bytes.NewReader(img))
	wantVals := map[uint64]uint64{
		atPhent: 56, atPhnum: uint64(len(f.Progs)), atPagesz: 4096, atBase: 0, atFlags: 0,
		atEntry: 0x400000 + codeOff, atSecure: 0, atClktck: 100, atPhdr: 0x400000 + 64,
	}
	for typ, v := range wantVals {
		if got, ok := aux[typ]; !ok || got != v {
			t.Errorf("auxv[%d] = %#x (present %v), want %#x", typ, got, ok, v)
		}
	}
	for _, typ := range []uint64{atUID, atEUID, atGID, atEGID, atRandom, atHwcap, atExecfn, atPlatform} {
		if _, ok := aux[typ]; !ok {
			t.Errorf("auxv lacks type %d", typ)
		}
	}
	if aux[atUID] != uint64(os.Getuid()) || aux[atGID] != uint64(os.Getgid()) {
		t.Errorf("AT_UID/AT_GID %d/%d", aux[atUID], aux[atGID])
	}
	// AT_HWCAP is what the emulated CPUID leaf 1 reports in EDX: SSE2 baseline.
	if h := aux[atHwcap]; h&(1<<26|1<<25|1<<24|1<<0) != 1<<26|1<<25|1<<24|1<<0 {
		t.Errorf("AT_HWCAP %#x lacks fpu/fxsr/sse/sse2", h)
	}
	if h := aux[atHwcap]; h != probeHwcap() {
		t.Errorf("AT_HWCAP %#x, CPUID says %#x", h, probeHwcap())
	}
	// AT_PHDR points at the program headers as in the file.
	ph := make([]byte, 56*len(f.Progs))
	if err := p.Mem.ReadForce(aux[atPhdr], ph); err != nil || !bytes.Equal(ph, img[64:64+len(ph)]) {
		t.Errorf("AT_PHDR memory differs from the file's headers (%v)", err)
	}
	if s, err := readCStringForce(p.Mem, aux[atExecfn], 100); err != nil || s != "/test/prog" {
		t.Errorf("AT_EXECFN = %q, %v", s, err)
	}
	if s, err := readCStringForce(p.Mem, aux[atPlatform], 100); err != nil || s != "x86_64" {
		t.Errorf("AT_PLATFORM = %q, %v", s, err)
	}
	random := make([]byte, 16)
	if err := p.Mem.ReadForce(aux[atRandom], random); err != nil || bytes.Equal(random, make([]byte, 16)) {
		t.Errorf("AT_RANDOM bytes %x, %v", random, err)
	}
	// Deterministic: a second load sees the same bytes.
	p2, _ := loadImage(t, img, args, env)
	random2 := make([]byte, 16)
	p2.Mem.ReadForce(aux[atRandom], random2)
	if !bytes.Equal(random, random2) || p2.Threads()[0].CPU.R[emu.RSP] != sp {
		t.Errorf("second load differs: random %x vs %x, sp %#x vs %#x", random2, random, p2.Threads()[0].CPU.R[emu.RSP], sp)
	}
	// Auxv() is the auxv as placed: right after envp's NULL.
	auxAt := sp + 8*uint64(1+len(args)+1+len(env)+1)
	placed := make([]byte, 16*len(ps.auxv))
	p.Mem.ReadForce(auxAt, placed)
	if !bytes.Equal(p.Auxv(), placed) {
		t.Errorf("Auxv() differs from the stack")
	}
	// Strings lie above the tables, below the top.
	if aux[atExecfn] <= auxAt || aux[atExecfn] >= stackTop {
		t.Errorf("AT_EXECFN %#x outside the string area", aux[atExecfn])
	}
}

// FuzzLoad loads arbitrary bytes, and when they load, runs a few
// instructions: neither may panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x7fELF"))
	f.Add(prog{base: 0x400000}.build())
	f.Add(prog{typ: elf.ET_DYN}.build())
	f.Add(prog{base: 0x400000, data: []byte{1, 2, 3}, bss: 100}.build())
	f.Add(prog{base: 0x400000, interp: true}.build())
	f.Add(prog{base: 0x400000, code: []byte{0xcc, 0x0f, 0x0b, 0xf4, 0x0f, 0x05}}.build())
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := parseELF(data)
		if err != nil {
			return
		}
		var total uint64
		for _, s := range img.segs {
			total += s.memsz
		}
		if total > 16<<20 {
			return // valid but too big to map in every fuzz iteration
		}
		var out bytes.Buffer
		p, err := Load(Config{Path: "/fuzz", Image: data, Args: []string{"fuzz"}, Stdout: &out, Host: denyHost{}, Log: discardLogger()})
		if err != nil {
			return
		}
		for i := 0; i < 100; i++ {
			if _, err := p.Resume(StopSingleStep|StopExit, false); err != nil {
				return
			}
		}
	})
}

// TestStackGrowth: a push far below the initial stack grows it (up to
// 8 MiB below the top); beyond that it is a SIGSEGV at the address.
func TestStackGrowth(t *testing.T) {
	pushAt := func(rsp uint64) []byte {
		code := []byte{0x48, 0xbc} // mov rsp, imm64
		code = binary.LittleEndian.AppendUint64(code, rsp)
		return append(code,
			0x50,                // push rax
			0xb8, 0xe7, 0, 0, 0, // mov eax, 231
			0xbf, 0x07, 0, 0, 0, // mov edi, 7
			0x0f, 0x05, // syscall
		)
	}
	deep := uint64(stackTop - 4<<20)
	p, _ := loadImage(t, prog{base: 0x400000, code: pushAt(deep)}.build(), nil, nil)
	if st := runToExit(t, p); st != 7<<8 {
		t.Fatalf("push at %#x: status %#x", deep-8, st)
	}
	tooDeep := uint64(stackTop - stackSize)
	p, _ = loadImage(t, prog{base: 0x400000, code: pushAt(tooDeep)}.build(), nil, nil)
	ev, err := p.Resume(StopSignal|StopExit, false)
	if err != nil || ev.Kind != StopSignal || ev.Signo != sigSEGV || ev.SigAddr != tooDeep-8 {
		t.Fatalf("push at %#x: %+v %v, want SIGSEGV there", tooDeep-8, ev, err)
	}
}
