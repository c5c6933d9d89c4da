package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// progressf shows a status line: redrawn in place on a terminal, else
// printed as a line.
func (r *run) progressf(format string, args ...any) {
	w := r.cfg.Progress
	if w == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	if r.cfg.TTY {
		fmt.Fprintf(w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(w, line)
	}
}

// endLine ends a redrawn line.
func (r *run) endLine() {
	if r.cfg.Progress != nil && r.cfg.TTY {
		fmt.Fprintln(r.cfg.Progress)
	}
}

// progressLoop shows the load's progress every second until ctx ends.
func (r *run) progressLoop(ctx context.Context) {
	if r.cfg.Progress == nil {
		return
	}
	every := time.Second
	if !r.cfg.TTY {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		sub, conf, first := r.submitted, r.confirmed, r.firstSend
		r.mu.Unlock()
		el := time.Since(first).Seconds()
		r.progressf("%s submitted %d/%d (%.0f/s)  confirmed %d (%.0f/s)", bar(conf, r.cfg.Txs, 24), sub, r.cfg.Txs, float64(sub)/el, conf, float64(conf)/el)
		if os.Getenv("CAIRN_BENCH_DEBUG") != "" {
			for i, c := range r.cfg.Nodes {
				sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				st, err := c.Status(sctx)
				cancel()
				if err != nil {
					fmt.Fprintf(os.Stderr, "  node %d: %v\n", i, err)
					continue
				}
				fmt.Fprintf(os.Stderr, "  node %d: height %d tip %.12s mempool %d peers %d hashrate %.0f syncing %v\n", i, st.Height, st.Tip, st.Mempool, st.Peers, st.Hashrate, st.Syncing)
			}
		}
	}
}

// bar draws a progress bar of width cells for done of total.
func bar(done, total, width int) string {
	if total <= 0 {
		return ""
	}
	n := min(width, done*width/total)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}
