package storetest

import (
	"testing"

	"github.com/cairn-chain/cairn/store"
)

// Run runs the suite. open must return a new, empty KV for each call; the
// suite closes every KV it opens (a second Close may return an error).
func Run(t *testing.T, open func(t *testing.T) store.KV) {
	t.Helper()
	newKV := func(t *testing.T) store.KV {
		t.Helper()
		kv := open(t)
		t.Cleanup(func() { _ = kv.Close() })
		return kv
	}
	t.Run("KV", func(t *testing.T) { runKV(t, newKV) })
	t.Run("DB", func(t *testing.T) { runDB(t, newKV) })
}
