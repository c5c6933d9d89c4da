package p2p

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Misbehaviour points. A peer reaching BanThreshold is disconnected and
// banned for Config.BanDuration. Points decay by one per minute.
const (
	BanThreshold = 100
	// pointsFatal: data no honest node sends (bad PoW, undecodable or
	// oversized messages, a block breaking a rule every node checks before
	// relaying).
	pointsFatal = BanThreshold
	// pointsInvalidState: a block that fails state validation; an honest
	// node can relay one it stored as a side branch without executing it.
	pointsInvalidState = 25
	// pointsMinor: protocol slips an honest peer could make in a race.
	pointsMinor = 10
	// pointsFlood: a request over the per-peer rate.
	pointsFlood = 5

	// RefuseDuration is how long a peer of another chain (or protocol
	// version) is refused after the handshake found out.
	RefuseDuration = 10 * time.Minute
)

// Ban is an entry of the ban list.
type Ban struct {
	PeerID string    `json:"peer_id"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

// banList holds the persisted bans, the in-memory refusals (peers of
// another chain) and the misbehaviour points. Safe for concurrent use.
type banList struct {
	path string // "" keeps bans in memory only
	now  func() time.Time

	saveMu sync.Mutex // orders writes of the file

	mu      sync.Mutex
	bans    map[peer.ID]Ban
	refused map[peer.ID]time.Time
	points  map[peer.ID]*score
}

type score struct {
	points float64
	at     time.Time
}

func newBanList(path string, now func() time.Time) (*banList, error) {
	b := &banList{path: path, now: now, bans: map[peer.ID]Ban{}, refused: map[peer.ID]time.Time{}, points: map[peer.ID]*score{}}
	if path == "" {
		return b, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("p2p: read ban list: %w", err)
	}
	var list []Ban
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("p2p: ban list %s: %w", path, err)
	}
	for _, e := range list {
		id, err := peer.Decode(e.PeerID)
		if err != nil {
			return nil, fmt.Errorf("p2p: ban list %s: peer %q: %w", path, e.PeerID, err)
		}
		if e.Until.After(now()) {
			b.bans[id] = e
		}
	}
	return b, nil
}

// banned reports whether p is banned or refused now.
func (b *banList) banned(p peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if e, ok := b.bans[p]; ok {
		if now.Before(e.Until) {
			return true
		}
		delete(b.bans, p)
	}
	if until, ok := b.refused[p]; ok {
		if now.Before(until) {
			return true
		}
		delete(b.refused, p)
	}
	return false
}

// isBanned reports whether p is banned now (refusals aside).
func (b *banList) isBanned(p peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.bans[p]
	return ok && b.now().Before(e.Until)
}

// isRefused reports whether p is refused as a peer of another chain.
func (b *banList) isRefused(p peer.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	until, ok := b.refused[p]
	return ok && b.now().Before(until)
}

// add bans p until now+d and persists the list.
func (b *banList) add(p peer.ID, d time.Duration, reason string) error {
	b.mu.Lock()
	b.bans[p] = Ban{PeerID: p.String(), Until: b.now().Add(d), Reason: reason}
	delete(b.points, p)
	b.mu.Unlock()
	return b.save()
}

// remove lifts a ban (and a refusal); it reports whether there was one.
func (b *banList) remove(p peer.ID) (bool, error) {
	b.mu.Lock()
	_, had := b.bans[p]
	_, refused := b.refused[p]
	delete(b.bans, p)
	delete(b.refused, p)
	delete(b.points, p)
	b.mu.Unlock()
	if !had {
		return refused, nil
	}
	return true, b.save()
}

// refuse refuses p (another chain) for RefuseDuration, in memory.
func (b *banList) refuse(p peer.ID) {
	b.mu.Lock()
	b.refused[p] = b.now().Add(RefuseDuration)
	b.mu.Unlock()
}

// addPoints adds misbehaviour points and reports whether p crossed the
// ban threshold.
func (b *banList) addPoints(p peer.ID, pts int) (total float64, ban bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	s := b.points[p]
	if s == nil {
		s = &score{at: now}
		b.points[p] = s
	}
	s.points -= now.Sub(s.at).Minutes() // decay: one point a minute
	if s.points < 0 {
		s.points = 0
	}
	s.at = now
	s.points += float64(pts)
	return s.points, s.points >= BanThreshold
}

func (b *banList) list() []Ban {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.listLocked()
}

func (b *banList) listLocked() []Ban {
	now := b.now()
	out := make([]Ban, 0, len(b.bans))
	for p, e := range b.bans {
		if !now.Before(e.Until) {
			delete(b.bans, p)
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PeerID < out[j].PeerID })
	return out
}

// save writes the current list; saves are serialised so the file always
// ends with the latest state.
func (b *banList) save() error {
	if b.path == "" {
		return nil
	}
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	data, err := json.MarshalIndent(b.list(), "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(b.path, data, 0o600); err != nil {
		return fmt.Errorf("p2p: save ban list: %w", err)
	}
	return nil
}

// misbehave adds points to a peer's misbehaviour score and bans it when
// the score reaches BanThreshold. A banned peer's messages still in the
// pipeline change nothing (no points, no new ban, no ban-list write).
func (n *Network) misbehave(p peer.ID, pts int, reason string) {
	if p == n.host.ID() || n.bans.isBanned(p) {
		return
	}
	total, ban := n.bans.addPoints(p, pts)
	n.log.Warn("peer misbehaved", "peer", p, "points", pts, "score", total, "reason", reason)
	if ban {
		if err := n.ban(p, n.cfg.BanDuration, reason); err != nil {
			n.log.Error("ban not saved", "peer", p, "err", err)
		}
	}
}

// ban bans p for d, persists the list and disconnects p.
func (n *Network) ban(p peer.ID, d time.Duration, reason string) error {
	err := n.bans.add(p, d, reason)
	n.log.Warn("peer banned", "peer", p, "for", d, "reason", reason)
	_ = n.host.Network().ClosePeer(p)
	return err
}

// Ban bans a peer (by peer ID) for d: it is disconnected and refused
// until then. The ban list survives restarts.
func (n *Network) Ban(id string, d time.Duration, reason string) error {
	p, err := peer.Decode(id)
	if err != nil {
		return fmt.Errorf("p2p: peer ID %q: %w", id, err)
	}
	if d <= 0 {
		d = n.cfg.BanDuration
	}
	return n.ban(p, d, reason)
}

// Unban lifts a ban (or a refusal); it reports whether there was one.
func (n *Network) Unban(id string) (bool, error) {
	p, err := peer.Decode(id)
	if err != nil {
		return false, fmt.Errorf("p2p: peer ID %q: %w", id, err)
	}
	return n.bans.remove(p)
}

// Bans returns the current bans, by peer ID.
func (n *Network) Bans() []Ban { return n.bans.list() }
