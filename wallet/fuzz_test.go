package wallet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

const fuzzPassphrase = "fuzz"

// FuzzReadKeystore feeds arbitrary bytes to the keystore reader: it never
// panics; a file it accepts re-encodes to a file that decodes identically;
// and a decrypted key always matches the stored public key.
func FuzzReadKeystore(f *testing.F) {
	kf, err := sealKey("fuzz", testSeed(9), fuzzPassphrase, LightParams(), 1_700_000_000_000)
	if err != nil {
		f.Fatal(err)
	}
	valid := kf.encode()
	f.Add(valid)
	var m map[string]any
	if err := json.Unmarshal(valid, &m); err != nil {
		f.Fatal(err)
	}
	for _, tamper := range []func(map[string]any){
		func(m map[string]any) { kdfOf(m)["n"] = 1 << 30 },
		func(m map[string]any) { kdfOf(m)["n"] = 2048 },
		func(m map[string]any) { kdfOf(m)["salt"] = flipHex(kdfOf(m)["salt"].(string)) },
		func(m map[string]any) { cryptoOf(m)["nonce"] = flipHex(cryptoOf(m)["nonce"].(string)) },
		func(m map[string]any) { cryptoOf(m)["ciphertext"] = flipHex(cryptoOf(m)["ciphertext"].(string)) },
		func(m map[string]any) { m["public_key"] = flipHex(m["public_key"].(string)) },
		func(m map[string]any) { m["extra"] = 1 },
		func(m map[string]any) { delete(m, "crypto") },
	} {
		var c map[string]any
		_ = json.Unmarshal(valid, &c)
		tamper(c)
		b, _ := json.Marshal(c)
		f.Add(b)
	}
	f.Add([]byte("{}"))
	f.Add([]byte(""))
	f.Add([]byte(`{"version":1,"name":"fuzz","crypto":null}`))

	// Keep decryption cheap: files whose (valid, bounded) parameters cost
	// more than LightParams are checked but not decrypted.
	costLimit := LightParams().cost()
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := decodeKeyFile("fuzz.json", data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("decode error is not a *FileError: %v", err)
			}
			return
		}
		again, err := decodeKeyFile("fuzz.json", kf.encode())
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if *again != *kf {
			t.Fatalf("round trip changed the file")
		}
		if kf.params.cost() > costLimit {
			return
		}
		priv, err := kf.open("fuzz.json", fuzzPassphrase)
		if err != nil {
			return
		}
		var pk core.PublicKey
		copy(pk[:], priv.Public().(ed25519.PublicKey))
		if pk != kf.pub {
			t.Fatalf("decrypted key %s, file says %s", pk, kf.pub)
		}
		if !bytes.Equal(priv.Seed(), testSeed(9)) {
			t.Fatalf("decrypted an unexpected seed")
		}
	})
}

// FuzzParseCoins: whatever ParseCoins accepts is within MaxMoney and
// survives FormatCoins -> ParseCoins; every amount within MaxMoney formats
// to a string that parses back to it.
func FuzzParseCoins(f *testing.F) {
	for _, tc := range parseCoinsTests {
		f.Add(tc.in, tc.decimals, tc.want)
	}
	f.Add("1.5", uint8(8), uint64(core.MaxMoney))
	f.Fuzz(func(t *testing.T, s string, decimals uint8, units uint64) {
		v, err := ParseCoins(s, decimals)
		if err == nil {
			if v > core.MaxMoney {
				t.Fatalf("ParseCoins(%q, %d) = %d above MaxMoney", s, decimals, v)
			}
			back, err := ParseCoins(FormatCoins(v, decimals), decimals)
			if err != nil || back != v {
				t.Fatalf("ParseCoins(%q)=%d, FormatCoins -> %q -> %d, %v", s, v, FormatCoins(v, decimals), back, err)
			}
		} else if !core.IsRuleError(err) {
			t.Fatalf("error is not a RuleError: %v", err)
		}
		units %= core.MaxMoney + 1
		back, err := ParseCoins(FormatCoins(units, decimals), decimals)
		if err != nil || back != units {
			t.Fatalf("FormatCoins(%d, %d) = %q parses to %d, %v", units, decimals, FormatCoins(units, decimals), back, err)
		}
	})
}
