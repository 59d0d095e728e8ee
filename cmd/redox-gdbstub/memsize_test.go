package main

import "testing"

func TestParseMemSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"4G", 4 << 30, true},
		{"512M", 512 << 20, true},
		{"512MiB", 512 << 20, true},
		{"64k", 64 << 10, true},
		{"1T", 1 << 40, true},
		{"12345", 12345, true},
		{"100B", 100, true},
		{"0", 0, false},
		{"", 0, false},
		{"G", 0, false},
		{"-1M", 0, false},
		{"1.5G", 0, false},
		{"99999999999T", 0, false},
	} {
		got, err := parseMemSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseMemSize(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestMemSizeString(t *testing.T) {
	for in, want := range map[uint64]string{4 << 30: "4G", 512 << 20: "512M", 3 << 10: "3K", 1000: "1000", 1536 << 20: "1536M"} {
		m := memSize(in)
		if got := m.String(); got != want {
			t.Errorf("memSize(%d).String() = %q, want %q", in, got, want)
		}
	}
}

func TestMaxMemoryFlag(t *testing.T) {
	o, err := parseRunArgs([]string{"--max-memory", "64M", "prog", "--max-memory", "1"}, nil)
	if err != nil || o.maxMemory != 64<<20 || o.prog != "prog" || len(o.args) != 2 {
		t.Errorf("run: %+v %v", o, err)
	}
	s, err := parseArgs([]string{"--max-memory=1G", ":0"}, nil)
	if err != nil || s.maxMemory != 1<<30 {
		t.Errorf("server: %+v %v", s, err)
	}
	s, err = parseArgs([]string{":0"}, nil)
	if err != nil || uint64(s.maxMemory) != 4<<30 {
		t.Errorf("server default: %+v %v", s, err)
	}
}
