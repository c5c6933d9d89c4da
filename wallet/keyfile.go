package wallet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-chain/cairn/core"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// Format constants of keystore files.
const (
	FormatVersion = 1                    // the only keystore file version
	KDFName       = "scrypt"             // the only key derivation function
	CipherName    = "xchacha20-poly1305" // the only cipher
	SeedSize      = ed25519.SeedSize     // bytes of an Ed25519 seed (32)
	SaltSize      = 32                   // bytes of scrypt salt
	NonceSize     = chacha20poly1305.NonceSizeX
	// MaxFileSize bounds what is read of a keystore file; a valid file is
	// well under 1 KiB.
	MaxFileSize = 16 << 10

	ciphertextSize = SeedSize + chacha20poly1305.Overhead
	aadTag         = "cairn-keystore"
)

// ErrWrongPassphrase is returned (wrapped with the file name) when
// decryption fails: the passphrase is wrong, or an authenticated field of
// the file was changed.
var ErrWrongPassphrase = errors.New("wrong passphrase (or the keystore file was altered)")

// FileError reports an invalid keystore file: which file and what is wrong
// in it, naming the JSON field.
type FileError struct {
	File string // base name, e.g. "dev.json"
	Msg  string
}

// Error returns "keystore FILE: MSG".
func (e *FileError) Error() string { return "keystore " + e.File + ": " + e.Msg }

// JSON form of a file. Pointers tell a missing field from a zero one; the
// reader rejects unknown fields, missing fields and trailing data.
type fileJSON struct {
	Version   *int64      `json:"version"`
	Name      *string     `json:"name"`
	PublicKey *string     `json:"public_key"`
	Crypto    *cryptoJSON `json:"crypto"`
	Created   *int64      `json:"created"` // unix milliseconds
}

type cryptoJSON struct {
	KDF        *string        `json:"kdf"`
	KDFParams  *kdfParamsJSON `json:"kdfparams"`
	Cipher     *string        `json:"cipher"`
	Nonce      *string        `json:"nonce"`
	Ciphertext *string        `json:"ciphertext"`
}

type kdfParamsJSON struct {
	N    *int64  `json:"n"`
	R    *int64  `json:"r"`
	P    *int64  `json:"p"`
	Salt *string `json:"salt"`
}

// keyFile is a decoded, checked keystore file (not yet decrypted).
type keyFile struct {
	name       string
	pub        core.PublicKey
	params     Params
	salt       [SaltSize]byte
	nonce      [NonceSize]byte
	ciphertext [ciphertextSize]byte
	created    int64 // unix ms
}

// encode returns the file's JSON (indented, newline-terminated).
func (kf *keyFile) encode() []byte {
	j := fileJSON{
		Version:   new(int64(FormatVersion)),
		Name:      new(kf.name),
		PublicKey: new(kf.pub.String()),
		Crypto: &cryptoJSON{
			KDF: new(KDFName),
			KDFParams: &kdfParamsJSON{
				N:    new(int64(kf.params.N)),
				R:    new(int64(kf.params.R)),
				P:    new(int64(kf.params.P)),
				Salt: new(hex.EncodeToString(kf.salt[:])),
			},
			Cipher:     new(CipherName),
			Nonce:      new(hex.EncodeToString(kf.nonce[:])),
			Ciphertext: new(hex.EncodeToString(kf.ciphertext[:])),
		},
		Created: new(kf.created),
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		panic("wallet: marshal keystore JSON: " + err.Error()) // cannot happen: plain strings and ints
	}
	return append(b, '\n')
}

// decodeKeyFile strictly decodes and checks a keystore file. file names it
// in errors. It does not decrypt, and it does not check the name against
// the file name (the Keystore does).
func decodeKeyFile(file string, data []byte) (*keyFile, error) {
	bad := func(format string, args ...any) error {
		return &FileError{File: file, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxFileSize {
		return nil, bad("%d bytes, the limit is %d", len(data), MaxFileSize)
	}
	var j fileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, bad("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("malformed JSON: data after the top-level object")
	}
	kf := &keyFile{}
	switch {
	case j.Version == nil:
		return nil, bad("version: missing")
	case *j.Version != FormatVersion:
		return nil, bad("version %d is not supported, want %d", *j.Version, FormatVersion)
	case j.Name == nil:
		return nil, bad("name: missing")
	}
	if err := ValidName(*j.Name); err != nil {
		return nil, bad("name: %v", err)
	}
	kf.name = *j.Name
	if err := decodeHex(j.PublicKey, "public_key", kf.pub[:]); err != nil {
		return nil, bad("%v", err)
	}
	if j.Created == nil {
		return nil, bad("created: missing")
	}
	if *j.Created < 0 {
		return nil, bad("created %d is negative", *j.Created)
	}
	kf.created = *j.Created

	c := j.Crypto
	switch {
	case c == nil:
		return nil, bad("crypto: missing")
	case c.KDF == nil:
		return nil, bad("crypto.kdf: missing")
	case *c.KDF != KDFName:
		return nil, bad("crypto.kdf %q is not supported, want %q", clip(*c.KDF), KDFName)
	case c.Cipher == nil:
		return nil, bad("crypto.cipher: missing")
	case *c.Cipher != CipherName:
		return nil, bad("crypto.cipher %q is not supported, want %q", clip(*c.Cipher), CipherName)
	case c.KDFParams == nil:
		return nil, bad("crypto.kdfparams: missing")
	}
	kp := c.KDFParams
	for _, f := range []struct {
		v    *int64
		name string
	}{{kp.N, "n"}, {kp.R, "r"}, {kp.P, "p"}} {
		if f.v == nil {
			return nil, bad("crypto.kdfparams.%s: missing", f.name)
		}
	}
	if err := checkParams(*kp.N, *kp.R, *kp.P, "crypto.kdfparams."); err != nil {
		return nil, bad("%v", err)
	}
	kf.params = Params{N: int(*kp.N), R: int(*kp.R), P: int(*kp.P)}
	if err := decodeHex(kp.Salt, "crypto.kdfparams.salt", kf.salt[:]); err != nil {
		return nil, bad("%v", err)
	}
	if err := decodeHex(c.Nonce, "crypto.nonce", kf.nonce[:]); err != nil {
		return nil, bad("%v", err)
	}
	if err := decodeHex(c.Ciphertext, "crypto.ciphertext", kf.ciphertext[:]); err != nil {
		return nil, bad("%v", err)
	}
	return kf, nil
}

// decodeHex decodes lowercase hex of exactly len(dst) bytes into dst.
func decodeHex(s *string, field string, dst []byte) error {
	if s == nil {
		return fmt.Errorf("%s: missing", field)
	}
	if len(*s) != 2*len(dst) {
		return fmt.Errorf("%s: %d hex characters, want %d (%d bytes)", field, len(*s), 2*len(dst), len(dst))
	}
	if strings.ToLower(*s) != *s {
		return fmt.Errorf("%s: hex must be lowercase", field)
	}
	if _, err := hex.Decode(dst, []byte(*s)); err != nil {
		return fmt.Errorf("%s: not hex: %v", field, err)
	}
	return nil
}

// aad returns the canonical encoding of every parameter that steers
// decryption, bound into the AEAD so that changing any of them fails it:
// tag, version, public key, kdf, N, r, p, salt, cipher; strings and the salt
// with a 16-bit big-endian length prefix, integers as 64-bit big-endian.
func (kf *keyFile) aad() []byte {
	b := make([]byte, 0, 160)
	lp := func(b []byte, v []byte) []byte {
		return append(binary.BigEndian.AppendUint16(b, uint16(len(v))), v...)
	}
	b = lp(b, []byte(aadTag))
	b = binary.BigEndian.AppendUint64(b, FormatVersion)
	b = append(b, kf.pub[:]...)
	b = lp(b, []byte(KDFName))
	b = binary.BigEndian.AppendUint64(b, uint64(kf.params.N))
	b = binary.BigEndian.AppendUint64(b, uint64(kf.params.R))
	b = binary.BigEndian.AppendUint64(b, uint64(kf.params.P))
	b = lp(b, kf.salt[:])
	return lp(b, []byte(CipherName))
}

// deriveKey runs scrypt. params must be validated.
func (kf *keyFile) deriveKey(passphrase string) ([]byte, error) {
	return scrypt.Key([]byte(passphrase), kf.salt[:], kf.params.N, kf.params.R, kf.params.P, chacha20poly1305.KeySize)
}

// sealKey builds the encrypted file of seed with fresh salt and nonce.
func sealKey(name string, seed []byte, passphrase string, p Params, created int64) (*keyFile, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("seed is %d bytes, want %d", len(seed), SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	defer clear(priv)
	kf := &keyFile{name: name, params: p, created: created}
	copy(kf.pub[:], priv[SeedSize:])
	if _, err := rand.Read(kf.salt[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(kf.nonce[:]); err != nil {
		return nil, err
	}
	dk, err := kf.deriveKey(passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	aead, err := chacha20poly1305.NewX(dk)
	if err != nil {
		return nil, err
	}
	aead.Seal(kf.ciphertext[:0], kf.nonce[:], seed, kf.aad())
	return kf, nil
}

// open decrypts the seed and checks that it belongs to the stored public
// key. The returned private key is the caller's to clear.
func (kf *keyFile) open(file, passphrase string) (ed25519.PrivateKey, error) {
	dk, err := kf.deriveKey(passphrase)
	if err != nil {
		return nil, &FileError{File: file, Msg: "scrypt: " + err.Error()}
	}
	defer clear(dk)
	aead, err := chacha20poly1305.NewX(dk)
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, kf.nonce[:], kf.ciphertext[:], kf.aad())
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", file, ErrWrongPassphrase)
	}
	defer clear(seed)
	if len(seed) != SeedSize {
		return nil, &FileError{File: file, Msg: fmt.Sprintf("decrypted seed is %d bytes, want %d", len(seed), SeedSize)}
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(priv[SeedSize:], kf.pub[:]) {
		clear(priv)
		return nil, &FileError{File: file, Msg: "the decrypted seed does not match public_key"}
	}
	return priv, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
