package store_test

import (
	"testing"

	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.KV { return store.NewMemory() })
}
