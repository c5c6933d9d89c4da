package wallet

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

var parseCoinsTests = []struct {
	in       string
	decimals uint8
	want     uint64
	wantCode core.Code // "" for success
}{
	{"1.5", 8, 150_000_000, ""},
	{"5", 8, 500_000_000, ""},
	{"5.00000000", 8, 500_000_000, ""},
	{"0", 8, 0, ""},
	{"0.0", 8, 0, ""},
	{"000", 8, 0, ""},
	{"0.00000001", 8, 1, ""},
	{"007.1", 8, 710_000_000, ""},
	{"12", 0, 12, ""},
	{"90071992.54740991", 8, core.MaxMoney, ""},
	{"9007199254740991", 0, core.MaxMoney, ""},
	{"0.000000000000000001", 18, 1, ""},
	{"0.009007199254740991", 18, core.MaxMoney, ""},
	{"1.5", 255, 0, core.CodeInvalidAmount},
	{"90071992.54740992", 8, 0, core.CodeInvalidAmount},
	{"100000000", 8, 0, core.CodeInvalidAmount},
	{"18446744073709551616", 0, 0, core.CodeInvalidAmount},
	{strings.Repeat("9", 100), 8, 0, core.CodeInvalidAmount},
	{"", 8, 0, core.CodeMalformed},
	{"-1", 8, 0, core.CodeMalformed},
	{"+1", 8, 0, core.CodeMalformed},
	{"1e8", 8, 0, core.CodeMalformed},
	{"1E8", 8, 0, core.CodeMalformed},
	{"NaN", 8, 0, core.CodeMalformed},
	{"Inf", 8, 0, core.CodeMalformed},
	{"0x10", 8, 0, core.CodeMalformed},
	{"1,5", 8, 0, core.CodeMalformed},
	{"1_000", 8, 0, core.CodeMalformed},
	{" 1", 8, 0, core.CodeMalformed},
	{"1 ", 8, 0, core.CodeMalformed},
	{".5", 8, 0, core.CodeMalformed},
	{"1.", 8, 0, core.CodeMalformed},
	{".", 8, 0, core.CodeMalformed},
	{"1.2.3", 8, 0, core.CodeMalformed},
	{"0.000000001", 8, 0, core.CodeMalformed},
	{"1.000000000", 8, 0, core.CodeMalformed},
	{"1.0", 0, 0, core.CodeMalformed},
	{"١", 8, 0, core.CodeMalformed}, // Arabic-Indic digit one
}

func TestParseCoins(t *testing.T) {
	for _, tc := range parseCoinsTests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCoins(tc.in, tc.decimals)
			if tc.wantCode != "" {
				if !errors.Is(err, tc.wantCode) {
					t.Fatalf("ParseCoins(%q, %d) = %d, %v; want %s", tc.in, tc.decimals, got, err, tc.wantCode)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseCoins(%q, %d) = %d, %v; want %d", tc.in, tc.decimals, got, err, tc.want)
			}
		})
	}
}

func TestParseCoinsErrorNamesInput(t *testing.T) {
	_, err := ParseCoins("1.123456789", 8)
	if err == nil || err.Error() != `amount "1.123456789": more than 8 decimal places` {
		t.Fatalf("error %v", err)
	}
	_, err = ParseCoins("100000000", 8)
	if err == nil || !strings.Contains(err.Error(), "above the maximum 90071992.54740991 coins") {
		t.Fatalf("error %v", err)
	}
}

func TestFormatCoins(t *testing.T) {
	tests := []struct {
		units    uint64
		decimals uint8
		want     string
	}{
		{500_000_000, 8, "5.00000000"},
		{150_000_000, 8, "1.50000000"},
		{1, 8, "0.00000001"},
		{0, 8, "0.00000000"},
		{0, 0, "0"},
		{42, 0, "42"},
		{42, 2, "0.42"},
		{42, 1, "4.2"},
		{core.MaxMoney, 8, "90071992.54740991"},
		{1<<64 - 1, 8, "184467440737.09551615"},
		{1, 20, "0.00000000000000000001"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatCoins(tc.units, tc.decimals); got != tc.want {
				t.Fatalf("FormatCoins(%d, %d) = %q, want %q", tc.units, tc.decimals, got, tc.want)
			}
			if tc.units <= core.MaxMoney {
				if back, err := ParseCoins(tc.want, tc.decimals); err != nil || back != tc.units {
					t.Fatalf("ParseCoins(%q) = %d, %v", tc.want, back, err)
				}
			}
		})
	}
}
