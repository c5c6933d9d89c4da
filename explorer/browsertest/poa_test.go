package browsertest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/devnet"
)

// poaDashboard is what the dashboard of a PoA chain shows.
type poaDashboard struct {
	Cards   []string `json:"cards"`   // the cards' labels
	Engine  string   `json:"engine"`  // the consensus card
	Period  string   `json:"period"`  // the period card
	InTurn  string   `json:"inTurn"`  // the in-turn card's account link
	Signers []string `json:"signers"` // the signer rows' account links
	Marked  []string `json:"marked"`  // the account links of the rows marked in turn
	Marks   int      `json:"marks"`   // "in turn" badges in the signer set
	Blocks  []string `json:"blocks"`  // the latest blocks' signer cells
	Text    string   `json:"text"`    // the whole page
}

const poaDashboardJS = `(() => {
	const href = (e) => (e && e.getAttribute('href')) || '';
	const text = (sel) => (document.querySelector(sel) || {}).textContent || '';
	return {
		cards: Array.from(document.querySelectorAll('#stats .card .k')).map((e) => e.textContent),
		engine: text('#stat-engine'),
		period: text('#stat-period'),
		inTurn: href(document.querySelector('#stat-inturn a')),
		signers: Array.from(document.querySelectorAll('#signers tr td:first-child a')).map(href),
		marked: Array.from(document.querySelectorAll('#signers tr.in-turn td:first-child a')).map(href),
		marks: document.querySelectorAll('#signers #in-turn-mark').length,
		blocks: Array.from(document.querySelectorAll('#latest-blocks td.signer')).map((e) => e.textContent),
		text: document.getElementById('main').textContent,
	};
})()`

// TestPoAInBrowser opens the explorer of a 3-signer proof-of-authority
// devnet: the dashboard shows the engine, the period, the signer set (the
// genesis signers) with exactly the in-turn signer marked, no votes, and
// each latest block's signer and turn, and neither difficulty nor hash
// rate; a block page shows its signer (linked), its turn as its weight
// says, no vote, and neither bits nor nonce.
func TestPoAInBrowser(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI) before starting any node
	dctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := devnet.Start(dctx, devnet.Config{Dir: t.TempDir(), Nodes: 3, BlockTime: 300 * time.Millisecond, Consensus: core.ConsensusPoA})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	n0 := d.Node(0)
	g := n0.Genesis
	if !g.IsPoA() || len(g.PoA.Signers) != 3 {
		t.Fatalf("devnet genesis: consensus %q, %d signers", g.Consensus, len(g.PoA.Signers))
	}
	var want []string
	for _, k := range g.PoA.Signers {
		want = append(want, "#/account/"+k.Address().Encode(g.AddressPrefix))
	}
	base := n0.APIURL()
	ctx, errs := browser(t)

	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#stat-height", chromedp.ByID),
	); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	var v poaDashboard
	poll(t, ctx, "the signer set and 8 blocks on the dashboard", 60*time.Second, func() bool {
		if err := chromedp.Run(ctx, chromedp.Evaluate(poaDashboardJS, &v)); err != nil {
			t.Fatal(err)
		}
		return len(v.Signers) == 3 && len(v.Marked) == 1 && len(v.Blocks) >= 8
	})
	screenshot(t, ctx, "poa-dashboard")
	if v.Engine != "proof of authority" || v.Period != "300 ms" {
		t.Errorf("consensus card %q, period card %q: want proof of authority, 300 ms", v.Engine, v.Period)
	}
	if !slices.Equal(v.Signers, want) {
		t.Errorf("signer set shown %v, want the genesis signers %v", v.Signers, want)
	}
	// The in-turn mark can move between two reads of the live page: the
	// mark and the card are read in one step.
	if v.Marks != 1 || v.Marked[0] != v.InTurn || !slices.Contains(want, v.InTurn) {
		t.Errorf("in turn: %d marks on %v, card %q", v.Marks, v.Marked, v.InTurn)
	}
	for i, b := range v.Blocks {
		if i == len(v.Blocks)-1 && b == "genesis" { // only while the chain is shorter than the list
			continue
		}
		if !strings.Contains(b, "in turn") && !strings.Contains(b, "out of turn") {
			t.Errorf("a latest block's signer cell says %q: want its turn", b)
		}
	}
	for _, c := range v.Cards {
		if c == "Difficulty" || c == "Hash rate" {
			t.Errorf("a PoA dashboard shows the %s card", c)
		}
	}
	if low := strings.ToLower(v.Text); strings.Contains(low, "difficulty") || strings.Contains(low, "hash rate") || strings.Contains(v.Text, "H/s") {
		t.Errorf("a PoA dashboard mentions difficulty or hash rate: %q", v.Text)
	}
	if !strings.Contains(v.Text, "No pending votes.") {
		t.Errorf("votes panel: want no pending votes in %q", v.Text)
	}

	// A block page: its signer, its turn from its weight, no vote, no bits
	// or nonce.
	bi, err := n0.Chain.BlockByHeight(2)
	if err != nil {
		t.Fatal(err)
	}
	h := bi.Block.Header
	if h.Version != core.BlockVersionSigned {
		t.Fatalf("block 2 has header version %d", h.Version)
	}
	turn := map[uint32]string{2: "in turn (weight 2)", 1: "out of turn (weight 1)"}[h.Bits]
	var page struct {
		Labels []string `json:"labels"`
		Signer string   `json:"signer"`
		Href   string   `json:"href"`
		Turn   string   `json:"turn"`
		Vote   string   `json:"vote"`
	}
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/#/block/"+strconv.Itoa(2)),
		chromedp.WaitVisible("#signer", chromedp.ByID),
		chromedp.Evaluate(`({
			labels: Array.from(document.querySelectorAll('main dl.kv dt')).map((e) => e.textContent),
			signer: document.getElementById('signer').textContent,
			href: document.getElementById('signer').getAttribute('href'),
			turn: (document.getElementById('turn') || {}).textContent || '',
			vote: (document.getElementById('vote') || {}).textContent || '',
		})`, &page),
	); err != nil {
		t.Fatalf("block page: %v", err)
	}
	screenshot(t, ctx, "poa-block")
	signer := h.Signer.Address().Encode(g.AddressPrefix)
	if page.Signer != signer || page.Href != "#/account/"+signer {
		t.Errorf("block 2's signer shown %q linking to %q, want %s", page.Signer, page.Href, signer)
	}
	if page.Turn != turn {
		t.Errorf("block 2 (bits %d) says %q, want %q", h.Bits, page.Turn, turn)
	}
	if h.Vote.Kind == core.VoteNone && page.Vote != "none" {
		t.Errorf("block 2 carries no vote, its page says %q", page.Vote)
	}
	for _, l := range page.Labels {
		if l == "Bits" || l == "Nonce" || l == "Miner" || l == "Difficulty" {
			t.Errorf("a PoA block page shows %s: %v", l, page.Labels)
		}
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
