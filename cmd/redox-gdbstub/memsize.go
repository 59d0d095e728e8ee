package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redox-gdbstub/redox-gdbstub/target"
)

// memSize is the value of --max-memory: a size in bytes, written as a
// number with an optional binary suffix K, M, G or T (KiB, MiB, GiB, TiB;
// a trailing "B" or "iB" is accepted too), e.g. 512M or 4G.
type memSize uint64

const maxMemoryUsage = "limit on each emulated address space's accessible memory (K, M, G suffixes); " +
	"beyond it mmap/brk fail with ENOMEM"

func defaultMaxMemory() memSize { return memSize(target.DefaultMaxMemory) }

func (m *memSize) String() string {
	v := uint64(*m)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}} {
		if v != 0 && v&(1<<u.shift-1) == 0 {
			return strconv.FormatUint(v>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatUint(v, 10)
}

func (m *memSize) Set(s string) error {
	v, err := parseMemSize(s)
	if err != nil {
		return err
	}
	*m = memSize(v)
	return nil
}

// parseMemSize parses a --max-memory value.
func parseMemSize(s string) (uint64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	shift := uint(0)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			shift = 10
		case 'M':
			shift = 20
		case 'G':
			shift = 30
		case 'T':
			shift = 40
		}
		if shift != 0 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q (want e.g. 512M or 4G)", s)
	}
	if v == 0 {
		return 0, fmt.Errorf("bad size %q: must be more than 0", s)
	}
	if v > (1<<64-1)>>shift {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return v << shift, nil
}
