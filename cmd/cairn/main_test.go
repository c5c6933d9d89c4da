package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testBin is the cairn binary, built on first use by buildCairn (fuzz
// workers and in-process tests never build it).
var testBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testBin.dir != "" {
		os.RemoveAll(testBin.dir)
	}
	os.Exit(code)
}

// buildCairn returns the path of the cairn binary, building it once.
func buildCairn(t *testing.T) string {
	t.Helper()
	testBin.once.Do(func() {
		testBin.dir, testBin.err = os.MkdirTemp("", "cairn-test-")
		if testBin.err != nil {
			return
		}
		testBin.path = filepath.Join(testBin.dir, "cairn")
		out, err := exec.Command("go", "build", "-o", testBin.path, ".").CombinedOutput()
		if err != nil {
			testBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if testBin.err != nil {
		t.Fatal(testBin.err)
	}
	return testBin.path
}

var heightLine = regexp.MustCompile(`^height (\d+) `)

// runDevnetUntil starts `cairn devnet` on dir, waits for a status line at
// height >= want, interrupts it, and returns the height it stopped at and
// its banner's starting height.
func runDevnetUntil(t *testing.T, bin, dir string, want int) (stopped, started int) {
	t.Helper()
	cmd := exec.Command(bin, "devnet", "--dir", dir, "--block-time", "100ms", "--nodes", "2", "--api-port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	started = -1
	// The devnet's height at start is its best node's, as "stopped at
	// height" is: a block one node mined just before the stop may not have
	// reached the others.
	startRe := regexp.MustCompile(`^  node \d+ .* height (\d+)$`)
	deadline := time.After(90 * time.Second)
	for {
		select {
		case <-deadline:
			t.Fatalf("no status line at height %d within 90 s", want)
		case l, ok := <-lines:
			if !ok {
				t.Fatal("devnet exited early")
			}
			if m := startRe.FindStringSubmatch(l); m != nil {
				h, _ := strconv.Atoi(m[1])
				started = max(started, h)
			}
			if m := heightLine.FindStringSubmatch(l); m != nil {
				if h, _ := strconv.Atoi(m[1]); h >= want {
					cmd.Process.Signal(syscall.SIGINT)
					stopRe := regexp.MustCompile(`^stopped at height (\d+)`)
					for l := range lines {
						if m := stopRe.FindStringSubmatch(l); m != nil {
							stopped, _ = strconv.Atoi(m[1])
						}
					}
					if err := cmd.Wait(); err != nil {
						t.Fatalf("devnet exit after SIGINT: %v", err)
					}
					return stopped, started
				}
			}
		}
	}
}

// TestDevnetRunsAndResumes is the README's first command, end to end: the
// devnet mines, stops cleanly on Ctrl-C, and a second run on the same dir
// resumes the chain.
func TestDevnetRunsAndResumes(t *testing.T) {
	bin := buildCairn(t)
	dir := t.TempDir()
	stopped, started := runDevnetUntil(t, bin, dir, 3)
	if started != 0 || stopped < 3 {
		t.Fatalf("first run: started at %d, stopped at %d", started, stopped)
	}
	if _, err := os.Stat(filepath.Join(dir, "keystore", "dev.json")); err != nil {
		t.Fatalf("dev wallet not written: %v", err)
	}
	stopped2, started2 := runDevnetUntil(t, bin, dir, stopped+1)
	if started2 != stopped || stopped2 <= stopped {
		t.Fatalf("second run: started at %d (first stopped at %d), stopped at %d", started2, stopped, stopped2)
	}
}

func TestUsageErrors(t *testing.T) {
	bin := buildCairn(t)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"--bogus"}, 2},
		{[]string{"devnet", "extra"}, 2},
		{[]string{"devnet", "--nodes", "x"}, 2},
		{[]string{"devnet", "--nodes", "100", "--dir", t.TempDir()}, 1},
		{[]string{"node", "--datadir", t.TempDir(), "--db-memtable-mib", "-1"}, 2},
	}
	for _, c := range cases {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != c.code {
			t.Errorf("cairn %v: %v, want exit %d\n%s", c.args, err, c.code, out)
		}
		if len(out) == 0 {
			t.Errorf("cairn %v printed no error", c.args)
		}
	}
}
