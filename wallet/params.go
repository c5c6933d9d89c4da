package wallet

import (
	"fmt"
)

// Bounds on scrypt parameters, enforced when writing and, above all, before
// running scrypt on a file's parameters.
const (
	MinN = 1 << 10 // smallest accepted scrypt N (LightParams)
	MaxN = 1 << 20 // largest accepted scrypt N
	MaxR = 32      // largest accepted scrypt r
	MaxP = 16      // largest accepted scrypt p
	// MaxKDFCost bounds 128*N*r*p, the bytes scrypt's mixing touches: it
	// bounds the memory (128*N*r) and the time (p sequential passes), so
	// the most expensive accepted file costs about what N=2^20, r=8, p=1
	// costs (1 GiB, a few seconds).
	MaxKDFCost = 1 << 30
)

// Params are scrypt's cost parameters: N (CPU/memory cost, a power of two),
// r (block size) and p (parallelism).
type Params struct{ N, R, P int }

// DefaultParams returns the parameters for real keys: N=2^17, r=8, p=1
// (128 MiB, a few hundred milliseconds).
func DefaultParams() Params { return Params{N: 1 << 17, R: 8, P: 1} }

// LightParams returns the cheapest accepted parameters (N=2^10, r=8, p=1),
// for tests and development networks only: such a keystore protects its
// keys far less against passphrase guessing.
func LightParams() Params { return Params{N: MinN, R: 8, P: 1} }

// Validate reports whether p is within the accepted bounds; the error
// names the first parameter out of bounds.
func (p Params) Validate() error {
	return checkParams(int64(p.N), int64(p.R), int64(p.P), "")
}

// cost returns 128*N*r*p; only meaningful for validated params.
func (p Params) cost() int64 { return 128 * int64(p.N) * int64(p.R) * int64(p.P) }

// checkParams checks the bounds, naming fields with prefix (e.g.
// "crypto.kdfparams."). Arguments are int64 so JSON values are checked
// before any conversion.
func checkParams(n, r, p int64, prefix string) error {
	switch {
	case n <= 0 || n&(n-1) != 0:
		return fmt.Errorf("%sn %d is not a power of two", prefix, n)
	case n < MinN || n > MaxN:
		return fmt.Errorf("%sn %d is out of bounds: want 2^10 (%d) to 2^20 (%d)", prefix, n, MinN, MaxN)
	case r < 1 || r > MaxR:
		return fmt.Errorf("%sr %d is out of bounds: want 1 to %d", prefix, r, MaxR)
	case p < 1 || p > MaxP:
		return fmt.Errorf("%sp %d is out of bounds: want 1 to %d", prefix, p, MaxP)
	}
	if c := 128 * n * r * p; c > MaxKDFCost { // at most 2^36: no overflow
		return fmt.Errorf("%sn*r*p: scrypt would process %d MiB (128*n*r*p), the limit is %d MiB",
			prefix, c>>20, MaxKDFCost>>20)
	}
	return nil
}
