package wallet

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// rawFile returns dev.json of a fresh keystore (passphrase "pw") as a
// generic JSON tree, and a function that writes a tree back as dev.json.
func rawFile(t *testing.T) (*Keystore, map[string]any, func(map[string]any)) {
	t.Helper()
	ks := newTestKeystore(t)
	if _, err := ks.Import("dev", testSeed(5), "pw"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ks.Dir(), "dev.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	write := func(m map[string]any) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ks, m, write
}

func cryptoOf(m map[string]any) map[string]any { return m["crypto"].(map[string]any) }
func kdfOf(m map[string]any) map[string]any {
	return cryptoOf(m)["kdfparams"].(map[string]any)
}

// flipHex changes the first hex digit of s.
func flipHex(s string) string {
	c := "1"
	if s[0] == '1' {
		c = "2"
	}
	return c + s[1:]
}

// TestTamperFailsDecryption changes each authenticated field to another
// well-formed value: the file still parses, but decryption must fail.
func TestTamperFailsDecryption(t *testing.T) {
	other := testSeedKeyHex(t, 6)
	tests := []struct {
		name   string
		tamper func(m map[string]any)
	}{
		{"salt", func(m map[string]any) { kdfOf(m)["salt"] = flipHex(kdfOf(m)["salt"].(string)) }},
		{"n", func(m map[string]any) { kdfOf(m)["n"] = 2048 }},
		{"r", func(m map[string]any) { kdfOf(m)["r"] = 4 }},
		{"p", func(m map[string]any) { kdfOf(m)["p"] = 2 }},
		{"nonce", func(m map[string]any) { cryptoOf(m)["nonce"] = flipHex(cryptoOf(m)["nonce"].(string)) }},
		{"ciphertext", func(m map[string]any) {
			cryptoOf(m)["ciphertext"] = flipHex(cryptoOf(m)["ciphertext"].(string))
		}},
		{"ciphertext tag", func(m map[string]any) {
			s := cryptoOf(m)["ciphertext"].(string)
			cryptoOf(m)["ciphertext"] = s[:len(s)-1] + map[bool]string{true: "1", false: "0"}[s[len(s)-1] == '0']
		}},
		{"public key", func(m map[string]any) { m["public_key"] = other }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, m, write := rawFile(t)
			tc.tamper(m)
			write(m)
			if _, err := ks.List(); err != nil {
				t.Fatalf("tampered file should still parse: %v", err)
			}
			_, err := ks.Load("dev", "pw")
			if !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("Load of tampered file: %v, want ErrWrongPassphrase", err)
			}
		})
	}
}

func testSeedKeyHex(t *testing.T, b byte) string {
	t.Helper()
	return newKey("x", testSeed(b)).PublicKey().String()
}

// TestStrictRead checks that every malformed or out-of-bounds field is
// rejected before any decryption, with an error naming the file and field.
func TestStrictRead(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(m map[string]any)
		want   string
	}{
		{"unknown field", func(m map[string]any) { m["address"] = "x" }, `unknown field "address"`},
		{"unknown crypto field", func(m map[string]any) { cryptoOf(m)["mac"] = "x" }, `unknown field "mac"`},
		{"missing version", func(m map[string]any) { delete(m, "version") }, "version: missing"},
		{"version 2", func(m map[string]any) { m["version"] = 2 }, "version 2 is not supported"},
		{"missing name", func(m map[string]any) { delete(m, "name") }, "name: missing"},
		{"other name", func(m map[string]any) { m["name"] = "other" }, `name "other" does not match`},
		{"bad name", func(m map[string]any) { m["name"] = "../x" }, "name: key name"},
		{"missing public key", func(m map[string]any) { delete(m, "public_key") }, "public_key: missing"},
		{"short public key", func(m map[string]any) { m["public_key"] = "abcd" }, "public_key: 4 hex characters, want 64"},
		{"uppercase public key", func(m map[string]any) {
			m["public_key"] = strings.ToUpper(m["public_key"].(string))
		}, "public_key: hex must be lowercase"},
		{"non-hex public key", func(m map[string]any) { m["public_key"] = strings.Repeat("zz", 32) }, "public_key: not hex"},
		{"missing created", func(m map[string]any) { delete(m, "created") }, "created: missing"},
		{"negative created", func(m map[string]any) { m["created"] = -1 }, "created -1 is negative"},
		{"fractional created", func(m map[string]any) { m["created"] = 1.5 }, "malformed JSON"},
		{"missing crypto", func(m map[string]any) { delete(m, "crypto") }, "crypto: missing"},
		{"null crypto", func(m map[string]any) { m["crypto"] = nil }, "crypto: missing"},
		{"kdf", func(m map[string]any) { cryptoOf(m)["kdf"] = "pbkdf2" }, `crypto.kdf "pbkdf2" is not supported`},
		{"missing kdf", func(m map[string]any) { delete(cryptoOf(m), "kdf") }, "crypto.kdf: missing"},
		{"cipher", func(m map[string]any) { cryptoOf(m)["cipher"] = "aes-128-ctr" }, `crypto.cipher "aes-128-ctr" is not supported`},
		{"missing cipher", func(m map[string]any) { delete(cryptoOf(m), "cipher") }, "crypto.cipher: missing"},
		{"missing kdfparams", func(m map[string]any) { delete(cryptoOf(m), "kdfparams") }, "crypto.kdfparams: missing"},
		{"missing n", func(m map[string]any) { delete(kdfOf(m), "n") }, "crypto.kdfparams.n: missing"},
		{"missing r", func(m map[string]any) { delete(kdfOf(m), "r") }, "crypto.kdfparams.r: missing"},
		{"missing p", func(m map[string]any) { delete(kdfOf(m), "p") }, "crypto.kdfparams.p: missing"},
		{"n not power of two", func(m map[string]any) { kdfOf(m)["n"] = 3 }, "crypto.kdfparams.n 3 is not a power of two"},
		{"n zero", func(m map[string]any) { kdfOf(m)["n"] = 0 }, "crypto.kdfparams.n 0 is not a power of two"},
		{"n negative", func(m map[string]any) { kdfOf(m)["n"] = -1024 }, "crypto.kdfparams.n -1024 is not a power of two"},
		{"n 2^30", func(m map[string]any) { kdfOf(m)["n"] = 1 << 30 }, "crypto.kdfparams.n 1073741824 is out of bounds"},
		{"n 2^62", func(m map[string]any) { kdfOf(m)["n"] = int64(1) << 62 }, "out of bounds"},
		{"n 2^9", func(m map[string]any) { kdfOf(m)["n"] = 512 }, "crypto.kdfparams.n 512 is out of bounds"},
		{"n overflows int64", func(m map[string]any) { kdfOf(m)["n"] = json.Number("1" + strings.Repeat("0", 30)) }, "malformed JSON"},
		{"n as string", func(m map[string]any) { kdfOf(m)["n"] = "1024" }, "malformed JSON"},
		{"r zero", func(m map[string]any) { kdfOf(m)["r"] = 0 }, "crypto.kdfparams.r 0 is out of bounds"},
		{"r 33", func(m map[string]any) { kdfOf(m)["r"] = 33 }, "crypto.kdfparams.r 33 is out of bounds"},
		{"p zero", func(m map[string]any) { kdfOf(m)["p"] = 0 }, "crypto.kdfparams.p 0 is out of bounds"},
		{"p 1000", func(m map[string]any) { kdfOf(m)["p"] = 1000 }, "crypto.kdfparams.p 1000 is out of bounds"},
		{"cost", func(m map[string]any) { kdfOf(m)["n"], kdfOf(m)["r"], kdfOf(m)["p"] = 1<<20, 32, 16 }, "crypto.kdfparams.n*r*p"},
		{"short salt", func(m map[string]any) { kdfOf(m)["salt"] = "00" }, "crypto.kdfparams.salt: 2 hex characters, want 64"},
		{"missing salt", func(m map[string]any) { delete(kdfOf(m), "salt") }, "crypto.kdfparams.salt: missing"},
		{"short nonce", func(m map[string]any) { cryptoOf(m)["nonce"] = strings.Repeat("00", 12) }, "crypto.nonce: 24 hex characters, want 48"},
		{"missing nonce", func(m map[string]any) { delete(cryptoOf(m), "nonce") }, "crypto.nonce: missing"},
		{"long ciphertext", func(m map[string]any) { cryptoOf(m)["ciphertext"] = strings.Repeat("00", 49) }, "crypto.ciphertext: 98 hex characters, want 96"},
		{"missing ciphertext", func(m map[string]any) { delete(cryptoOf(m), "ciphertext") }, "crypto.ciphertext: missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, m, write := rawFile(t)
			tc.tamper(m)
			write(m)
			start := time.Now()
			_, err := ks.Load("dev", "pw")
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "dev.json" {
				t.Fatalf("Load: %v, want a *FileError for dev.json", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "keystore dev.json: ") {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("rejecting took %v", d)
			}
			if _, err := ks.List(); err == nil {
				t.Fatal("List accepted the file")
			}
		})
	}
}

func TestStrictReadRaw(t *testing.T) {
	ks, m, _ := rawFile(t)
	valid, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, data, want string }{
		{"empty", "", "malformed JSON"},
		{"not JSON", "hello", "malformed JSON"},
		{"array", "[]", "malformed JSON"},
		{"trailing object", string(valid) + "{}", "data after the top-level object"},
		{"trailing garbage", string(valid) + "x", "malformed JSON"},
		{"huge", `{"name":"` + strings.Repeat("a", MaxFileSize) + `"}`, "the limit is 16384"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(ks.Dir(), "dev.json"), []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ks.Load("dev", "pw"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want %q", err, tc.want)
			}
		})
	}
	// Trailing whitespace is fine.
	if err := os.WriteFile(filepath.Join(ks.Dir(), "dev.json"), append(valid, " \n\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Load("dev", "pw"); err != nil {
		t.Fatal(err)
	}
}

// TestSeedMismatch: a file whose ciphertext (correctly authenticated under
// its public key) holds another key's seed is rejected after decryption.
func TestSeedMismatch(t *testing.T) {
	kf, err := sealKey("dev", testSeed(1), "pw", LightParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	evil, err := sealKey("dev", testSeed(2), "pw", LightParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	// Re-seal seed 2 under kf's public key: swap pub and re-encrypt.
	evil.pub = kf.pub
	dk, err := evil.deriveKey("pw")
	if err != nil {
		t.Fatal(err)
	}
	aeadSeal(t, dk, evil, testSeed(2))
	_, err = evil.open("dev.json", "pw")
	if err == nil || !strings.Contains(err.Error(), "does not match public_key") {
		t.Fatalf("open: %v", err)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	kf, err := sealKey("dev", testSeed(1), "pw", LightParams(), 1234)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeKeyFile("dev.json", kf.encode())
	if err != nil {
		t.Fatal(err)
	}
	if *got != *kf {
		t.Fatalf("round trip changed the file:\n%+v\n%+v", got, kf)
	}
	priv, err := got.open("dev.json", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if string(priv.Seed()) != string(testSeed(1)) {
		t.Fatal("wrong seed")
	}
}

func TestFreshSaltAndNonce(t *testing.T) {
	a, err := sealKey("a", testSeed(1), "pw", LightParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sealKey("a", testSeed(1), "pw", LightParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.salt == b.salt || a.nonce == b.nonce || a.ciphertext == b.ciphertext {
		t.Fatal("salt, nonce or ciphertext repeated across two seals")
	}
}

// aeadSeal re-encrypts seed into kf with key dk (same nonce, kf's AAD).
func aeadSeal(t *testing.T, dk []byte, kf *keyFile, seed []byte) {
	t.Helper()
	aead, err := chacha20poly1305.NewX(dk)
	if err != nil {
		t.Fatal(err)
	}
	aead.Seal(kf.ciphertext[:0], kf.nonce[:], seed, kf.aad())
}
