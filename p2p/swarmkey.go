package p2p

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/pnet"
)

// The swarm key is libp2p's private-network pre-shared key: every byte on
// a connection is encrypted with it (XSalsa20) below the Noise handshake,
// so a node without the same key cannot even finish a handshake. It is an
// optional outer layer around the allowlist, not a replacement: it is
// shared by every member, so it cannot be revoked from one of them (change
// it on every node instead).

// swarmKeyHeader is the first line of the standard file format
// ("/key/swarm/psk/1.0.0/"), read by go-libp2p's pnet.DecodeV1PSK and the
// other libp2p implementations.
const swarmKeyHeader = "/key/swarm/psk/1.0.0/"

// NewSwarmKey returns a new random swarm key file:
// "/key/swarm/psk/1.0.0/\n/base16/\n<64 hex digits>\n".
func NewSwarmKey() ([]byte, error) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, fmt.Errorf("p2p: swarm key: %w", err)
	}
	return []byte(swarmKeyHeader + "\n/base16/\n" + hex.EncodeToString(k[:]) + "\n"), nil
}

// ParseSwarmKey reads a swarm key file (the /key/swarm/psk/1.0.0/ format
// in /base16/, /base64/ or /bin/ encoding) and returns the 32-byte key.
// Nothing but white space may follow the key.
func ParseSwarmKey(data []byte) (pnet.PSK, error) {
	if !bytes.HasPrefix(data, []byte(swarmKeyHeader)) {
		return nil, fmt.Errorf("swarm key: the file does not start with %s (make one with `cairn swarm-key new`)", swarmKeyHeader)
	}
	psk, err := pnet.DecodeV1PSK(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("swarm key: want %s, then /base16/ and 64 hex digits (make one with `cairn swarm-key new`): %v", swarmKeyHeader, err)
	}
	// DecodeV1PSK reads 32 bytes and ignores the rest: a longer or
	// garbled hex key would be cut silently, so check its line.
	lines := strings.Split(strings.TrimRight(string(data), "\r\n\t "), "\n")
	if len(lines) >= 2 && strings.TrimSpace(lines[1]) == "/base16/" {
		if len(lines) != 3 || len(strings.TrimSpace(lines[2])) != 64 {
			return nil, errors.New("swarm key: after /base16/ want one line of 64 hex digits (32 bytes)")
		}
	}
	return psk, nil
}
