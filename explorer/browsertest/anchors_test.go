package browsertest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

// anchorTx submits a data tx of key i anchoring root under topic through
// POST /api/v1/txs and mines it; it returns the tx id.
func (c *chainClient) anchorTx(i int, topic string, root core.Hash) core.Hash {
	c.t.Helper()
	m, err := memo.Encode(topic, root)
	if err != nil {
		c.t.Fatal(err)
	}
	k := c.b.Keys[i]
	tx := &core.Tx{Version: core.TxVersion, ChainID: c.b.Genesis.ChainID, From: k.Pub, To: k.Addr, Fee: scenarios.MinFee, Nonce: c.nonces[i], Memo: m}
	c.submit(i, tx, "anchor")
	return tx.ID()
}

// TestTopicPageInBrowser anchors batches under topics on a real node and
// opens the explorer's topic page: reached from the nav link's form, it
// lists a topic's anchors oldest first with their root, sender, tx and
// block; a tx page names an anchor's topic and root and links to the
// topic; a topic of markup is shown as text; a topic with nothing and a
// malformed topic get clear messages; nothing logs an error.
func TestTopicPageInBrowser(t *testing.T) {
	chromiumPath(t)
	b := scenarios.NewBuilder()
	c := startChainNode(t, b)
	n := c.n
	const topic = "SHIP-2026-0042/A" // its URL escapes the "/"
	const markup = `<img src=x onerror="window.pwned=1">`
	first := c.anchorTx(0, topic, hashOf("invoices"))
	c.anchorTx(1, "LOT-7", hashOf("other topic"))
	second := c.anchorTx(1, topic, hashOf("bill of lading"))
	c.anchorTx(2, markup, hashOf("markup"))

	base := n.APIURL()
	ctx, errs := browser(t)
	wait := func(what, sel string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(wctx, chromedp.WaitVisible(sel, chromedp.ByQuery)); err != nil {
			var main string
			_ = chromedp.Run(ctx, chromedp.Evaluate(textJS("main"), &main))
			t.Fatalf("%s: waiting for %s: %v; the page says %q (console errors: %v)", what, sel, err, main, *errs)
		}
	}
	open := func(path, ready string) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		wait(path, ready)
	}
	type entry struct{ Tx, Root, From, Block, When string }
	entries := func() []entry {
		var out []entry
		if err := chromedp.Run(ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('#anchors li.anchor')).map((li) => ({
			tx: li.dataset.tx, root: li.querySelector('.root').textContent, from: li.querySelector('.what a').getAttribute('href'),
			block: li.querySelector('.block-link').textContent, when: li.querySelector('time').getAttribute('datetime') }))`, &out)); err != nil {
			t.Fatal(err)
		}
		return out
	}

	// The nav link's form leads to the topic's page.
	open("/", "#stat-height")
	if err := chromedp.Run(ctx, chromedp.Click("#nav-topics", chromedp.ByID), chromedp.WaitVisible("#topic-input", chromedp.ByID),
		chromedp.SendKeys("#topic-input", topic, chromedp.ByID), chromedp.Click("#topic-form button", chromedp.ByQuery)); err != nil {
		t.Fatalf("topic form: %v", err)
	}
	wait("topic page", "#anchors li.anchor")
	var hash, name string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`location.hash`, &hash), chromedp.Evaluate(textJS("#topic-name"), &name)); err != nil {
		t.Fatal(err)
	}
	if hash != "#/topic/"+url.PathEscape(topic) && hash != "#/topic/SHIP-2026-0042%2FA" || name != topic {
		t.Fatalf("location %q, title %q", hash, name)
	}
	got := entries()
	if len(got) != 2 || got[0].Tx != first.String() || got[1].Tx != second.String() ||
		got[0].Root != hashOf("invoices").String() || got[1].Root != hashOf("bill of lading").String() ||
		got[0].From != "#/account/"+c.addr(0) || got[1].From != "#/account/"+c.addr(1) {
		t.Fatalf("anchors %+v, want %s then %s", got, first, second)
	}
	for _, e := range got {
		when, err := time.Parse(time.RFC3339Nano, e.When)
		if err != nil || time.Since(when).Abs() > time.Hour || e.Block == "" { // mined moments ago (GET /mine)
			t.Fatalf("anchor %+v: date %v", e, err)
		}
	}

	// The tx page names the topic and root, and links to the topic.
	open("/#/tx/"+first.String(), "#anchor-topic")
	var txTopic, txRoot string
	if err := chromedp.Run(ctx, chromedp.Evaluate(textJS("#anchor-topic"), &txTopic), chromedp.Evaluate(textJS("#anchor-root"), &txRoot)); err != nil {
		t.Fatal(err)
	}
	if txTopic != topic || txRoot != hashOf("invoices").String() {
		t.Fatalf("tx page: topic %q root %q", txTopic, txRoot)
	}
	if err := chromedp.Run(ctx, chromedp.Click("#anchor-topic", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	wait("topic page from the tx page", "#anchors li.anchor")
	if n := len(entries()); n != 2 {
		t.Fatalf("topic page from the tx page: %d anchors", n)
	}

	// Markup as a topic is text.
	open("/#/topic/"+url.PathEscape(markup), "#anchors li.anchor")
	var pwned bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(textJS("#topic-name"), &name), chromedp.Evaluate(`window.pwned === 1`, &pwned)); err != nil {
		t.Fatal(err)
	}
	if name != markup || pwned || len(entries()) != 1 {
		t.Fatalf("markup topic: title %q, pwned %v, %d anchors", name, pwned, len(entries()))
	}

	// Nothing under a topic; a topic the node would refuse.
	open("/#/topic/NOTHING-HERE", "#no-anchors")
	open("/#/topic/"+strings.Repeat("x", 65), "#notfound")
	var msg string
	if err := chromedp.Run(ctx, chromedp.Evaluate(textJS("#notfound"), &msg)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "at most 64 bytes (this is 65)") {
		t.Fatalf("long topic: %q", msg)
	}
	if len(*errs) != 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
