package tests

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
)

// memhogRE is what corpus/memhog.c prints when malloc first fails.
var memhogRE = regexp.MustCompile(`malloc failed after (\d+) MiB, errno ENOMEM 1\n`)

// checkMemhog checks memhog's output under a 64 MiB limit: malloc failed
// with ENOMEM a little below the limit (the binary, stack and malloc's
// own overhead take some), and worked again after the blocks were freed.
func checkMemhog(t *testing.T, out string) {
	t.Helper()
	m := memhogRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no 'malloc failed ... errno ENOMEM 1' line in the output:\n%s", tail(out, 4096))
	}
	if n, _ := strconv.Atoi(m[1]); n < 40 || n > 64 {
		t.Errorf("malloc failed after %d MiB; with --max-memory 64M it should fail between 40 and 64 MiB", n)
	}
	if !strings.Contains(out, "malloc after free works\n") {
		t.Errorf("malloc did not work again after freeing:\n%s", tail(out, 4096))
	}
}

// TestMaxMemoryRun runs a guest that allocates until malloc fails under
// `redox-gdbstub run --max-memory 64M`: the guest gets NULL (ENOMEM),
// exits normally, and the stub logs one warning about the limit.
func TestMaxMemoryRun(t *testing.T) {
	for _, cc := range corpusCompilers {
		t.Run(cc, func(t *testing.T) {
			t.Parallel()
			testenv.Tool(t, cc)
			if suite.stubErr != nil {
				t.Fatalf("the stub could not be built: %v", suite.stubErr)
			}
			bin := buildCorpus(t, "memhog", cc, "-O2")
			r := runProgram(t.TempDir(), []string{suite.stub, "run", "--max-memory", "64M", bin}, "", nil)
			if r.err != nil {
				t.Fatalf("%v\n%s", r.err, r)
			}
			if r.status != 0 {
				t.Errorf("status %d, want 0\n%s", r.status, r)
			}
			checkMemhog(t, r.stdout)
			if n := strings.Count(r.stderr, "guest memory limit reached (--max-memory 64 MiB)"); n != 1 {
				t.Errorf("the stub logged the limit %d times, want once:\n%s", n, tail(r.stderr, 4096))
			}
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("the stub crashed:\n%s", r.stderr)
			}
		})
	}
}

// TestMaxMemoryServer runs the same guest under gdb with the server's
// --max-memory: the program runs out of memory, recovers and exits
// normally, and gdb sees it exit.
func TestMaxMemoryServer(t *testing.T) {
	needTools(t)
	t.Parallel()
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	bin := buildCorpus(t, "memhog", "musl-gcc", "-O2")
	s := runSession("stub", []string{suite.stub, "--once", "--max-memory", "64M", "127.0.0.1:0", bin},
		func(port int) []string {
			return []string{"-nx", "-batch", "-ex", "target remote 127.0.0.1:" + fmt.Sprint(port), "-ex", "continue"}
		}, nil)
	if s.err != nil {
		t.Fatalf("%v\n%s", s.err, s.describe())
	}
	if !regexp.MustCompile(`(?m)^\[Inferior 1 \(process \d+\) exited normally\]$`).MatchString(s.gdb) {
		t.Errorf("gdb did not see a normal exit:\n%s", s.describe())
	}
	checkMemhog(t, s.program)
	if !strings.Contains(s.serverLog, "guest memory limit reached") {
		t.Errorf("no log line about the limit:\n%s", s.describe())
	}
	if s.serverKilled {
		t.Errorf("the stub did not exit after the session")
	}
}
