package p2p

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/peer"
)

// PeerIDOf returns the peer ID of the node whose data directory is
// dataDir, creating its identity key (KeyFile, mode 0600) if it has none:
// what `cairn node id` prints and an allowlist names, known before the
// node first starts.
func PeerIDOf(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("p2p: PeerIDOf needs a data directory")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("p2p: create data dir: %w", err)
	}
	key, err := loadKey(filepath.Join(dataDir, KeyFile))
	if err != nil {
		return "", err
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("p2p: identity key: %w", err)
	}
	return id.String(), nil
}
