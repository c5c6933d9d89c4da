package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// HashSize is the size of a SHA-256 digest.
const HashSize = 32

// Hash is a SHA-256 digest: block hashes, tx IDs, Merkle nodes.
type Hash [HashSize]byte

// Sum returns SHA-256(b).
func Sum(b []byte) Hash { return sha256.Sum256(b) }

// String returns 64 lowercase hex characters.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zero bytes.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText implements encoding.TextMarshaler (JSON as hex).
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHash parses 64 hex characters (lowercase or uppercase).
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, Errorf(CodeMalformed, "hash %q: want %d hex characters, got %d", clip(s), 2*HashSize, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, Errorf(CodeMalformed, "hash %q: not hex", clip(s))
	}
	return h, nil
}

// clip shortens user input quoted in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// decodeFixedHex decodes exactly n bytes of hex into dst, naming field in errors.
func decodeFixedHex(field, s string, dst []byte) error {
	if len(s) != 2*len(dst) {
		return Errorf(CodeMalformed, "%s: want %d hex characters, got %d", field, 2*len(dst), len(s))
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return Errorf(CodeMalformed, "%s: not hex", field)
	}
	return nil
}

var _ fmt.Stringer = Hash{}
