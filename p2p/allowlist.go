package p2p

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The peer allowlist (a private network's local policy): with one, the
// node accepts, dials and learns by peer exchange only the peers on it, by
// peer ID (never by IP address: addresses change behind NAT, keys do not).
//
// The live list is kept in AllowlistFile in the data directory. The
// --peer-allowlist file (Config.Allowlist) seeds it at the first start;
// at later starts the live list, with its changes through the API, is
// kept, unless the file's entries changed since it was last applied: an
// edited file is the newest intent and replaces the live list. Without
// Config.Allowlist a live list in the data directory still applies (a
// private node does not open up because a flag was forgotten); deleting
// the file turns the allowlist off.

// AllowlistFile is the live peer allowlist in Config.DataDir.
const AllowlistFile = "allowlist.json"

// Limits of an allowlist.
const (
	MaxAllowlist   = 10_000 // entries
	MaxAllowLabel  = 128    // bytes of a label
	maxAllowlistSz = 4 << 20
)

// AllowEntry is a peer on the allowlist: its peer ID and a label for
// people (an organisation, a host name).
type AllowEntry struct {
	PeerID string `json:"peer_id"`
	Label  string `json:"label,omitempty"`
}

// ErrNoAllowlist is returned by Allow and Revoke on a node started without
// a peer allowlist: the API cannot turn a public node private by accident.
var ErrNoAllowlist = errors.New("p2p: this node has no peer allowlist (start it with --peer-allowlist FILE to make it private)")

// ParseAllowlist parses an allowlist file: a JSON array of
// {"peer_id": "...", "label": "..."}. Every peer ID must be valid and
// appear once; labels are optional, printable and at most MaxAllowLabel
// bytes. The result is never nil (an empty list admits no peer).
func ParseAllowlist(data []byte) ([]AllowEntry, error) {
	if len(data) > maxAllowlistSz {
		return nil, fmt.Errorf("allowlist: %d bytes, at most %d", len(data), maxAllowlistSz)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var list []AllowEntry
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("allowlist: want a JSON array of {\"peer_id\": \"12D3KooW...\", \"label\": \"...\"}: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("allowlist: unexpected data after the JSON array")
	}
	if len(list) > MaxAllowlist {
		return nil, fmt.Errorf("allowlist: %d entries, at most %d", len(list), MaxAllowlist)
	}
	seen := make(map[peer.ID]int, len(list))
	out := make([]AllowEntry, 0, len(list))
	for i, e := range list {
		id, err := checkAllowEntry(e)
		if err != nil {
			return nil, fmt.Errorf("allowlist: entry %d: %w", i, err)
		}
		if j, dup := seen[id]; dup {
			return nil, fmt.Errorf("allowlist: entry %d: peer_id %s is also entry %d", i, e.PeerID, j)
		}
		seen[id] = i
		out = append(out, AllowEntry{PeerID: id.String(), Label: e.Label})
	}
	return out, nil
}

// checkAllowEntry checks one entry and returns its peer ID.
func checkAllowEntry(e AllowEntry) (peer.ID, error) {
	if e.PeerID == "" {
		return "", errors.New("peer_id is missing (print a node's with `cairn node id --datadir DIR`)")
	}
	id, err := peer.Decode(e.PeerID)
	if err != nil {
		return "", fmt.Errorf("peer_id %q is not a peer ID (print a node's with `cairn node id --datadir DIR`): %v", clipStr(e.PeerID), err)
	}
	if len(e.Label) > MaxAllowLabel {
		return "", fmt.Errorf("label: %d bytes, at most %d", len(e.Label), MaxAllowLabel)
	}
	if !utf8.ValidString(e.Label) {
		return "", errors.New("label is not UTF-8")
	}
	for _, r := range e.Label {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("label %q has a control character", e.Label)
		}
	}
	return id, nil
}

func clipStr(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// allowlistDigest identifies a list's entries whatever the file's layout
// or order (to tell whether the --peer-allowlist file changed).
func allowlistDigest(list []AllowEntry) string {
	c := sortedEntries(list)
	data, _ := json.Marshal(c)
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func sortedEntries(list []AllowEntry) []AllowEntry {
	c := append([]AllowEntry{}, list...)
	sort.Slice(c, func(i, j int) bool { return c[i].PeerID < c[j].PeerID })
	return c
}

// allowlistState is AllowlistFile's content.
type allowlistState struct {
	// Seed is the digest of the --peer-allowlist entries last applied.
	Seed  string       `json:"seed,omitempty"`
	Peers []AllowEntry `json:"peers"`
}

// allowlist is the live peer allowlist, a gater policy. Safe for
// concurrent use.
type allowlist struct {
	path string

	mu   sync.RWMutex
	m    map[peer.ID]AllowEntry
	seed string
}

func (a *allowlist) admits(p peer.ID) bool {
	a.mu.RLock()
	_, ok := a.m[p]
	a.mu.RUnlock()
	return ok
}

// loadAllowlist returns the live list from path (the data directory's
// copy) and given (the --peer-allowlist entries; nil when none), nil if
// there is neither. It says in the log which list applies.
func loadAllowlist(path string, given []AllowEntry, log *slog.Logger) (*allowlist, error) {
	var stored *allowlistState
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			var st allowlistState
			if err := json.Unmarshal(data, &st); err != nil {
				return nil, fmt.Errorf("p2p: peer allowlist %s: %w (delete it to start again from --peer-allowlist)", path, err)
			}
			if _, err := ParseAllowlist(mustJSON(st.Peers)); err != nil {
				return nil, fmt.Errorf("p2p: peer allowlist %s: %w", path, err)
			}
			stored = &st
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("p2p: read peer allowlist: %w", err)
		}
	}
	a := &allowlist{path: path, m: map[peer.ID]AllowEntry{}}
	var st allowlistState
	switch {
	case given == nil && stored == nil:
		return nil, nil
	case given == nil:
		st = *stored
		log.Info("peer allowlist: the live list in the data dir applies", "file", path, "peers", len(st.Peers))
	case stored != nil && stored.Seed == allowlistDigest(given):
		st = *stored
		log.Info("peer allowlist: the --peer-allowlist file is unchanged; the live list in the data dir (with its API changes) applies",
			"file", path, "peers", len(st.Peers))
	default:
		st = allowlistState{Seed: allowlistDigest(given), Peers: given}
		if stored != nil {
			log.Warn("peer allowlist: the --peer-allowlist file changed since it was last applied; it replaces the live list",
				"peers", len(given), "were", len(stored.Peers))
		} else {
			log.Info("peer allowlist: from --peer-allowlist", "peers", len(given))
		}
	}
	a.seed = st.Seed
	for _, e := range st.Peers {
		id, _ := peer.Decode(e.PeerID) // checked above
		a.m[id] = e
	}
	if err := a.saveLocked(); err != nil {
		return nil, err
	}
	return a, nil
}

func mustJSON(v any) []byte {
	data, _ := json.Marshal(v)
	return data
}

// list returns the entries sorted by peer ID.
func (a *allowlist) list() []AllowEntry {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]AllowEntry, 0, len(a.m))
	for _, e := range a.m {
		out = append(out, e)
	}
	return sortedEntries(out)
}

// update applies f to a copy of the list, saves the copy, then makes it
// live: a change that could not be saved changes nothing.
func (a *allowlist) update(f func(m map[peer.ID]AllowEntry) bool) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := make(map[peer.ID]AllowEntry, len(a.m)+1)
	for k, v := range a.m {
		m[k] = v
	}
	if !f(m) {
		return false, nil
	}
	old := a.m
	a.m = m
	if err := a.saveLocked(); err != nil {
		a.m = old
		return false, err
	}
	return true, nil
}

// saveLocked writes the live list (a.mu held).
func (a *allowlist) saveLocked() error {
	if a.path == "" {
		return nil
	}
	st := allowlistState{Seed: a.seed, Peers: make([]AllowEntry, 0, len(a.m))}
	for _, e := range a.m {
		st.Peers = append(st.Peers, e)
	}
	st.Peers = sortedEntries(st.Peers)
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(a.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("p2p: save peer allowlist: %w", err)
	}
	return nil
}

// Allowlist returns the live peer allowlist sorted by peer ID, and whether
// the node has one at all.
func (n *Network) Allowlist() ([]AllowEntry, bool) {
	if n.allow == nil {
		return nil, false
	}
	return n.allow.list(), true
}

// Allow adds a peer to the allowlist (or changes its label) and persists
// the list; the peer may connect from now on, and if its address is known
// it is dialled without waiting for a backoff. Errors: ErrNoAllowlist; a
// bad peer ID or label is a *core.RuleError (CodeMalformed).
func (n *Network) Allow(e AllowEntry) error {
	if n.allow == nil {
		return ErrNoAllowlist
	}
	id, err := checkAllowEntry(e)
	if err != nil {
		return core.Errorf(core.CodeMalformed, "%v", err)
	}
	if id == n.host.ID() {
		return core.Errorf(core.CodeMalformed, "peer_id %s is this node", id)
	}
	e.PeerID = id.String()
	changed, err := n.allow.update(func(m map[peer.ID]AllowEntry) bool {
		if len(m) >= MaxAllowlist {
			if _, ok := m[id]; !ok {
				return false
			}
		}
		if m[id] == e {
			return false
		}
		m[id] = e
		return true
	})
	if err != nil {
		return err
	}
	if !changed && !n.allow.admits(id) {
		return core.Errorf(core.CodeMalformed, "the allowlist is full (%d peers)", MaxAllowlist)
	}
	n.log.Info("peer allowed", "peer", id, "label", e.Label)
	n.book.resetBackoff()
	n.triggerDial()
	return nil
}

// Revoke removes a peer from the allowlist, persists the list and closes
// the peer's connections at once; it reports whether the peer was on the
// list. Errors: ErrNoAllowlist; a bad peer ID is a *core.RuleError
// (CodeMalformed).
func (n *Network) Revoke(peerID string) (bool, error) {
	if n.allow == nil {
		return false, ErrNoAllowlist
	}
	id, err := peer.Decode(peerID)
	if err != nil {
		return false, core.Errorf(core.CodeMalformed, "peer_id %q is not a peer ID: %v", clipStr(peerID), err)
	}
	removed, err := n.allow.update(func(m map[peer.ID]AllowEntry) bool {
		if _, ok := m[id]; !ok {
			return false
		}
		delete(m, id)
		return true
	})
	if err != nil {
		return false, err
	}
	// Close even if it was not listed: a connection made before the
	// list existed must not linger.
	_ = n.host.Network().ClosePeer(id)
	if removed {
		n.log.Info("peer revoked and disconnected", "peer", id)
	}
	return removed, nil
}

// checkBootstrapAllowed refuses a --peer outside the allowlist: it could
// never be dialled, which is a configuration error, not a silent no-op.
func (n *Network) checkBootstrapAllowed() error {
	if n.allow == nil {
		return nil
	}
	for _, s := range n.cfg.Peers {
		ai, err := parsePeerAddr(s)
		if err != nil {
			return fmt.Errorf("p2p: bootstrap peer: %w", err)
		}
		if !n.allow.admits(ai.ID) {
			return fmt.Errorf("p2p: --peer %s: peer %s is not on the peer allowlist (add it to the --peer-allowlist file, or drop the --peer)", s, ai.ID)
		}
	}
	return nil
}
