// Package browsertest drives the explorer in a real headless Chromium
// against a real devnet. It needs /usr/bin/chromium (Debian's package;
// .ci/run installs it when missing).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/devnet"
	"github.com/cairn-chain/cairn/wallet"
)

func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("CAIRN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not found: install Debian's chromium package (.ci/run does) or set CAIRN_CHROMIUM")
	return ""
}

// browser starts headless Chromium with the flags this machine needs.
func browser(t *testing.T) (context.Context, *[]string) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	var errs []string
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs = append(errs, e.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				errs = append(errs, strings.Join(parts, " "))
			}
		}
	})
	return ctx, &errs
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name+".png")
	if dir := os.Getenv("CAIRN_SCREENSHOTS"); dir != "" {
		path = filepath.Join(dir, name+".png")
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestExplorerInBrowser loads the dashboard of a running devnet: it shows
// the chain with no console errors, a new block appears without a reload,
// searching nonsense says not found, and the devnet page lists the nodes.
func TestExplorerInBrowser(t *testing.T) {
	dctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	d, err := devnet.Start(dctx, devnet.Config{Dir: dir, Nodes: 2, BlockTime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	base := d.Node(0).APIURL()
	ctx, errs := browser(t)

	var h1 string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#stat-height", chromedp.ByID),
		chromedp.Text("#stat-height", &h1, chromedp.ByID),
	); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	screenshot(t, ctx, "dashboard")
	// A new block appears without a reload.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var h2 string
		if err := chromedp.Run(ctx, chromedp.Text("#stat-height", &h2, chromedp.ByID)); err != nil {
			t.Fatal(err)
		}
		if h2 != h1 && h2 != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("height stayed %q for 60 s without a reload", h1)
		}
		if err := chromedp.Run(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil { // poll interval of the page check
			t.Fatal(err)
		}
	}
	// Searching nonsense says not found.
	var msg string
	if err := chromedp.Run(ctx,
		chromedp.SetValue("#q", "no-such-thing", chromedp.ByID),
		chromedp.Click("#search button", chromedp.ByQuery),
		chromedp.WaitVisible("#notfound", chromedp.ByID),
		chromedp.Text("#notfound", &msg, chromedp.ByID),
	); err != nil {
		t.Fatalf("search: %v", err)
	}
	if !strings.Contains(strings.ToLower(msg), "nothing matches") {
		t.Fatalf("not-found message: %q", msg)
	}
	// The devnet page lists both nodes.
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/#/devnet"),
		chromedp.WaitVisible("#heal", chromedp.ByID),
	); err != nil {
		t.Fatalf("devnet page: %v", err)
	}
	screenshot(t, ctx, "devnet")

	// A confirmed tx whose memo is markup: the page shows it as text, never
	// runs it, and checks the tx's Merkle proof itself.
	ks, err := wallet.Open(filepath.Join(dir, "keystore"), wallet.LightParams())
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Load(devnet.WalletName, devnet.WalletPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	n0 := d.Node(0)
	_, nonce, err := n0.Pool.PendingState(key.Address())
	if err != nil {
		t.Fatal(err)
	}
	const memo = `<script>window.pwned=1</script><img src=x onerror="window.pwned=1">`
	tx, err := key.NewTx(n0.Genesis.ChainID, core.Address{1}, 1, n0.Genesis.MinFee, nonce, []byte(memo))
	if err != nil {
		t.Fatal(err)
	}
	if err := n0.SubmitLocalTxs([]*core.Tx{tx})[0]; err != nil {
		t.Fatal(err)
	}
	id := tx.ID()
	deadline = time.Now().Add(60 * time.Second)
	for {
		if _, err := n0.Chain.Tx(id); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the memo tx was not mined within 60 s")
		}
		if err := chromedp.Run(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	var shown, proof string
	var pwned bool
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/#/tx/"+id.String()),
		chromedp.WaitVisible("#memo-text", chromedp.ByID),
		chromedp.Text("#memo-text", &shown, chromedp.ByID),
		chromedp.WaitVisible("#proof-result", chromedp.ByID),
		chromedp.Text("#proof-result", &proof, chromedp.ByID),
		chromedp.Evaluate(`window.pwned === 1`, &pwned),
	); err != nil {
		t.Fatalf("tx page: %v", err)
	}
	screenshot(t, ctx, "tx")
	if shown != memo || pwned {
		t.Fatalf("memo shown as %q (pwned %v): want the markup as text, not run", shown, pwned)
	}
	if !strings.HasPrefix(proof, "proof valid") {
		t.Fatalf("proof check in the page: %q", proof)
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
