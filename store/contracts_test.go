package store

import (
	"fmt"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestContractTxsPaging: a contract's event txs page oldest first and
// newest first, each cursor excluded, other contracts' entries never seen,
// and a deleted entry gone.
func TestContractTxsPaging(t *testing.T) {
	db, _ := rawDB(t)
	c, other := core.Address{1}, core.Address{2}
	b := db.NewBatch()
	var all []ItemEvent
	for h := uint64(1); h <= 3; h++ {
		for i := uint32(0); i < 2; i++ {
			e := ItemEvent{Height: h, Index: i, ID: core.Sum([]byte(fmt.Sprint(h, i)))}
			all = append(all, e)
			b.PutContractTx(c, e)
			b.PutContractTx(other, ItemEvent{Height: h, Index: i + 5})
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	page := func(after *ItemEvent, newest bool) string {
		t.Helper()
		es, err := db.ContractTxs(c, after, 4, newest)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, e := range es {
			s += fmt.Sprintf("%d.%d ", e.Height, e.Index)
		}
		return s
	}
	for _, c := range []struct {
		after  *ItemEvent
		newest bool
		want   string
	}{
		{nil, false, "1.0 1.1 2.0 2.1 "},
		{&all[3], false, "3.0 3.1 "},
		{nil, true, "3.1 3.0 2.1 2.0 "},
		{&all[2], true, "1.1 1.0 "},
		{&all[0], true, ""},
	} {
		if got := page(c.after, c.newest); got != c.want {
			t.Errorf("after %v newest %v: %q, want %q", c.after, c.newest, got, c.want)
		}
	}
	b = db.NewBatch()
	b.DeleteContractTx(c, all[5])
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := page(nil, true); got != "3.0 2.1 2.0 1.1 " {
		t.Errorf("after a delete: %q", got)
	}
}
