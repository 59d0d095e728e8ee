package testenv

import "testing"

func TestRequireTools(t *testing.T) {
	for _, tc := range []struct {
		ci, require string
		want        bool
	}{
		{"", "", false},
		{"true", "", true},
		{"1", "", true},
		{"false", "", false},
		{"", "1", true},
	} {
		t.Setenv("CI", tc.ci)
		t.Setenv("REDOX_GDBSTUB_REQUIRE_TOOLS", tc.require)
		if got := RequireTools(); got != tc.want {
			t.Errorf("CI=%q REQUIRE=%q: RequireTools() = %v, want %v", tc.ci, tc.require, got, tc.want)
		}
	}
}

func TestToolFound(t *testing.T) {
	if p := Tool(t, "sh"); p == "" {
		t.Error("Tool(sh) returned an empty path")
	}
}
