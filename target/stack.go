package target

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/redox-gdbstub/redox-gdbstub/emu"
)

var le = binary.LittleEndian

// Auxiliary vector types (Linux include/uapi/linux/auxvec.h).
const (
	atNull     = 0
	atPhdr     = 3
	atPhent    = 4
	atPhnum    = 5
	atPagesz   = 6
	atBase     = 7
	atFlags    = 8
	atEntry    = 9
	atUID      = 11
	atEUID     = 12
	atGID      = 13
	atEGID     = 14
	atPlatform = 15
	atHwcap    = 16
	atClktck   = 17
	atSecure   = 23
	atRandom   = 25
	atHwcap2   = 26
	atExecfn   = 31
)

// Fixed seeds: every run sees the same AT_RANDOM bytes and the same
// getrandom(2) stream, so runs (and their recordings) reproduce. Guests
// must not rely on these bytes being secret.
const (
	atRandomSeed  = "redox-gdbstub AT_RANDOM"
	getrandomSeed = "redox-gdbstub getrandom"
)

// seed turns a text into a ChaCha8 seed.
func seed(text string) [32]byte {
	var s [32]byte
	copy(s[:], text)
	return s
}

// fallbackHwcap is CPUID.1:EDX of an SSE2-baseline x86_64 (fpu, tsc, cx8,
// cmov, clflush, mmx, fxsr, sse, sse2), used if the emulated CPU cannot be
// asked (see probeHwcap).
const fallbackHwcap = 1<<0 | 1<<4 | 1<<8 | 1<<15 | 1<<19 | 1<<23 | 1<<24 | 1<<25 | 1<<26

// stackInfo describes the initial stack as built.
type stackInfo struct {
	sp   uint64 // RSP at entry: points at argc
	auxv []byte // the auxv pairs as placed, AT_NULL included
	low  uint64 // lowest mapped stack address; the stack grows on faults down to stackTop-stackSize
	perm emu.Perm
}

// stackInitial is how much stack is mapped below the initial RSP (Linux
// starts with about 128 KiB and grows the stack on faults).
const stackInitial = 128 << 10

// auxEntry is one auxv pair.
type auxEntry struct{ typ, val uint64 }

// buildStack maps the stack and lays out strings, argc, argv, envp and
// auxv as Linux's create_elf_tables does (without its random offsets).
func buildStack(mem *emu.Memory, img *image, execfn string, args, env []string, ids [4]int, hwcap uint64) (stackInfo, error) {
	perm := emu.PermRead | emu.PermWrite
	if img.execStack {
		perm |= emu.PermExec
	}

	// The strings are written from the top down: an 8-byte end marker,
	// the executable's name, the environment, the arguments.
	var blob []byte
	var argOff, envOff []int
	for _, a := range args {
		argOff = append(argOff, len(blob))
		blob = append(blob, a...)
		blob = append(blob, 0)
	}
	for _, e := range env {
		envOff = append(envOff, len(blob))
		blob = append(blob, e...)
		blob = append(blob, 0)
	}
	execOff := len(blob)
	blob = append(blob, execfn...)
	blob = append(blob, 0)
	blob = append(blob, make([]byte, 8)...)
	if uint64(len(blob)) > stackSize/4 {
		return stackInfo{}, fmt.Errorf("arguments and environment too long (%d bytes)", len(blob))
	}
	strBase := stackTop - uint64(len(blob))
	p := strBase &^ 15

	platform := append([]byte("x86_64"), 0)
	p -= uint64(len(platform))
	platformAddr := p
	p &^= 15
	var random [16]byte
	rand.NewChaCha8(seed(atRandomSeed)).Read(random[:])
	p -= 16
	randomAddr := p

	aux := []auxEntry{
		{atHwcap, hwcap},
		{atPagesz, emu.PageSize},
		{atClktck, 100},
		{atPhdr, img.phdr},
		{atPhent, img.phent},
		{atPhnum, img.phnum},
		{atBase, 0},
		{atFlags, 0},
		{atEntry, img.entry},
		{atUID, uint64(ids[0])},
		{atEUID, uint64(ids[1])},
		{atGID, uint64(ids[2])},
		{atEGID, uint64(ids[3])},
		{atSecure, 0},
		{atRandom, randomAddr},
		{atHwcap2, 0},
		{atExecfn, strBase + uint64(execOff)},
		{atPlatform, platformAddr},
		{atNull, 0},
	}
	words := 1 + len(args) + 1 + len(env) + 1 + 2*len(aux)
	sp := (p - uint64(words)*8) &^ 15

	table := make([]byte, 0, words*8)
	table = le.AppendUint64(table, uint64(len(args)))
	for _, o := range argOff {
		table = le.AppendUint64(table, strBase+uint64(o))
	}
	table = le.AppendUint64(table, 0)
	for _, o := range envOff {
		table = le.AppendUint64(table, strBase+uint64(o))
	}
	table = le.AppendUint64(table, 0)
	auxStart := len(table)
	for _, a := range aux {
		table = le.AppendUint64(table, a.typ)
		table = le.AppendUint64(table, a.val)
	}

	low := sp&^pageMask - stackInitial
	if err := mem.Map(low, stackTop-low, perm); err != nil {
		return stackInfo{}, fmt.Errorf("mapping the stack: %w", err)
	}
	for _, w := range []struct {
		addr uint64
		b    []byte
	}{{strBase, blob}, {platformAddr, platform}, {randomAddr, random[:]}, {sp, table}} {
		if err := mem.WriteForce(w.addr, w.b); err != nil {
			return stackInfo{}, fmt.Errorf("writing the initial stack at %#x: %w", w.addr, err)
		}
	}
	return stackInfo{sp: sp, auxv: table[auxStart:], low: low, perm: perm}, nil
}

// parsedStack is the initial stack read back from memory (for tests and
// for tools that want to check what a process started with).
type parsedStack struct {
	argv, envp []string
	auxv       []auxEntry
}

// readStack parses the argc/argv/envp/auxv block at sp.
func readStack(mem *emu.Memory, sp uint64) (parsedStack, error) {
	var ps parsedStack
	word := func(a uint64) (uint64, error) {
		var b [8]byte
		err := mem.ReadForce(a, b[:])
		return le.Uint64(b[:]), err
	}
	argc, err := word(sp)
	if err != nil {
		return ps, err
	}
	a := sp + 8
	readStrs := func(n int) ([]string, error) {
		var out []string
		for i := 0; n < 0 || i < n; i++ {
			ptr, err := word(a)
			a += 8
			if err != nil {
				return nil, err
			}
			if ptr == 0 {
				if n >= 0 {
					return nil, fmt.Errorf("NULL in argv at %d", i)
				}
				return out, nil
			}
			s, err := readCStringForce(mem, ptr, 1<<16)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	if ps.argv, err = readStrs(int(argc)); err != nil {
		return ps, err
	}
	if z, err := word(a); err != nil || z != 0 {
		return ps, fmt.Errorf("argv not NULL-terminated")
	}
	a += 8
	if ps.envp, err = readStrs(-1); err != nil {
		return ps, err
	}
	for {
		t, err := word(a)
		if err != nil {
			return ps, err
		}
		v, err := word(a + 8)
		if err != nil {
			return ps, err
		}
		a += 16
		ps.auxv = append(ps.auxv, auxEntry{t, v})
		if t == atNull {
			return ps, nil
		}
	}
}

// readCStringForce reads a NUL-terminated string ignoring permissions.
func readCStringForce(mem *emu.Memory, addr uint64, max int) (string, error) {
	var out []byte
	var b [1]byte
	for len(out) < max {
		if err := mem.ReadForce(addr+uint64(len(out)), b[:]); err != nil {
			return "", err
		}
		if b[0] == 0 {
			return string(out), nil
		}
		out = append(out, b[0])
	}
	return "", fmt.Errorf("string at %#x too long", addr)
}
