package core

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// AddressSize is the size of an account address.
const AddressSize = 20

// PublicKeySize is the size of an Ed25519 public key.
const PublicKeySize = ed25519.PublicKeySize

// SignatureSize is the size of an Ed25519 signature.
const SignatureSize = ed25519.SignatureSize

// DefaultAddressPrefix is the bech32m human-readable prefix when genesis
// does not set one.
const DefaultAddressPrefix = "cairn"

// Address identifies an account: the first 20 bytes of SHA-256(public key).
type Address [AddressSize]byte

// PublicKey is an Ed25519 public key.
type PublicKey [PublicKeySize]byte

// Signature is an Ed25519 signature.
type Signature [SignatureSize]byte

// Address returns the account address of the key.
func (k PublicKey) Address() Address {
	s := sha256.Sum256(k[:])
	var a Address
	copy(a[:], s[:AddressSize])
	return a
}

// String returns the key as 64 lowercase hex characters.
func (k PublicKey) String() string { return Hash(k).String() }

// MarshalText implements encoding.TextMarshaler (64 hex characters).
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *PublicKey) UnmarshalText(b []byte) error {
	v, err := ParsePublicKey(string(b))
	*k = v
	return err
}

// ParsePublicKey parses 64 hex characters.
func ParsePublicKey(s string) (PublicKey, error) {
	var k PublicKey
	return k, decodeFixedHex("public key", s, k[:])
}

// ParseSignature parses 128 hex characters.
func ParseSignature(s string) (Signature, error) {
	var sig Signature
	return sig, decodeFixedHex("signature", s, sig[:])
}

// IsZero reports whether a is the zero address.
func (a Address) IsZero() bool { return a == Address{} }

// Encode returns the bech32m text form with the given human-readable prefix.
func (a Address) Encode(prefix string) string {
	data, err := bech32.ConvertBits(a[:], 8, 5, true)
	if err != nil {
		panic("core: convert 20 bytes to 5-bit groups: " + err.Error()) // cannot happen
	}
	s, err := bech32.EncodeM(prefix, data)
	if err != nil {
		// Only an invalid prefix gets here; genesis validation prevents it.
		return "invalid-prefix"
	}
	return s
}

// String returns the address with the default prefix. Use Encode with the
// chain's prefix for anything a user sees on a custom chain.
func (a Address) String() string { return a.Encode(DefaultAddressPrefix) }

// ParseAddress decodes a bech32m address and checks its checksum (bech32m,
// not bech32), its prefix and its payload length.
func ParseAddress(s, prefix string) (Address, error) {
	var a Address
	if len(s) > 90 {
		return a, Errorf(CodeMalformed, "address %q: longer than 90 characters", clip(s))
	}
	hrp, data, version, err := bech32.DecodeGeneric(s)
	if err != nil {
		return a, Wrap(CodeMalformed, err, "address %q", clip(s))
	}
	if version != bech32.VersionM {
		return a, Errorf(CodeMalformed, "address %q: bech32 checksum, want bech32m", clip(s))
	}
	if hrp != strings.ToLower(prefix) {
		return a, Errorf(CodeMalformed, "address %q: prefix %q, this chain uses %q", clip(s), hrp, prefix)
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return a, Wrap(CodeMalformed, err, "address %q: payload", clip(s))
	}
	if len(raw) != AddressSize {
		return a, Errorf(CodeMalformed, "address %q: payload of %d bytes, want %d", clip(s), len(raw), AddressSize)
	}
	copy(a[:], raw)
	return a, nil
}

// ValidPrefix reports whether p can be a bech32 human-readable prefix for
// addresses: 1 to 20 lowercase letters or digits.
func ValidPrefix(p string) bool {
	if len(p) < 1 || len(p) > 20 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
