// The soak test runs a devnet under load while faults hit it: the whole
// devnet process killed with SIGKILL and restarted, nodes stopped and
// started, the network partitioned and healed. At the end the bench's
// checks must all hold: every acknowledged tx confirmed exactly once,
// balances, nonces and supply as expected, one tip and state digest.
//
// CI runs a short soak (see soakDuration); the long one is
//
//	go test -tags soak -timeout 30m -v ./soak
//
// or any length with CAIRN_SOAK_DURATION=20m.

package soak

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/bench"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/devnet"
	"github.com/cairn-chain/cairn/wallet"
)

// duration returns how long the faults and the load last.
func duration(t *testing.T) time.Duration {
	if s := os.Getenv("CAIRN_SOAK_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 10*time.Second {
			t.Fatalf("CAIRN_SOAK_DURATION=%q: want a duration of at least 10s", s)
		}
		return d
	}
	return soakDuration
}

// devnetProc is a `cairn devnet` child process.
type devnetProc struct {
	t      *testing.T
	bin    string
	args   []string
	mu     sync.Mutex
	cmd    *exec.Cmd
	out    *bytes.Buffer
	exited chan struct{}
}

func (p *devnetProc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = &bytes.Buffer{}
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = &lockedBuf{b: p.out}, &lockedBuf{b: p.out}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	exited := make(chan struct{})
	p.exited = exited
	cmd := p.cmd
	go func() { cmd.Wait(); close(exited) }()
}

// kill SIGKILLs the process and waits for it to exit.
func (p *devnetProc) kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	cmd.Process.Kill()
	<-exited
}

// stop interrupts the process and waits for a clean exit.
func (p *devnetProc) stop(t *testing.T) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-exited
		t.Errorf("cairn devnet did not stop within a minute of SIGINT")
	}
}

type lockedBuf struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the tail only
		l.b.Reset()
	}
	return l.b.Write(p)
}

// freeRange finds n consecutive free TCP ports on 127.0.0.1.
func freeRange(t *testing.T, n int) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for range 200 {
		base := 20000 + rng.IntN(30000)
		ok := true
		for i := range n {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no range of free ports on 127.0.0.1")
	return 0
}

// waitUp waits until every node's API answers.
func waitUp(t *testing.T, p *devnetProc, cs []*client.Client, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for _, c := range cs {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := c.Status(ctx)
			cancel()
			if err == nil {
				break
			}
			select {
			case <-p.exited:
				t.Fatalf("cairn devnet exited:\n%s", p.out.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s not up within %s: %v", c.BaseURL(), limit, err)
			}
			<-time.After(100 * time.Millisecond) // poll interval
		}
	}
}

func post(c *client.Client, path, body string) error {
	req, err := http.NewRequest(http.MethodPost, c.BaseURL()+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return nil
}

// TestSoak: a 5-node devnet under a steady transfer load while faults
// hit it at random; at the end every invariant of the bench holds.
func TestSoak(t *testing.T) {
	dur := duration(t)
	const nodes = 5
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "cairn")
	build := exec.Command("go", "build", "-o", bin, "../cmd/cairn")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base := freeRange(t, nodes)
	p := &devnetProc{t: t, bin: bin, args: []string{"devnet", "--nodes", fmt.Sprint(nodes), "--dir", dir,
		"--block-time", "1s", "--api-port", fmt.Sprint(base), "--max-hashrate", "100000", "--demo=false"}}
	p.start()
	defer p.kill()
	var cs []*client.Client
	for i := range nodes {
		// Durable: the soak SIGKILLs the devnet and then requires every
		// acknowledged tx; a plain 202 allows losing those of the last
		// sync window (100 ms), which the crash suite checks instead.
		cs = append(cs, bench.NewClient(fmt.Sprintf("http://127.0.0.1:%d", base+i), client.WithTimeout(10*time.Second), client.WithDurable()))
	}
	waitUp(t, p, cs, time.Minute)
	ks, err := wallet.Open(filepath.Join(dir, "keystore"), wallet.LightParams())
	if err != nil {
		t.Fatal(err)
	}
	funder, err := ks.Load(devnet.WalletName, devnet.WalletPassphrase)
	if err != nil {
		t.Fatal(err)
	}

	const rate = 150 // txs/s: a steady load, not a stress test
	txs := int(dur.Seconds() * rate)
	started := make(chan struct{})
	type result struct {
		rep *bench.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := bench.Run(context.Background(), bench.Config{Nodes: cs, Funder: funder, Txs: txs, Accounts: 100, Rate: rate,
			Stall: 3 * time.Minute, VerifyTime: 200 * time.Millisecond, Seed: 7, Started: func() { close(started) }})
		done <- result{rep, err}
	}()
	select {
	case <-started:
	case r := <-done:
		t.Fatalf("bench ended before the load: %v", r.err)
	}

	// Faults at random moments while the load runs.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	var kills, stops, partitions int
	stopped := map[int]bool{}
	partitioned := false
	end := time.Now().Add(dur)
	wait := func(lo, hi time.Duration) { <-time.After(lo + time.Duration(rng.Int64N(int64(hi-lo)))) }
	for time.Now().Before(end) {
		wait(2*time.Second, 6*time.Second)
		switch x := rng.IntN(10); {
		case x < 3: // SIGKILL the whole devnet, restart it on the same data
			p.kill()
			kills++
			wait(200*time.Millisecond, 2*time.Second)
			p.start()
			waitUp(t, p, cs, time.Minute)
			clear(stopped)
			partitioned = false
		case x < 6: // partition, or heal
			if partitioned {
				if err := post(cs[0], "/devnet/heal", ""); err != nil {
					t.Fatal(err)
				}
				partitioned = false
				continue
			}
			k := 1 + rng.IntN(nodes-1)
			var a, b []string
			for i := range nodes {
				if i < k {
					a = append(a, fmt.Sprint(i))
				} else {
					b = append(b, fmt.Sprint(i))
				}
			}
			if err := post(cs[0], "/devnet/partition", fmt.Sprintf(`{"groups":[[%s],[%s]]}`, strings.Join(a, ","), strings.Join(b, ","))); err != nil {
				t.Fatal(err)
			}
			partitioned = true
			partitions++
		default: // stop a node, or start a stopped one
			i := 1 + rng.IntN(nodes-1)
			action := "stop"
			if stopped[i] {
				action = "start"
			}
			if err := post(cs[0], fmt.Sprintf("/devnet/nodes/%d/%s", i, action), ""); err != nil {
				t.Fatal(err)
			}
			stopped[i] = !stopped[i]
			if action == "stop" {
				stops++
			}
		}
	}
	// Repair: heal and start every node, then let the bench finish.
	if partitioned {
		if err := post(cs[0], "/devnet/heal", ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := range stopped {
		if stopped[i] {
			if err := post(cs[0], fmt.Sprintf("/devnet/nodes/%d/start", i), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("faults over %v: %d SIGKILLs of the devnet, %d node stops, %d partitions", dur, kills, stops, partitions)
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Minute):
		t.Fatalf("the bench did not finish within 10 minutes of the faults ending:\n%s", p.out.String())
	}
	if r.err != nil {
		t.Fatalf("bench: %v", r.err)
	}
	rep := r.rep
	t.Logf("soak: %d txs submitted, %d confirmed, %d lost, %d duplicated; p99 latency %.0f ms; converged %v at height %d",
		rep.Submitted, rep.Confirmed, rep.Lost, rep.Duplicated, rep.LatencyMs.P99, rep.Converged, rep.Height)
	if !rep.OK() {
		t.Fatalf("invariants broken after the soak: %s\n%+v", strings.Join(rep.Problems, "; "), *rep)
	}
	if kills+stops+partitions == 0 {
		t.Fatal("no fault was injected")
	}
	p.stop(t)
}
