package core

// AccountSize is the size of an encoded account.
const AccountSize = 16

// Account is an account's state: balance in base units and the nonce its
// next tx must carry. The zero Account is an account never seen.
type Account struct {
	Balance uint64
	Nonce   uint64
}

// IsZero reports whether the account is empty (never funded, never sent).
func (a Account) IsZero() bool { return a == Account{} }

// Encode returns balance (u64) || nonce (u64), big-endian.
func (a Account) Encode() []byte {
	b := make([]byte, 0, AccountSize)
	b = appendU64(b, a.Balance)
	return appendU64(b, a.Nonce)
}

// DecodeAccount strictly decodes an account.
func DecodeAccount(b []byte) (Account, error) {
	r := &Reader{what: "account", b: b}
	a := Account{Balance: r.U64("balance"), Nonce: r.U64("nonce")}
	return a, r.End()
}
