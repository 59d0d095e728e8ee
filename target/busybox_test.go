package target

import (
	"debug/elf"
	"errors"
	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBusyboxShell runs BusyBox sh pipelines, command substitution,
// traps and exit statuses in the emulator (fork, execve, pipes, wait4,
// SIGCHLD) and compares them with native runs. Skipped without a static
// /usr/bin/busybox.
func TestBusyboxShell(t *testing.T) {
	const bb = "/usr/bin/busybox"
	f, err := elf.Open(bb)
	if err != nil {
		testenv.Missing(t, bb+" (Debian's busybox-static)", err)
	}
	static := true
	for _, p := range f.Progs {
		static = static && p.Type != elf.PT_INTERP
	}
	f.Close()
	if !static {
		testenv.Missing(t, "a static "+bb+" (Debian's busybox-static)", errors.New("it has PT_INTERP"))
	}
	scripts := []string{
		"echo hi | BB tr a-z A-Z",
		"BB seq 1 100 | BB awk '{s+=$1} END {print s}'",
		"printf 'b\\na\\nc\\n' | BB sort -r | BB head -n 2",
		"x=$(BB expr 3 + 4); echo [$x]",
		"echo abc | BB sha256sum",
		"BB seq 1 2000 | BB gzip -c | BB gunzip -c | BB wc -l",
		"echo one two three | BB sed 's/two/2/'",
		"(exit 3); echo status $?; BB false || echo false failed",
		"BB sh -c 'kill -TERM $$'; echo killed $?",
		"trap 'echo trapped' USR1; kill -USR1 $$; echo after",
		"for i in 1 2 3; do echo $i & wait; done | BB sort",
		"echo to stderr >&2; exit 4",
		"BB sh -c '(BB sleep 0.05; echo orphan done) &'; BB sleep 0.2; echo root done",
	}
	for _, s := range scripts {
		script := strings.ReplaceAll(s, "BB", bb)
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			args := []string{bb, "sh", "-c", script}
			wantOut, wantErr, wantStatus := runNative(t, bb, args, "")
			p, out, errOut := loadGuest2(t, bb, args, "")
			status := runToExit(t, p)
			if out.String() != wantOut || errOut.String() != wantErr || status != wantStatus {
				t.Errorf("emulated: status %#x stdout %q stderr %q\nnative:   status %#x stdout %q stderr %q",
					status, out, errOut, wantStatus, wantOut, wantErr)
			}
		})
	}
}

// TestGoProgram builds a static Go program (CGO_ENABLED=0, GOAMD64=v1)
// whose goroutines run on several threads and park in futexes, sleeps and
// epoll_wait (a trace also shows a preemption signal sent with tgkill and
// returned from), and compares its output and status with a native run.
func TestGoProgram(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "goprog")
	cmd := exec.Command(goTool, "build", "-o", bin, "./testdata/goprog/main.go")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOAMD64=v1", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build the Go guest: %v\n%s", err, out)
	}
	args := []string{bin}
	wantOut, wantErr, wantStatus := runNative(t, bin, args, "")
	p, out, errOut := loadGuest2(t, bin, args, "")
	status := runToExit(t, p)
	if out.String() != wantOut || errOut.String() != wantErr || status != wantStatus {
		t.Errorf("emulated: status %#x stdout %q stderr %q\nnative:   status %#x stdout %q stderr %q",
			status, out, errOut, wantStatus, wantOut, wantErr)
	}
}
