package wallet

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// The keystore half of the crash suite (issue 6): a keystore write
// interrupted by kill -9 leaves the old file or the new one, never a broken
// one. Keys are only ever created (Import, Create: writeNew never replaces
// a file), so "old" is no file and "new" is the complete key file.

const (
	ksCrashDirEnv   = "CAIRN_KEYSTORE_CRASH_DIR"   // set in the child: the keystore it writes
	ksCrashStartEnv = "CAIRN_KEYSTORE_CRASH_START" // the child's first key index
	ksCrashKills    = 20                           // kills of a CI run; CAIRN_CRASH_KILLS raises it
	ksCrashTimeout  = 60 * time.Second
)

func crashKeyName(i int) string { return fmt.Sprintf("k%05d", i) }
func crashPass(i int) string    { return "pass-" + strconv.Itoa(i) }
func crashSeed(i int) []byte {
	s := sha256.Sum256([]byte("keystore crash " + strconv.Itoa(i)))
	return s[:]
}

func crashPub(i int) core.PublicKey { return newKey("", crashSeed(i)).PublicKey() }

// TestKeystoreCrashChild is the child of TestKeystoreKillDuringWrite: it
// imports keys start, start+1, ... as fast as it can, printing BEGIN i
// before each Import and OK i once it returned, until it is killed.
func TestKeystoreCrashChild(t *testing.T) {
	dir := os.Getenv(ksCrashDirEnv)
	if dir == "" {
		t.Skip("child process of TestKeystoreKillDuringWrite")
	}
	go func() { // the parent went away
		io.Copy(io.Discard, os.Stdin)
		os.Exit(4)
	}()
	start, err := strconv.Atoi(os.Getenv(ksCrashStartEnv))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	ks, err := Open(dir, LightParams())
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	for i := start; ; i++ {
		fmt.Printf("BEGIN %d\n", i)
		if _, err := ks.Import(crashKeyName(i), crashSeed(i), crashPass(i)); err != nil {
			fmt.Println("ERR", err)
			os.Exit(3)
		}
		fmt.Printf("OK %d\n", i)
	}
}

// TestKeystoreKillDuringWrite SIGKILLs a child that imports keys, at a
// random moment, 20 times on the same keystore, and after each kill opens
// the keystore and checks: List works (no broken file, and stray temp
// files are ignored); every key the child finished is there and decrypts
// with its passphrase to its key; the key being written is either absent
// (the old state) or complete and decrypting (the new one); no other key
// file exists.
func TestKeystoreKillDuringWrite(t *testing.T) {
	if os.Getenv(ksCrashDirEnv) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	kills := ksCrashKills
	if s := os.Getenv("CAIRN_CRASH_KILLS"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < 1 {
			t.Fatalf("CAIRN_CRASH_KILLS=%q: want a positive number", s)
		}
		kills = k
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CAIRN_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = v
	}
	t.Logf("seed %d (CAIRN_CRASH_SEED replays the random choices)", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	dir := filepath.Join(t.TempDir(), "keystore")
	next := 0                   // keys below next are stored
	est := 5 * time.Millisecond // an Import's time, measured as the rounds go
	where := map[string]int{}   // where the kills landed
	for round := 0; round < kills; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeystoreCrashChild$")
		cmd.Env = append(os.Environ(), ksCrashDirEnv+"="+dir, ksCrashStartEnv+"="+strconv.Itoa(next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.StdinPipe(); err != nil { // the child exits if the test dies
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 64)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		waited := false
		t.Cleanup(func() {
			if !waited {
				cmd.Process.Kill()
				cmd.Wait()
			}
		})

		oks := 1 + rng.IntN(4) // kill a random delay after this many imports
		// Anywhere in the next import, or (half the time) in its second
		// half, where the file is written, linked and the temp removed.
		delay := time.Duration(rng.Int64N(int64(est)))
		if rng.IntN(2) == 0 {
			delay = est/2 + time.Duration(rng.Int64N(int64(est/2)+1))
		}
		done, inflight, okCount := next, -1, 0
		var began time.Time
		parse := func(line string) (arm bool) {
			f := strings.Fields(line)
			if len(f) != 2 {
				t.Fatalf("child: %q", line)
			}
			i, err := strconv.Atoi(f[1])
			if f[0] == "ERR" || err != nil {
				t.Fatalf("child: %q", line)
			}
			switch f[0] {
			case "BEGIN":
				inflight, began = i, time.Now()
			case "OK":
				if i != done {
					t.Fatalf("child: OK %d, expected %d", i, done)
				}
				done, inflight = i+1, -1
				est = (3*est + time.Since(began)) / 4
				okCount++
				return okCount == oks
			}
			return false
		}
		deadline := time.NewTimer(ksCrashTimeout)
		var fire <-chan time.Time
	wait:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatal("the child exited before it was killed")
				}
				if parse(line) && fire == nil {
					fire = time.After(delay)
				}
			case <-fire:
				cmd.Process.Kill()
				for line := range lines { // to EOF, before Wait closes the pipe
					parse(line)
				}
				cmd.Wait()
				waited = true
				break wait
			case <-deadline.C:
				t.Fatalf("round %d still running after %v", round, ksCrashTimeout)
			}
		}
		deadline.Stop()

		// Where was the write of the in-flight key when it was killed?
		var temps []string
		des, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range des {
			if inflight >= 0 && strings.HasPrefix(de.Name(), "."+fileName(crashKeyName(inflight))+".tmp-") {
				temps = append(temps, de.Name())
			}
		}
		_, statErr := os.Lstat(filepath.Join(dir, fileName(crashKeyName(max(inflight, 0)))))
		final := inflight >= 0 && statErr == nil
		switch {
		case inflight < 0:
			where["between imports"]++
		case len(temps) == 0 && !final:
			where["before the temp file (scan, scrypt)"]++
		case len(temps) > 0 && !final:
			where["temp file written, not linked"]++
		case len(temps) > 0 && final:
			where["linked, temp not removed"]++
		default:
			where["temp removed (dir fsync or return)"]++
		}

		ks, err := Open(dir, LightParams())
		if err != nil {
			t.Fatalf("round %d: open the keystore after kill: %v", round, err)
		}
		entries, err := ks.List()
		if err != nil {
			t.Fatalf("round %d: list after kill: %v", round, err)
		}
		want := done
		if final {
			want++ // the new file, complete: checked below like the others
		}
		if len(entries) != want {
			t.Fatalf("round %d: %d keys listed, want %d (%d imported, in flight %d present: %v)", round, len(entries), want, done, inflight, final)
		}
		for i, e := range entries {
			if e.Name != crashKeyName(i) || e.PublicKey != crashPub(i) {
				t.Fatalf("round %d: entry %d is %s %s, want %s %s", round, i, e.Name, e.PublicKey, crashKeyName(i), crashPub(i))
			}
		}
		// Decrypt the keys of this round (and a few old ones): scrypt is
		// the cost.
		for i := max(0, next-2); i < want; i++ {
			k, err := ks.Load(crashKeyName(i), crashPass(i))
			if err != nil {
				t.Fatalf("round %d: key %s: %v", round, crashKeyName(i), err)
			}
			if k.PublicKey() != crashPub(i) {
				t.Fatalf("round %d: key %s decrypts to another key", round, crashKeyName(i))
			}
			info, err := os.Stat(filepath.Join(dir, fileName(crashKeyName(i))))
			if err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("round %d: key %s: mode %v %v", round, crashKeyName(i), info.Mode(), err)
			}
		}
		if _, err := ks.Load(crashKeyName(want), crashPass(want)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("round %d: key %s past the last one: %v", round, crashKeyName(want), err)
		}
		next = want
	}
	strays := 0
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if strings.Contains(de.Name(), ".tmp-") {
			strays++
		}
	}
	t.Logf("%d kills, %d keys stored, %d stray temp files (ignored); kills landed: %v", kills, next, strays, where)
}

// TestKeystoreCrashBetweenWriteSteps lays out what a crash leaves after
// each step of writeNew (temp file created, partly written, complete but
// not linked, linked but not removed) and checks that the keystore opens,
// lists only complete keys, loads them, and imports again.
func TestKeystoreCrashBetweenWriteSteps(t *testing.T) {
	ks := newTestKeystore(t)
	if _, err := ks.Import("old", crashSeed(1), crashPass(1)); err != nil {
		t.Fatal(err)
	}
	kf, err := sealKey("new", crashSeed(2), crashPass(2), ks.params, 1)
	if err != nil {
		t.Fatal(err)
	}
	data := kf.encode()
	temp := func(suffix string, b []byte) string {
		p := filepath.Join(ks.Dir(), ".new.json.tmp-"+suffix)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	steps := []struct {
		name   string
		layout func()
		isNew  bool // the new key is stored
	}{
		{"temp created", func() { temp("1", nil) }, false},
		{"temp partly written", func() { temp("2", data[:len(data)/2]) }, false},
		{"temp complete, not linked", func() { temp("3", data) }, false},
		{"linked, temp not removed", func() {
			if err := os.Link(temp("4", data), filepath.Join(ks.Dir(), "new.json")); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, s := range steps {
		s.layout()
		ks2, err := Open(ks.Dir(), LightParams())
		if err != nil {
			t.Fatalf("%s: open: %v", s.name, err)
		}
		entries, err := ks2.List()
		if err != nil {
			t.Fatalf("%s: list: %v", s.name, err)
		}
		if len(entries) != map[bool]int{false: 1, true: 2}[s.isNew] {
			t.Fatalf("%s: %d keys listed", s.name, len(entries))
		}
		if _, err := ks2.Load("old", crashPass(1)); err != nil {
			t.Fatalf("%s: old key: %v", s.name, err)
		}
		k, err := ks2.Load("new", crashPass(2))
		switch {
		case s.isNew && (err != nil || k.PublicKey() != crashPub(2)):
			t.Fatalf("%s: new key: %v", s.name, err)
		case !s.isNew && !errors.Is(err, ErrNotFound):
			t.Fatalf("%s: new key not stored yet, Load: %v", s.name, err)
		}
		if _, err := ks2.Find(crashPub(1).Address().Encode(core.DefaultAddressPrefix), core.DefaultAddressPrefix); err != nil {
			t.Fatalf("%s: find by address: %v", s.name, err)
		}
	}
	// The write is retried after the crash: Import refuses the stored key
	// and stores others, with the stray temps still there.
	if _, err := ks.Import("new", crashSeed(2), crashPass(2)); !errors.Is(err, ErrExists) {
		t.Fatalf("import over the stored key: %v", err)
	}
	if _, err := ks.Import("third", crashSeed(3), crashPass(3)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(ks.Dir(), "new.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Import("new", crashSeed(2), crashPass(2)); err != nil {
		t.Fatalf("import after a crash left temps behind: %v", err)
	}
	if k, err := ks.Load("new", crashPass(2)); err != nil || k.PublicKey() != crashPub(2) {
		t.Fatalf("new key after the retried import: %v", err)
	}
}
