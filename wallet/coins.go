package wallet

import (
	"strconv"
	"strings"

	"github.com/cairn-chain/cairn/core"
)

// ParseCoins converts an amount in coins, as people type it ("1.5", "12",
// "0.00000001"), to base units with the given number of decimal places.
// The syntax is digits, optionally followed by '.' and 1 to decimals
// digits: no sign, exponent, spaces, separators, NaN or Inf. The value must
// be at most core.MaxMoney base units. Errors are *core.RuleError
// (core.CodeMalformed for syntax, core.CodeInvalidAmount for range).
func ParseCoins(s string, decimals uint8) (uint64, error) {
	bad := func(why string) (uint64, error) {
		return 0, core.Errorf(core.CodeMalformed, "amount %q: %s", clip(s), why)
	}
	if s == "" {
		return bad("empty")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	switch {
	case whole == "":
		return bad("no digits before the decimal point (write 0.5, not .5)")
	case hasDot && frac == "":
		return bad("no digits after the decimal point")
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if c := part[i]; c < '0' || c > '9' {
				return bad("want a plain decimal number of coins like 1.5 (no sign, exponent or separators)")
			}
		}
	}
	if len(frac) > int(decimals) {
		return bad("more than " + strconv.Itoa(int(decimals)) + " decimal places")
	}
	// units = whole digits followed by frac padded to decimals digits.
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", int(decimals)-len(frac)), "0")
	maxDigits := strconv.FormatUint(core.MaxMoney, 10)
	if len(digits) > len(maxDigits) || len(digits) == len(maxDigits) && digits > maxDigits {
		return 0, core.Errorf(core.CodeInvalidAmount, "amount %q: above the maximum %s coins",
			clip(s), FormatCoins(core.MaxMoney, decimals))
	}
	if digits == "" {
		return 0, nil
	}
	return strconv.ParseUint(digits, 10, 64) // cannot fail: at most 16 decimal digits
}

// FormatCoins writes units base units as coins with exactly decimals
// decimal places (FormatCoins(500000000, 8) == "5.00000000"); ParseCoins
// reads it back.
func FormatCoins(units uint64, decimals uint8) string {
	s := strconv.FormatUint(units, 10)
	if decimals == 0 {
		return s
	}
	d := int(decimals)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:]
}
