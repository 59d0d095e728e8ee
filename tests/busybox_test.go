package tests

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redox-gdbstub/redox-gdbstub/internal/testenv"
)

// busybox is Debian's busybox-static (installed by tests/run and CI).
const busybox = "/usr/bin/busybox"

// busyboxCase runs `busybox ARGS...` in a directory populated by
// populateBusyboxDir. Shell scripts reach the other applets through $BB
// (the full path: the host's PATH holds dynamically linked programs,
// which the emulator does not run).
type busyboxCase struct {
	name   string
	args   []string
	stdin  string
	status int
	want   []string // substrings of the native stdout+stderr
}

var busyboxCases = []busyboxCase{
	{"sh-pipeline", []string{"sh", "-c", `$BB cat words.txt | $BB sort | $BB uniq -c | $BB sort -k1,1nr -k2 | $BB head -n 4`}, "", 0,
		[]string{"      4 foo\n"}},
	{"sh-script", []string{"sh", "-c", `set -e; n=0; for f in *.txt; do n=$((n + $($BB wc -l < "$f"))); done; echo "lines $n";
x=$(echo hello | $BB tr a-z A-Z); echo "$x ${#x}"; case $x in H*) echo starts-with-H;; esac
if $BB grep -q zebra words.txt; then echo found; else echo "no zebra ($?)"; fi
( exit 3 ) || echo "subshell status $?"; echo to-stderr >&2; exit 5`}, "", 5,
		[]string{"lines 1512\n", "HELLO 5\n", "no zebra (1)\n", "subshell status 3\n", "to-stderr\n"}},
	// A background job that outlives the shell: natively it holds the
	// output pipe until it ends; under emulation it runs on after the
	// shell's exit (target.Process.RunOrphans).
	{"sh-orphan-job", []string{"sh", "-c", `echo start; ($BB sleep 0.1; echo late) & echo shell done`}, "", 0,
		[]string{"start\nshell done\nlate\n"}},
	{"sh-background-wait", []string{"sh", "-c", `for i in 9 1 5; do ($BB sleep 0.$i; echo job $i) & done; wait; echo all done`}, "", 0,
		// 400 ms between the wake-ups: the order must not depend on
		// how fast the emulator starts the jobs on a loaded machine.
		[]string{"job 1\njob 5\njob 9\nall done\n"}},
	// (BusyBox awk's "print | cmd" runs /bin/sh, the host's dynamically
	// linked shell, which the emulator cannot run: not used here.)
	{"awk", []string{"awk", `-F,`, `NR > 1 { s[$1] += $3; n[$1]++ } END { for (k in s) printf "%s %d %.3f\n", k, s[k], s[k] / n[k]; print NR, length($0), toupper(substr($2, 1, 3)) }`, "data.csv"}, "", 0,
		[]string{"east 2250 562.500\n", "8 14 DAT\n"}},
	{"awk-arith", []string{"awk", `BEGIN { for (i = 1; i <= 10; i++) { s += i / 7; p = p * 2 + i } n = split("a:b:c", parts, ":"); t = "banana"; g = gsub(/an/, "AN", t); printf "%.10f %d %g %s %d %s %d %s\n", s, p, 1e3 / 7, sprintf("%05.1f", 3.14159), n, parts[3], g, t; exit 3 }`}, "", 3,
		[]string{"7.8571428571 2036 142.857 003.1 3 c 2 bANANa\n"}},
	{"sed", []string{"sed", "-n", "-e", `s/^\(fo*\)\(.*\)$/[\1|\2]/p`, "-e", `/^q/{=;p}`, "words.txt"}, "", 0, []string{"[foo|]\n"}},
	{"sed-edit", []string{"sed", "-e", "2d", "-e", "$a the end", "-e", "y/abc/ABC/", "data.csv"}, "", 0, []string{"the end\n"}},
	{"sort-numeric-keys", []string{"sort", "-t,", "-k3,3nr", "-k1,1", "data.csv"}, "", 0, []string{"region,item,amount\n"}},
	{"sort-unique-reverse", []string{"sort", "-u", "-r", "words.txt"}, "", 0, []string{"qux\nquux\n"}},
	{"sha256sum", []string{"sha256sum", "words.txt", "big.txt", "bin.dat"}, "", 0, []string{"  big.txt\n"}},
	{"md5sum-check", []string{"sh", "-c", `$BB md5sum *.txt > sums && $BB md5sum -c sums && echo extra >> words.txt && $BB md5sum -c sums`}, "", 1,
		[]string{"words.txt: OK\n", "words.txt: FAILED\n"}},
	{"gzip-round-trip", []string{"sh", "-c", `$BB gzip -9 -c big.txt > big.gz && $BB gunzip -c big.gz | $BB cmp - big.txt && echo same;
$BB gzip -c big.gz | $BB wc -c; $BB gzip big.txt && $BB ls; $BB gunzip big.txt.gz && $BB sha256sum big.txt; $BB gunzip < words.txt`}, "", 1,
		[]string{"same\n", "big.txt.gz\n", "gunzip: invalid magic\n"}},
	{"find", []string{"find", ".", "-name", "*.txt", "-o", "-type", "d", "-name", "d*"}, "", 0, []string{"./sub/deep\n"}},
	{"find-sorted", []string{"sh", "-c", `$BB find . -type f -size -2k | $BB sort; $BB find sub -newer words.txt; $BB find nowhere`}, "", 1,
		[]string{"./sub/deep/c.txt\n", "nowhere"}},
	{"ls-l", []string{"ls", "-l", "--full-time", "sub", "sub/deep", "words.txt", "missing"}, "", 1,
		[]string{"2020-01-02 03:04:05", "missing"}},
	{"ls-lR", []string{"ls", "-lRn", "sub"}, "", 0, []string{"sub/deep:\n"}},
	{"expr", []string{"sh", "-c", `$BB expr 3 \* 7 + 1; $BB expr length hello; $BB expr substr abcdef 2 3; $BB expr 10 / 3 % 2; $BB expr 5 \< 3`}, "", 1,
		[]string{"22\n5\nbcd\n1\n0\n"}},
	{"seq", []string{"sh", "-c", `$BB seq 3 4 30; $BB seq -w 8 11; $BB seq -s, 5 -1 1; $BB seq 1.5 0.5 3`}, "", 0, []string{"5,4,3,2,1\n"}},
	{"wc", []string{"wc", "words.txt", "data.csv", "big.txt"}, "", 0, []string{" total\n"}},
	{"tr", []string{"tr", "-s", "a-z ", "A-Z_"}, "hello   world, tree bookkeeper\n", 0, []string{"HELO_WORLD,_TRE_BOKEPER\n"}},
	{"tr-delete", []string{"tr", "-cd", "0-9\n"}, "a1b2c3\nx9y8\n", 0, []string{"123\n98\n"}},
	{"cut", []string{"cut", "-d,", "-f1,3", "data.csv"}, "", 0, []string{"east,1000\n"}},
	{"cut-chars", []string{"cut", "-c2-4,6"}, "abcdefgh\n123456789\n", 0, []string{"bcdf\n2346\n"}},
	{"head-tail", []string{"sh", "-c", `$BB head -n 3 words.txt; $BB tail -n 2 words.txt; $BB tail -c 12 big.txt; $BB head -c 5 bin.dat | $BB od -An -tx1; $BB tail -n +9 data.csv`}, "", 0,
		[]string{"foo\nbar\n"}},
	{"uniq", []string{"sh", "-c", `$BB sort words.txt | $BB uniq -d; $BB sort words.txt | $BB uniq -u | $BB head -3; $BB sort words.txt | $BB uniq -c | $BB sort -rn | $BB head -2`}, "", 0,
		[]string{"foo\n"}},
	{"basename-dirname", []string{"sh", "-c", `$BB basename /a/b/c.txt .txt; $BB basename /usr/; $BB dirname /a/b/c.txt; $BB dirname file`}, "", 0,
		[]string{"c\nusr\n/a/b\n.\n"}},
	{"printf", []string{"printf", `%5.2f|%-4s|%x|%o|%c|%05d|%e|%s\n`, "3.14159", "ab", "255", "8", "xyz", "42", "12345.678", "one"}, "", 0,
		[]string{" 3.14|ab  |ff|10|x|00042|1.234568e+04|one\n"}},
	{"od", []string{"od", "-A", "x", "-t", "x1", "-v", "bin.dat"}, "", 0, []string{"\n00012c\n"}},
	{"od-chars", []string{"od", "-c", "-t", "d2", "data.csv"}, "", 0, []string{"r   e   g   i"}},
	{"grep", []string{"grep", "-n", "-e", "^fo", "-e", "ux$", "words.txt"}, "", 0, []string{"1:foo\n"}},
	{"grep-count-invert", []string{"sh", "-c", `$BB grep -c -v foo words.txt; $BB grep -E -o "[0-9]+" data.csv | $BB head -3; $BB grep -r -l beta .; $BB grep zebra words.txt; echo "status $?"; $BB grep -q x nofile`}, "", 2,
		[]string{"status 1\n", "./sub/deep/c.txt\n"}},
	{"xargs", []string{"sh", "-c", `$BB seq 1 7 | $BB xargs -n 3 $BB echo args:`}, "", 0, []string{"args: 1 2 3\nargs: 4 5 6\nargs: 7\n"}},
	{"tac-rev-nl", []string{"sh", "-c", `$BB tac data.csv | $BB head -2; echo hello | $BB rev; $BB nl -ba data.csv | $BB tail -1`}, "", 0, []string{"olleh\n"}},
	{"date", []string{"date", "-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %j %a"}, "", 0, []string{"2009-02-13 23:31:30 044 Fri\n"}},
	{"cp-mv-rm-stat", []string{"sh", "-c", `$BB cp -r sub copy && $BB mv copy/a.txt moved.txt && $BB rm -r copy && $BB stat -c "%n %s %a" moved.txt && $BB ls`}, "", 0,
		[]string{"moved.txt 17 644\n"}},
	{"tar", []string{"sh", "-c", `$BB tar -cf - sub | $BB tar -tvf - | $BB sort -k6`}, "", 0, []string{"sub/deep/c.txt\n"}},
	{"diff", []string{"sh", "-c", `$BB sort words.txt > sorted; $BB diff -u words.txt sorted | $BB tail -n +3 | $BB head -8`}, "", 0, []string{"@@ "}},
	{"timeout", []string{"sh", "-c", `$BB timeout 0.2 $BB sleep 5; echo status $?; $BB timeout 5 $BB true; echo status $?`}, "", 0,
		[]string{"status 143\nstatus 0\n"}},
	{"sigpipe", []string{"sh", "-c", `$BB yes | $BB head -n 100000 | $BB wc -l; $BB seq 1 100000 | $BB md5sum`}, "", 0,
		[]string{"100000\n"}},
	{"sh-kill", []string{"sh", "-c", `$BB sh -c 'kill -TERM $$'; echo killed $?; trap 'echo trapped' USR1; kill -USR1 $$; echo after`}, "", 0,
		[]string{"killed 143\n", "trapped\nafter\n"}},
	{"touch-umask", []string{"sh", "-c", `umask 077; $BB touch f1; $BB mkdir d1; $BB stat -c '%n %a' f1 d1; umask; $BB touch -d '2001-02-03 04:05:06' f1; $BB ls -l --full-time f1`}, "", 0,
		[]string{"f1 600\nd1 700\n0077\n", "2001-02-03 04:05:06"}},
	{"sed-inplace-chown-df", []string{"sh", "-c", `$BB sed -i s/foo/FOO/ words.txt; $BB head -2 words.txt; $BB chown $($BB id -u):$($BB id -g) words.txt; echo chown $?; $BB df . >/dev/null; echo df $?`}, "", 0,
		[]string{"FOO\nbar\n", "chown 0\ndf 0\n"}},
	{"unknown-applet", []string{"nosuchapplet"}, "", 127, []string{"nosuchapplet: applet not found\n"}},
}

// fixedTime is the modification time of every file populateBusyboxDir
// makes: the native and emulated directories are made separately, and
// `ls -l` shows the times.
var fixedTime = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// populateBusyboxDir makes the files the BusyBox cases work on.
func populateBusyboxDir(dir string) error {
	words := strings.Repeat("foo\nbar\nbaz\nqux\nfoo\nquux\nbar\nfoo\n", 1)
	words += "corge\ngrault\nfoo\nwaldo\n"
	var big strings.Builder
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&big, "%05d the quick brown fox %d jumps over %x lazy dogs\n", i, i*i%977, i*7919)
	}
	bin := make([]byte, 300)
	for i := range bin {
		bin[i] = byte(i * 37 % 256)
	}
	files := map[string]string{
		"words.txt": words,
		"data.csv": "region,item,amount\neast,apples,1000\nwest,pears,250\neast,plums,500\nnorth,figs,75\n" +
			"east,kiwis,250\nwest,limes,1250\neast,dates,500\n",
		"big.txt":          big.String(),
		"bin.dat":          string(bin),
		"sub/a.txt":        "alpha\nbeta\ngamma\n",
		"sub/b.log":        "log line\n",
		"sub/deep/c.txt":   "beta\n",
		"sub/deep/d/e.txt": "",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// setFixedTimes sets every entry's times below dir to fixedTime.
func setFixedTimes(dir string) error {
	var paths []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && p != dir {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- { // children before their directories
		if err := os.Chtimes(paths[i], fixedTime, fixedTime); err != nil {
			return err
		}
	}
	return nil
}

// TestBusybox runs BusyBox applets natively and in the emulator.
func TestBusybox(t *testing.T) {
	f, err := elf.Open(busybox)
	if err != nil {
		testenv.Missing(t, busybox+" (Debian's busybox-static)", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			f.Close()
			testenv.Missing(t, "a static "+busybox+" (Debian's busybox-static)", errors.New("it has PT_INTERP"))
		}
	}
	f.Close()
	applets := map[string]bool{}
	for _, c := range busyboxCases {
		applets[c.args[0]] = true
		for _, a := range c.args {
			for _, m := range bbAppletRE.FindAllStringSubmatch(a, -1) {
				applets[m[1]] = true
			}
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			differential(t, diffCase{
				argv:  append([]string{busybox}, c.args...),
				stdin: c.stdin,
				env:   []string{"BB=" + busybox},
				setup: func(dir string) error {
					if err := populateBusyboxDir(dir); err != nil {
						return err
					}
					return setFixedTimes(dir)
				},
				wantNative: c.want,
				wantStatus: c.status,
			})
		})
	}
	delete(applets, "nosuchapplet")
	if len(applets) < 20 {
		t.Errorf("only %d BusyBox applets are covered, want at least 20: %v", len(applets), applets)
	}
	t.Logf("%d applets covered", len(applets))
}

// bbAppletRE finds the applets a script runs.
var bbAppletRE = regexp.MustCompile(`\$BB (\w+)`)
