package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
)

// pollInterval is how often waitConfirmed asks for the tx without events.
const pollInterval = time.Second

// waitConfirmed waits until tx id has at least confs confirmations, or
// timeout. It wakes on the node's block events and also polls, so it
// works if the event stream is unavailable.
func waitConfirmed(ctx context.Context, c *client.Client, id string, confs uint64, timeout time.Duration, out io.Writer) (*wire.TxInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	blocks := make(chan struct{}, 1)
	go followBlocks(ctx, c, blocks)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var shownHeight uint64
	for {
		info, err := c.Tx(ctx, id)
		switch {
		case isProblem(err, core.CodeNotFound):
			return nil, fmt.Errorf("tx %s is no longer known to the node: it left the mempool without being mined (evicted or replaced)", id)
		case err != nil && ctx.Err() == nil:
			return nil, err
		case err == nil && info.Status == wire.StatusConfirmed:
			if info.Confirmations >= confs {
				fmt.Fprintf(out, "included in block %d (%s)\n", info.Height, plural(info.Confirmations, "confirmation"))
				return info, nil
			}
			if info.Height != shownHeight {
				shownHeight = info.Height
				fmt.Fprintf(out, "included in block %d (%s); waiting for %d...\n", info.Height, plural(info.Confirmations, "confirmation"), confs)
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("tx %s not confirmed within %s (it may still be; check with `cairn tx show %s`)", id, timeout, id)
			}
			return nil, ctx.Err()
		case <-blocks:
		case <-tick.C:
		}
	}
}

// followBlocks signals blocks on every new tip until ctx ends or the
// event stream fails (the caller polls anyway).
func followBlocks(ctx context.Context, c *client.Client, blocks chan<- struct{}) {
	s, err := c.Events(ctx, "")
	if err != nil {
		return
	}
	defer s.Close()
	go func() { <-ctx.Done(); s.Close() }()
	for {
		ev, err := s.Next()
		if err != nil {
			return
		}
		if ev.Kind == wire.EventBlock || ev.Kind == wire.EventReorg {
			select {
			case blocks <- struct{}{}:
			default:
			}
		}
	}
}

func plural(n uint64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
