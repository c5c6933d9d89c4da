package wallet

import (
	"testing"
	"time"

	"golang.org/x/crypto/scrypt"
)

// BenchmarkLoad measures decrypting a key and reports it as a ratio to
// bare scrypt with the same parameters on this machine (x_scrypt): the
// keystore's own overhead (file read, JSON, checks, AEAD) should be a few
// percent at most, since scrypt is the intended cost.
func BenchmarkLoad(b *testing.B) {
	for _, tc := range []struct {
		name string
		p    Params
	}{{"light", LightParams()}, {"default", DefaultParams()}} {
		b.Run(tc.name, func(b *testing.B) {
			ks, err := Open(b.TempDir(), tc.p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ks.Import("dev", testSeed(1), "pw"); err != nil {
				b.Fatal(err)
			}
			// The machine's limit: bare scrypt, same parameters, after a
			// warm-up run (first-touch page faults).
			const reps = 5
			salt := make([]byte, SaltSize)
			var start time.Time
			for i := range reps + 1 {
				if i == 1 {
					start = time.Now()
				}
				if _, err := scrypt.Key([]byte("pw"), salt, tc.p.N, tc.p.R, tc.p.P, 32); err != nil {
					b.Fatal(err)
				}
			}
			limit := time.Since(start) / reps
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ks.Load("dev", "pw"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(limit), "x_scrypt")
		})
	}
}
