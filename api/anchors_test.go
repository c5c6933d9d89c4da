package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// anchorTx is a data tx from key i anchoring root under topic.
func anchorTx(t *testing.T, i int, nonce uint64, topic string, root core.Hash) *core.Tx {
	t.Helper()
	m, err := memo.Encode(topic, root)
	if err != nil {
		t.Fatal(err)
	}
	k := key(i)
	tx := &core.Tx{Version: core.TxVersion, ChainID: testChain, From: k.Pub, To: k.Addr, Fee: testMinFee, Nonce: nonce, Memo: m}
	tx.Sign(k.Priv)
	return tx
}

// TestTopicAnchors: GET /api/v1/anchors lists a topic's anchors in chain
// order across pages, with block, time, sender and root; other topics and
// plain anchors stay out; a bad topic or cursor is a 400 naming it.
func TestTopicAnchors(t *testing.T) {
	e := newEnv(t, 2, nil)
	const topic = "SHIP-2026-0042"
	var want []string
	roots := map[string]core.Hash{}
	for n := range uint64(3) {
		for i := range 2 {
			root := core.Sum([]byte{byte(n), byte(i)})
			tp := topic
			if i == 1 && n == 1 {
				tp = "LOT-7"
			}
			nonce := n
			if i == 0 {
				nonce = 2 * n
			}
			id := e.submit(anchorTx(t, i, nonce, tp, root))
			if tp == topic {
				want = append(want, id)
				roots[id] = root
			}
		}
		e.submit(anchorTx(t, 0, 2*n+1, "", core.Sum([]byte("plain")))) // no topic: never listed
		e.mine()
	}
	var got []wire.Anchor
	after := ""
	for pages := 0; ; pages++ {
		var page wire.Anchors
		e.get("/api/v1/anchors?topic="+url.QueryEscape(topic)+"&limit=2&after="+after, &page)
		if page.Topic != topic || pages > 5 {
			t.Fatalf("page %+v", page)
		}
		got = append(got, page.Anchors...)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if len(got) != len(want) {
		t.Fatalf("%d anchors, want %d: %+v", len(got), len(want), got)
	}
	for i, a := range got {
		id, err := core.ParseHash(a.TxID)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := e.n.Chain.Tx(id)
		if err != nil {
			t.Fatal(err)
		}
		hdr, hash, _, err := e.n.Chain.SummaryByHeight(a.Height)
		if err != nil {
			t.Fatal(err)
		}
		if a.TxID != want[i] || a.Root != roots[a.TxID].String() || a.BlockHash != hash.String() || a.Time != hdr.Timestamp ||
			a.Index != tx.Index || a.From != tx.Tx.Sender().Encode(e.n.Genesis.AddressPrefix) {
			t.Fatalf("anchor %d %+v, want tx %s root %s in block %s", i, a, want[i], roots[want[i]], hash)
		}
		if i > 0 && (a.Height < got[i-1].Height || a.Height == got[i-1].Height && a.Index <= got[i-1].Index) {
			t.Fatalf("anchors out of chain order: %+v then %+v", got[i-1], a)
		}
	}
	var lot wire.Anchors
	e.get("/api/v1/anchors?topic=LOT-7", &lot)
	if len(lot.Anchors) != 1 || lot.Next != "" {
		t.Fatalf("LOT-7: %+v", lot)
	}
	for q, msg := range map[string]string{
		"":                                  "topic",
		"?topic=":                           "topic",
		"?topic=" + strings.Repeat("x", 65): "at most 64",
		"?topic=a%09b":                      "control character",
		"?topic=T&after=zz":                 "after",
		"?topic=T&limit=0":                  "limit",
		"?topic=T&after=" + want[0][:63]:    "after",
	} {
		code, _, body := e.do(http.MethodGet, "/api/v1/anchors"+q, nil)
		if p := problemOf(t, body); code != http.StatusBadRequest || p.Code != "malformed" || !strings.Contains(p.Detail, msg) {
			t.Errorf("GET /anchors%s: %d %+v, want 400 naming %q", q, code, p, msg)
		}
	}
}

// TestGenesisDocument: GET /api/v1/genesis is the node's genesis, hashing
// to /status's genesis.
func TestGenesisDocument(t *testing.T) {
	e := newEnv(t, 2, nil)
	code, _, body := e.do(http.MethodGet, "/api/v1/genesis", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /genesis: %d %s", code, body)
	}
	g, err := core.ParseGenesis(body)
	if err != nil {
		t.Fatal(err)
	}
	var st wire.Status
	e.get("/api/v1/status", &st)
	if g.Hash().String() != st.Genesis || g.Hash() != e.n.Genesis.Hash() || len(g.Alloc) != 2 {
		t.Fatalf("genesis hashes to %s, status says %s; alloc %v", g.Hash(), st.Genesis, g.Alloc)
	}
}
