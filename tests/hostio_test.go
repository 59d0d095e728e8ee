package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// hostIOPayload is the file "remote put" sends: larger than one vFile
// packet, and full of the bytes the protocol must escape ($ # } *) and
// NULs.
func hostIOPayload() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteString("$#}*\x00")
		b.WriteByte(byte(i * 7))
	}
	return b.Bytes()
}

// TestHostIOFileTransfer runs gdb's "remote put", "remote get" and
// "remote delete" (vFile open/pwrite/pread/close/unlink) against
// gdbserver and against the stub, each in its own directory, and compares
// the normalised transcripts and the files left behind.
func TestHostIOFileTransfer(t *testing.T) {
	needTools(t)
	if err := suite.guestErr["basic"]; err != nil {
		t.Fatalf("building guest basic: %v", err)
	}
	if suite.stubErr != nil {
		t.Fatalf("the stub could not be built: %v", suite.stubErr)
	}
	payload := hostIOPayload()
	type result struct {
		transcript string
		got        []byte // the file fetched back with "remote get"
		pre        []byte // a file made beforehand, fetched with "remote get"
		left       []string
	}
	results := map[string]result{}
	for _, server := range []string{"gdbserver", "stub"} {
		dir := filepath.Join(t.TempDir(), server)
		if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(dir, "local.bin")
		if err := os.WriteFile(src, payload, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "pre.txt"), []byte("made before the session\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		d := func(name string) string { return filepath.Join(dir, name) }
		sc := scenario{name: "hostio-" + server, guest: "basic", file: true, cmds: []string{
			"remote put " + src + " " + d("put.bin"),
			// gdb creates the file with mode 0700 (less the umask).
			"shell stat -c '%a %s' " + d("put.bin"),
			"remote get " + d("put.bin") + " " + d("got.bin"),
			"remote get " + d("pre.txt") + " " + d("pre.got"),
			// Overwrite: O_TRUNC must drop the old, longer contents.
			"remote put " + d("pre.txt") + " " + d("put.bin"),
			"shell stat -c '%a %s' " + d("put.bin"),
			"remote delete " + d("put.bin"),
			"remote delete " + d("put.bin"),
			"remote get " + d("put.bin") + " " + d("never.bin"),
			"remote put " + src + " " + d("missing/put.bin"),
			"remote delete " + d("sub"),
			"remote get " + d("sub") + " " + d("sub.got"),
			// The process's /proc files are read-only (the host's with
			// gdbserver, the synthesised ones with the stub).
			`python gdb.execute("remote put ` + src + ` /proc/%d/maps" % gdb.selected_inferior().pid)`,
			`python gdb.execute("remote delete /proc/%d/maps" % gdb.selected_inferior().pid)`,
			`python gdb.execute("remote get /proc/%d/cmdline ` + d("cmdline") + `" % gdb.selected_inferior().pid)`,
			"shell cat " + d("cmdline") + " | tr '\\0' '\\n' | sed 's|.*/||'",
			"continue",
		}}
		s := runScenario(t, sc, server)
		if s.err != nil {
			t.Fatalf("%s: %v\n%s", server, s.err, s.describe())
		}
		if server == "stub" && (strings.Contains(s.serverLog, "panic:") || strings.Contains(s.serverLog, "fatal error:")) {
			t.Errorf("the stub crashed:\n%s", tail(s.serverLog, 4096))
		}
		norm := newNormalizer()
		norm.extra = []rule{{
			name: "proc-write-open-as-root",
			why: "a write open of the process's /proc/PID/maps fails either way: Linux says EACCES " +
				"to a user without write permission (the file is 0444), while root passes that check " +
				"and procfs then says EINVAL (measured with gdbserver as root). The stub always says " +
				"EACCES (the file is read-only), whoever runs it.",
			re: regexp.MustCompile(`(?m)(remote put \S+ /proc/%d/maps" % gdb\.selected_inferior\(\)\.pid\)\n` +
				`Traceback \(most recent call last\):\n  File "<string>", line 1, in <module>\n` +
				`gdb\.error: Remote I/O error: )Invalid argument$`),
			repl: "${1}Permission denied",
		}}
		var r result
		r.transcript = norm.normalize(strings.ReplaceAll(s.gdb, dir, "$DIR"))
		r.got, _ = os.ReadFile(d("got.bin"))
		r.pre, _ = os.ReadFile(d("pre.got"))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			r.left = append(r.left, e.Name())
		}
		for _, w := range []string{
			fmt.Sprintf(`^700 %d$`, len(payload)),
			`^700 24$`,
			// The second delete finds nothing (so the first one worked).
			`^\(gdb\) remote delete \$DIR/put\.bin\nRemote I/O error: No such file or directory$`,
			`^\(gdb\) remote delete \$DIR/sub\nRemote I/O error: Is a directory$`,
			`^gdb\.error: Remote I/O error: Permission denied$`,
			`^gdb\.error: Remote I/O error: Operation not permitted$`,
			// remote get of /proc/PID/cmdline: argv[0] is the program.
			`^basic$`,
			`^\[Inferior 1 \(process PID\) exited normally\]$`,
		} {
			if !regexp.MustCompile("(?m)" + w).MatchString(r.transcript) {
				t.Errorf("%s transcript lacks a line matching %s\n%s", server, w, r.transcript)
			}
		}
		if !bytes.Equal(r.got, payload) {
			t.Errorf("%s: remote get returned %d bytes, not the %d put", server, len(r.got), len(payload))
		}
		if string(r.pre) != "made before the session\n" {
			t.Errorf("%s: remote get of an existing file gave %q", server, r.pre)
		}
		results[server] = r
	}
	want, got := results["gdbserver"], results["stub"]
	if d := unifiedDiff("gdbserver (normalised)", "redox-gdbstub (normalised)", want.transcript, got.transcript); d != "" {
		t.Errorf("gdb transcripts differ:\n%s", d)
	}
	if strings.Join(want.left, " ") != strings.Join(got.left, " ") {
		t.Errorf("files left: gdbserver %q, stub %q", want.left, got.left)
	}
}
