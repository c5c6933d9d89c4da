package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, skipping the test if the system
// has none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// TestPassphrasePrompt types a new wallet's passphrase (twice) on a
// terminal and checks that the terminal does not echo it.
func TestPassphrasePrompt(t *testing.T) {
	master, slave := openPTY(t)
	ks := filepath.Join(t.TempDir(), "ks")
	cmd := exec.Command(buildCairn(t), "wallet", "new", "--name", "tty", "--keystore", ks)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &stdout, slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	chunks := make(chan string, 100)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				chunks <- string(buf[:n])
			}
			if err != nil {
				close(chunks)
				return
			}
		}
	}()
	var screen strings.Builder
	waitFor := func(s string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for !strings.Contains(screen.String(), s) {
			select {
			case c, ok := <-chunks:
				if !ok {
					t.Fatalf("terminal closed before %q:\n%s", s, screen.String())
				}
				screen.WriteString(c)
			case <-deadline:
				t.Fatalf("no %q on the terminal within 30 s:\n%s", s, screen.String())
			}
		}
	}
	waitFor("passphrase for the new wallet \"tty\": ")
	master.WriteString("tty secret\n")
	waitFor("repeat the passphrase: ")
	master.WriteString("tty secret\n")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wallet new on a terminal: %v\n%s", err, screen.String())
	}
	waitFor("created wallet")
	if strings.Contains(screen.String(), "secret") {
		t.Fatalf("the terminal echoed the passphrase:\n%q", screen.String())
	}
	addr := strings.TrimSpace(stdout.String())
	r := run(t, []string{"CAIRN_PASSWORD=tty secret"}, "", "wallet", "export", "tty", "--keystore", ks)
	r.want(t, 0)
	r2 := run(t, []string{"CAIRN_PASSWORD=tty secret"}, strings.TrimSpace(r.stdout)+"\n", "wallet", "import", "copy", "--keystore", filepath.Join(t.TempDir(), "ks2"))
	r2.want(t, 0)
	if strings.TrimSpace(r2.stdout) != addr {
		t.Fatalf("the key typed on the terminal does not round-trip: %s vs %s", r2.stdout, addr)
	}
}
