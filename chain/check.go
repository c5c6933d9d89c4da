package chain

import (
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// recentChecked is how many main-chain blocks below the tip New reads
// back (body, height record, undo data) before it returns.
const recentChecked = 16

// damagedError reports a stored chain that contradicts itself (a record
// missing or undecodable where the rest of the store says it must be):
// the files were damaged or edited, and the node should rebuild its
// database. It wraps store.ErrCorrupt.
type damagedError struct {
	msg string
	err error
}

func (e *damagedError) Error() string   { return e.msg }
func (e *damagedError) Unwrap() []error { return []error{store.ErrCorrupt, e.err} }

// damaged wraps err (which may be nil) as a damagedError with a message.
func damaged(err error, format string, args ...any) error {
	msg := "chain: the stored chain is damaged: " + fmt.Sprintf(format, args...)
	if err != nil {
		msg += ": " + err.Error()
	}
	return &damagedError{msg: msg, err: err}
}

// asDamaged wraps a read error that means a missing or undecodable
// record as damage; other errors (I/O) are returned as they are, and
// errors already marked store.ErrCorrupt keep their message.
func asDamaged(err error, format string, args ...any) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrCorrupt):
		return err
	case errors.Is(err, store.ErrNotFound), core.IsRuleError(err):
		return damaged(err, format, args...)
	}
	return err
}

// checkRecent reads back the last blocks of the main chain: each height
// record must name the block, its body must load and hash to it, and its
// undo data must be there. A store that lost or garbled recent records
// is refused at open rather than failing on the first reorg or query.
func (c *Chain) checkRecent() error {
	tip := uint64(len(c.main) - 1)
	for h := tip; h+recentChecked > tip; h-- {
		n := c.main[h]
		got, err := c.cfg.DB.HashAt(h)
		if err != nil {
			return asDamaged(err, "main-chain height %d", h)
		}
		if got != n.hash {
			return damaged(nil, "height %d records block %s, the block index says %s", h, got, n.hash)
		}
		if _, err := c.cfg.DB.Block(n.hash); err != nil {
			return asDamaged(err, "main-chain block %s at height %d", n.hash, h)
		}
		if h == 0 {
			break
		}
		if _, err := c.cfg.DB.Undo(n.hash); err != nil {
			return asDamaged(err, "undo data of main-chain block %s at height %d", n.hash, h)
		}
	}
	return nil
}
