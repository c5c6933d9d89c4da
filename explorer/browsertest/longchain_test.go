package browsertest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

// longChainBlocks is the chain length of TestExplorerOnLongChain;
// CAIRN_LONG_CHAIN overrides it (e.g. 1000 for a quick look).
func longChainBlocks(t *testing.T) int {
	if s := os.Getenv("CAIRN_LONG_CHAIN"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 {
			t.Fatalf("CAIRN_LONG_CHAIN=%q: want a number >= 200", s)
		}
		return n
	}
	return 100_000
}

// pageLoad is what one page view fetched from the node.
type pageLoad struct {
	Requests int     `json:"requests"`
	Bytes    float64 `json:"bytes"`
	Largest  float64 `json:"largest"`
}

// TestExplorerOnLongChain mines a 100,000-block chain into a real node
// and opens the explorer's pages for it: the dashboard, a block deep in
// the chain, a tx, and an account with a long history. Every page is
// paged: it must fetch a bounded number of requests and bytes from the
// node, whatever the chain's length (no full-chain loads).
func TestExplorerOnLongChain(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI) before starting any node
	total := longChainBlocks(t)
	b := scenarios.NewBuilder()
	n := startChainNode(t, b).n

	// Mine the chain; key 0 pays key 1 in every every-th block, so key 0
	// has a history of 1,000 txs.
	every := max(1, total/1000)
	start := time.Now()
	miner := scenarios.NewKey(9).Addr
	var nonce uint64
	var someTx core.Hash
	mctx, mcancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer mcancel()
	for h := 1; h <= total; h++ {
		if h%every == 0 {
			tx := b.Tx(0, b.Keys[1].Addr, 1, scenarios.MinFee, nonce)
			if err := n.SubmitLocalTxs([]*core.Tx{tx})[0]; err != nil {
				t.Fatalf("height %d: %v", h, err)
			}
			nonce++
			if someTx.IsZero() && h >= total/2 {
				someTx = tx.ID()
			}
		}
		if _, err := n.MineOne(mctx, miner); err != nil {
			t.Fatalf("mining block %d: %v", h, err)
		}
	}
	if tip := n.Chain.Tip(); tip.Height != uint64(total) {
		t.Fatalf("tip %d, want %d", tip.Height, total)
	}
	t.Logf("mined %d blocks in %v", total, time.Since(start))

	base := n.APIURL()
	ctx, errs := browser(t)
	mid := total / 2
	pages := []struct {
		name, path, ready string
	}{
		{"dashboard", "/", "#latest-blocks tr"},
		{"block", "/#/block/" + strconv.Itoa(mid), "#parent"},
		{"tx", "/#/tx/" + someTx.String(), "#proof-result"},
		{"account", "/#/account/" + b.Keys[0].Addr.Encode(b.Genesis.AddressPrefix), "#history tr"},
		{"miner", "/#/account/" + miner.Encode(b.Genesis.AddressPrefix), "#balance"},
	}
	for _, p := range pages {
		var load pageLoad
		began := time.Now()
		if err := chromedp.Run(ctx,
			chromedp.Navigate("about:blank"),
			chromedp.Navigate(base+p.path),
			chromedp.WaitVisible(p.ready, chromedp.ByQuery),
			chromedp.Evaluate(`(() => {
				const rs = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/v1/') && !r.name.endsWith('/events'));
				return { requests: rs.length, bytes: rs.reduce((s, r) => s + r.encodedBodySize, 0), largest: Math.max(0, ...rs.map((r) => r.encodedBodySize)) };
			})()`, &load),
		); err != nil {
			t.Fatalf("%s page on a %d-block chain: %v", p.name, total, err)
		}
		took := time.Since(began)
		t.Logf("%-9s %3d API requests, %7.0f bytes (largest %6.0f), ready in %v", p.name, load.Requests, load.Bytes, load.Largest, took)
		screenshot(t, ctx, "long-"+p.name)
		if load.Requests == 0 || load.Requests > 20 || load.Bytes > 512<<10 {
			t.Errorf("%s page fetched %d requests, %.0f bytes from a %d-block chain: want at most 20 and 512 KiB (paged, no full-chain loads)",
				p.name, load.Requests, load.Bytes, total)
		}
	}
	// The account with total/100 txs shows one page of them and offers more.
	var rows int
	var more bool
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/#/account/"+b.Keys[0].Addr.Encode(b.Genesis.AddressPrefix)),
		chromedp.WaitVisible("#history tr", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#history tr').length`, &rows),
		chromedp.Evaluate(`!!document.getElementById('more')`, &more),
	); err != nil {
		t.Fatal(err)
	}
	if want := total / every; rows >= want || !more {
		t.Fatalf("account history shows %d rows of %d (more button: %v): want one page and a way to the next", rows, want, more)
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
