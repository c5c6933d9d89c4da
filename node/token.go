package node

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cairn-chain/cairn/internal/fsutil"
)

// TokenFile is the admin API token's file in the data directory (like
// bitcoind's cookie file): a new random token is written at every start,
// mode 0600, so only the node's user can call admin endpoints.
const TokenFile = "api.token"

// WriteAPIToken writes a fresh random token to <dir>/api.token and
// returns it.
func WriteAPIToken(dir string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b[:])
	path := filepath.Join(dir, TokenFile)
	if err := fsutil.WriteFileAtomic(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("node: write %s: %w", path, err)
	}
	return tok, nil
}

// ReadAPIToken reads the token a node wrote to dir.
func ReadAPIToken(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if err != nil {
		return "", err
	}
	tok := string(b)
	for len(tok) > 0 && (tok[len(tok)-1] == '\n' || tok[len(tok)-1] == '\r') {
		tok = tok[:len(tok)-1]
	}
	if len(tok) != 64 {
		return "", fmt.Errorf("node: %s: not a token", filepath.Join(dir, TokenFile))
	}
	return tok, nil
}
