package node

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/pebble"
)

// writeErrorLogEvery spaces the error lines of a database that refuses
// writes (the miner retries every second, clients keep submitting).
const writeErrorLogEvery = 10 * time.Second

// storageDown reports whether err means that the database takes no
// writes now: a full disk, a failed write, damaged files, or closed.
func storageDown(err error) bool {
	return errors.Is(err, pebble.ErrDiskFull) || errors.Is(err, pebble.ErrFailed) ||
		errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrClosed)
}

// unavailable marks a storage failure as api.ErrUnavailable, so the API
// answers 503 unavailable (the request may succeed later: nothing was
// written) rather than 500. Other errors are returned as they are.
func unavailable(err error) error {
	if err == nil || core.IsRuleError(err) || !storageDown(err) {
		return err
	}
	return fmt.Errorf("%w: the node cannot write to its database now: %w", api.ErrUnavailable, err)
}

// noteWriteError logs a database write failure at error level, at most
// once per writeErrorLogEvery.
func (n *Node) noteWriteError(what string, err error) {
	if !storageDown(err) {
		return
	}
	v, _ := n.writeErrLogged.LoadOrStore(what, new(atomic.Int64))
	at := v.(*atomic.Int64)
	now := time.Now().UnixNano()
	last := at.Load()
	if last != 0 && now-last < int64(writeErrorLogEvery) || !at.CompareAndSwap(last, now) {
		return
	}
	hint := "free disk space: writes resume by themselves"
	switch {
	case errors.Is(err, pebble.ErrFailed):
		hint = "restart the node once the cause is fixed"
	case errors.Is(err, store.ErrCorrupt):
		hint = "run `cairn node --resync` to rebuild the database from peers"
	}
	n.log.Error("the database refuses writes: the chain stays at its last stored block and new txs are refused; reads still work",
		"what", what, "err", err, "fix", hint)
}
