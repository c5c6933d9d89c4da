package core

import "unicode/utf8"

// Body is the kind-specific part of a version-2 tx. Each kind declares
// its fields once, in encoding order (fields); the binary encoding, the
// strict decoder, the JSON view and its parser all walk that one list.
type Body interface {
	Kind() Kind
	// fields presents every field, in encoding order, to v.
	fields(v fieldVisitor)
	// check applies the kind's stateless rules (lengths, character sets,
	// amount bounds); the executor in package state applies the rest.
	check() error
}

// Limits of body fields.
const (
	MaxBodySize      = 512 // bytes of a body's encoding
	MaxSymbolLen     = 12  // A-Z and 0-9
	MaxAssetNameLen  = 64  // bytes of UTF-8
	MaxAssetDecimals = 18
	MaxItemIDLen     = 64 // bytes
	MaxTagLen        = 32 // printable ASCII
	// MaxCodeSizeHard bounds a contract's code whatever the genesis says
	// (its max_code_bytes may only be lower).
	MaxCodeSizeHard = 256 << 10
	// MaxCallInput bounds a contract call's input and a deploy's init input.
	MaxCallInput = 400
	// MaxDeployBodySize is the largest contract_deploy body.
	MaxDeployBodySize = 2*4 + MaxCodeSizeHard + MaxCallInput
)

// fieldVisitor is what walks a body's fields: the encoder, the decoder and
// the JSON writer and reader.
type fieldVisitor interface {
	u8(name string, v *uint8)
	u64(name string, v *uint64)
	boolean(name string, v *bool)
	addr(name string, v *Address)     // the zero address is "none" (JSON "")
	optAddr(name string, v **Address) // nil: not given (keep); else an address (zero: clear)
	asset(name string, v *AssetID)
	hash(name string, v *Hash)    // 32 bytes, required
	optHash(name string, v *Hash) // 0 or 32 bytes; the zero hash is "none"
	text(name string, v *string, max int)
	bin(name string, v *[]byte, max int)  // JSON: UTF-8 text, or 0x + hex
	data(name string, v *[]byte, max int) // opaque bytes (code, call input); JSON: hex
	flags(name string, v *uint8)          // JSON: a list of flag names
}

// NewBody returns an empty body of kind k, or nil for a kind with no body
// (KindTransfer) or an unknown kind.
func NewBody(k Kind) Body {
	switch k {
	case KindAssetCreate:
		return &AssetCreate{}
	case KindAssetTransfer:
		return &AssetTransfer{}
	case KindAssetMint:
		return &AssetMint{}
	case KindAssetBurn:
		return &AssetBurn{}
	case KindAssetFreeze:
		return &AssetFreeze{}
	case KindAssetClawback:
		return &AssetClawback{}
	case KindAssetConfig:
		return &AssetConfig{}
	case KindItemMint:
		return &ItemMint{}
	case KindItemTransfer:
		return &ItemTransfer{}
	case KindItemAttest:
		return &ItemAttest{}
	case KindItemBurn:
		return &ItemBurn{}
	case KindContractDeploy:
		return &ContractDeploy{}
	case KindContractCall:
		return &ContractCall{}
	case KindPermGrant:
		return &PermGrant{}
	case KindPermRevoke:
		return &PermRevoke{}
	}
	return nil
}

// ---- the bodies (V2.md §2) ----

// AssetCreate creates an asset, or a collection of unique items (flag
// unique), with the creator's tx nonce fixing its id (NewAssetID).
type AssetCreate struct {
	Symbol        string
	Name          string
	Decimals      uint8
	MaxSupply     uint64
	InitialSupply uint64 // credited to the creator
	MetadataHash  Hash   // optional (zero: none)
	Flags         uint8
	Manager       Address // may change the roles; zero: nobody, ever
	Minter        Address
	Freezer       Address
	Clawback      Address
}

// AssetTransfer moves amount base units of an asset from the sender.
type AssetTransfer struct {
	Asset  AssetID
	To     Address
	Amount uint64
}

// AssetMint creates amount new units for to (the minter, if mintable).
type AssetMint struct {
	Asset  AssetID
	To     Address
	Amount uint64
}

// AssetBurn destroys amount of the sender's units.
type AssetBurn struct {
	Asset  AssetID
	Amount uint64
}

// AssetFreeze freezes or unfreezes a holder (the freezer, if freezable).
type AssetFreeze struct {
	Asset  AssetID
	Holder Address
	Frozen bool
}

// AssetClawback moves amount from a holder to the clawback address.
type AssetClawback struct {
	Asset  AssetID
	From   Address
	Amount uint64
}

// AssetConfig changes the roles given (nil: unchanged); a role set to the
// zero address is gone for ever. Only the manager may send it.
type AssetConfig struct {
	Asset                              AssetID
	Manager, Minter, Freezer, Clawback *Address
}

// ItemMint mints a unique item into a collection (its minter).
type ItemMint struct {
	Collection   AssetID
	ItemID       []byte
	MetadataHash Hash // optional
	To           Address
}

// ItemTransfer hands an item to a new owner (its owner).
type ItemTransfer struct {
	Collection AssetID
	ItemID     []byte
	To         Address
}

// ItemAttest records a tagged attestation (e.g. "shipped") with a data
// hash on an item (its owner or the collection's minter).
type ItemAttest struct {
	Collection AssetID
	ItemID     []byte
	Tag        string
	DataHash   Hash
}

// ItemBurn retires an item (its owner); its history stays.
type ItemBurn struct {
	Collection AssetID
	ItemID     []byte
}

// ContractDeploy creates a contract running Code (a WebAssembly module,
// docs/contracts.md) at ContractAddress(sender, nonce), and runs its init
// export, if any, with InitInput.
type ContractDeploy struct {
	Code      []byte
	InitInput []byte
}

// ContractCall runs a contract's call export with Input, after moving
// Amount coins from the sender to the contract; GasLimit bounds the gas
// (the fee must cover GasLimit * gas_price + min_fee).
type ContractCall struct {
	Contract Address
	Input    []byte
	Amount   uint64
	GasLimit uint64
}

func (*ContractDeploy) Kind() Kind { return KindContractDeploy }
func (*ContractCall) Kind() Kind   { return KindContractCall }

func (b *ContractDeploy) fields(v fieldVisitor) {
	v.data("code", &b.Code, MaxCodeSizeHard)
	v.data("init_input", &b.InitInput, MaxCallInput)
}

func (b *ContractCall) fields(v fieldVisitor) {
	v.addr("contract", &b.Contract)
	v.data("input", &b.Input, MaxCallInput)
	v.u64("amount", &b.Amount)
	v.u64("gas_limit", &b.GasLimit)
}

func (b *ContractDeploy) check() error {
	if len(b.Code) == 0 {
		return Errorf(CodeMalformed, "contract_deploy: code is empty")
	}
	return nil
}

func (b *ContractCall) check() error {
	if b.Amount > MaxMoney {
		return Errorf(CodeInvalidAmount, "amount %d above MaxMoney %d", b.Amount, uint64(MaxMoney))
	}
	if b.GasLimit == 0 {
		return Errorf(CodeMalformed, "contract_call: gas_limit must be at least 1")
	}
	return nil
}

func (*AssetCreate) Kind() Kind   { return KindAssetCreate }
func (*AssetTransfer) Kind() Kind { return KindAssetTransfer }
func (*AssetMint) Kind() Kind     { return KindAssetMint }
func (*AssetBurn) Kind() Kind     { return KindAssetBurn }
func (*AssetFreeze) Kind() Kind   { return KindAssetFreeze }
func (*AssetClawback) Kind() Kind { return KindAssetClawback }
func (*AssetConfig) Kind() Kind   { return KindAssetConfig }
func (*ItemMint) Kind() Kind      { return KindItemMint }
func (*ItemTransfer) Kind() Kind  { return KindItemTransfer }
func (*ItemAttest) Kind() Kind    { return KindItemAttest }
func (*ItemBurn) Kind() Kind      { return KindItemBurn }

func (b *AssetCreate) fields(v fieldVisitor) {
	v.text("symbol", &b.Symbol, MaxSymbolLen)
	v.text("name", &b.Name, MaxAssetNameLen)
	v.u8("decimals", &b.Decimals)
	v.u64("max_supply", &b.MaxSupply)
	v.u64("initial_supply", &b.InitialSupply)
	v.optHash("metadata_hash", &b.MetadataHash)
	v.flags("flags", &b.Flags)
	v.addr("manager", &b.Manager)
	v.addr("minter", &b.Minter)
	v.addr("freezer", &b.Freezer)
	v.addr("clawback", &b.Clawback)
}

func (b *AssetTransfer) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.addr("to", &b.To)
	v.u64("amount", &b.Amount)
}

func (b *AssetMint) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.addr("to", &b.To)
	v.u64("amount", &b.Amount)
}

func (b *AssetBurn) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.u64("amount", &b.Amount)
}

func (b *AssetFreeze) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.addr("holder", &b.Holder)
	v.boolean("frozen", &b.Frozen)
}

func (b *AssetClawback) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.addr("from", &b.From)
	v.u64("amount", &b.Amount)
}

func (b *AssetConfig) fields(v fieldVisitor) {
	v.asset("asset", &b.Asset)
	v.optAddr("manager", &b.Manager)
	v.optAddr("minter", &b.Minter)
	v.optAddr("freezer", &b.Freezer)
	v.optAddr("clawback", &b.Clawback)
}

func (b *ItemMint) fields(v fieldVisitor) {
	v.asset("collection", &b.Collection)
	v.bin("item_id", &b.ItemID, MaxItemIDLen)
	v.optHash("metadata_hash", &b.MetadataHash)
	v.addr("to", &b.To)
}

func (b *ItemTransfer) fields(v fieldVisitor) {
	v.asset("collection", &b.Collection)
	v.bin("item_id", &b.ItemID, MaxItemIDLen)
	v.addr("to", &b.To)
}

func (b *ItemAttest) fields(v fieldVisitor) {
	v.asset("collection", &b.Collection)
	v.bin("item_id", &b.ItemID, MaxItemIDLen)
	v.text("tag", &b.Tag, MaxTagLen)
	v.hash("data_hash", &b.DataHash)
}

func (b *ItemBurn) fields(v fieldVisitor) {
	v.asset("collection", &b.Collection)
	v.bin("item_id", &b.ItemID, MaxItemIDLen)
}

// ---- stateless rules ----

// checkBody applies the stateless rules of every kind: addresses other
// than the roles (recipients, holders) must not be the zero address, and
// the kind's own rules.
func checkBody(body Body) error {
	z := zeroAddrs{}
	body.fields(&z)
	if z.field != "" {
		return Errorf(CodeMalformed, "%s %s: the zero address is nobody's", body.Kind(), z.field)
	}
	return body.check()
}

// isRole reports whether an address field names an asset role, where the
// zero address means "none".
func isRole(name string) bool {
	return name == "manager" || name == "minter" || name == "freezer" || name == "clawback"
}

// zeroAddrs finds the first non-role address field that is zero.
type zeroAddrs struct {
	sizer // the other fields are ignored
	field string
}

func (z *zeroAddrs) addr(name string, v *Address) {
	if z.field == "" && !isRole(name) && v.IsZero() {
		z.field = name
	}
}

func checkAmount(field string, v uint64) error {
	if v == 0 || v > MaxMoney {
		return Errorf(CodeInvalidAmount, "%s %d: want 1 to %d", field, v, uint64(MaxMoney))
	}
	return nil
}

func checkItemID(id []byte) error {
	if len(id) == 0 || len(id) > MaxItemIDLen {
		return Errorf(CodeMalformed, "item_id of %d bytes: want 1 to %d", len(id), MaxItemIDLen)
	}
	return nil
}

func (b *AssetCreate) check() error {
	if l := len(b.Symbol); l == 0 || l > MaxSymbolLen {
		return Errorf(CodeMalformed, "symbol %q: want 1 to %d characters A-Z and 0-9", clip(b.Symbol), MaxSymbolLen)
	}
	for _, c := range []byte(b.Symbol) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return Errorf(CodeMalformed, "symbol %q: only A-Z and 0-9 are allowed", clip(b.Symbol))
		}
	}
	if !utf8.ValidString(b.Name) {
		return Errorf(CodeMalformed, "name: not UTF-8")
	}
	if b.Decimals > MaxAssetDecimals {
		return Errorf(CodeMalformed, "decimals %d: at most %d", b.Decimals, MaxAssetDecimals)
	}
	if b.Flags&^flagsAll != 0 {
		return Errorf(CodeMalformed, "flags 0x%02x: unknown flag bits", b.Flags)
	}
	if err := checkAmount("max_supply", b.MaxSupply); err != nil {
		return err
	}
	if b.InitialSupply > b.MaxSupply {
		return Errorf(CodeSupplyExceeded, "initial_supply %d above max_supply %d", b.InitialSupply, b.MaxSupply)
	}
	if b.Flags&FlagUnique != 0 {
		if b.Decimals != 0 || b.InitialSupply != 0 {
			return Errorf(CodeMalformed, "a unique collection has decimals 0 and initial_supply 0 (items are minted one by one), got %d and %d", b.Decimals, b.InitialSupply)
		}
		if b.Minter.IsZero() {
			return Errorf(CodeMalformed, "a unique collection needs a minter to mint its items")
		}
	}
	return nil
}

func (b *AssetTransfer) check() error { return checkAmount("amount", b.Amount) }
func (b *AssetMint) check() error     { return checkAmount("amount", b.Amount) }
func (b *AssetBurn) check() error     { return checkAmount("amount", b.Amount) }
func (b *AssetFreeze) check() error   { return nil }
func (b *AssetClawback) check() error { return checkAmount("amount", b.Amount) }

func (b *AssetConfig) check() error {
	if b.Manager == nil && b.Minter == nil && b.Freezer == nil && b.Clawback == nil {
		return Errorf(CodeMalformed, "asset_config changes no role: give manager, minter, freezer or clawback")
	}
	return nil
}

func (b *ItemMint) check() error     { return checkItemID(b.ItemID) }
func (b *ItemTransfer) check() error { return checkItemID(b.ItemID) }
func (b *ItemBurn) check() error     { return checkItemID(b.ItemID) }

func (b *ItemAttest) check() error {
	if err := checkItemID(b.ItemID); err != nil {
		return err
	}
	if l := len(b.Tag); l == 0 || l > MaxTagLen {
		return Errorf(CodeMalformed, "tag %q: want 1 to %d printable ASCII characters", clip(b.Tag), MaxTagLen)
	}
	for _, c := range []byte(b.Tag) {
		if c < 0x21 || c > 0x7e {
			return Errorf(CodeMalformed, "tag %q: only printable ASCII without spaces", clip(b.Tag))
		}
	}
	return nil
}

// ---- binary encoding ----

// AppendBody appends the canonical encoding of body's fields.
func AppendBody(b []byte, body Body) []byte {
	e := encoder{b: b}
	body.fields(&e)
	return e.b
}

type encoder struct{ b []byte }

func (e *encoder) u8(_ string, v *uint8)   { e.b = append(e.b, *v) }
func (e *encoder) u64(_ string, v *uint64) { e.b = appendU64(e.b, *v) }
func (e *encoder) boolean(_ string, v *bool) {
	if *v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) addr(_ string, v *Address) { e.b = append(e.b, v[:]...) }
func (e *encoder) optAddr(_ string, v **Address) {
	if *v == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(append(e.b, 1), (*v)[:]...)
}
func (e *encoder) asset(_ string, v *AssetID) { e.b = append(e.b, v[:]...) }
func (e *encoder) hash(_ string, v *Hash)     { e.b = append(e.b, v[:]...) }
func (e *encoder) optHash(_ string, v *Hash) {
	if v.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = appendBytes(e.b, v[:])
}
func (e *encoder) text(_ string, v *string, _ int) { e.b = appendBytes(e.b, []byte(*v)) }
func (e *encoder) bin(_ string, v *[]byte, _ int)  { e.b = appendBytes(e.b, *v) }
func (e *encoder) data(_ string, v *[]byte, _ int) { e.b = appendBytes(e.b, *v) }
func (e *encoder) flags(_ string, v *uint8)        { e.b = append(e.b, *v) }

// DecodeBody strictly decodes a body of kind k: truncation, trailing
// bytes, over-limit lengths and non-canonical forms are errors, so it
// succeeds only if AppendBody gives the same bytes back.
func DecodeBody(k Kind, b []byte) (Body, error) {
	body := NewBody(k)
	if body == nil {
		return nil, Errorf(CodeBadVersion, "tx kind %s has no body", k)
	}
	if len(b) > k.MaxBodySize() {
		return nil, Errorf(CodeTooLarge, "%s body: %d bytes, the limit is %d", k, len(b), k.MaxBodySize())
	}
	d := decoder{r: &Reader{what: k.String(), b: b}}
	body.fields(&d)
	if err := d.r.End(); err != nil {
		return nil, err
	}
	return body, nil
}

type decoder struct{ r *Reader }

func (d *decoder) u8(name string, v *uint8) {
	if x := d.r.Take(name, 1); x != nil {
		*v = x[0]
	}
}
func (d *decoder) u64(name string, v *uint64) { *v = d.r.U64(name) }
func (d *decoder) boolean(name string, v *bool) {
	var x uint8
	d.u8(name, &x)
	if x > 1 {
		d.r.Fail(CodeMalformed, name, "want 0 or 1, got %d", x)
	}
	*v = x == 1
}
func (d *decoder) addr(name string, v *Address) { d.r.Fixed(name, v[:]) }
func (d *decoder) optAddr(name string, v **Address) {
	var tag uint8
	d.u8(name, &tag)
	switch tag {
	case 0:
		*v = nil
	case 1:
		a := new(Address)
		d.r.Fixed(name, a[:])
		*v = a
	default:
		d.r.Fail(CodeMalformed, name, "presence byte %d, want 0 or 1", tag)
	}
}
func (d *decoder) asset(name string, v *AssetID) { d.r.Fixed(name, v[:]) }
func (d *decoder) hash(name string, v *Hash)     { d.r.Fixed(name, v[:]) }
func (d *decoder) optHash(name string, v *Hash) {
	raw := d.r.BytesView(name, HashSize)
	switch {
	case d.r.Err() != nil || len(raw) == 0:
	case len(raw) != HashSize:
		d.r.Fail(CodeMalformed, name, "%d bytes, want 0 or %d", len(raw), HashSize)
	default:
		copy(v[:], raw)
		if v.IsZero() {
			d.r.Fail(CodeMalformed, name, "the zero hash is written as no hash")
		}
	}
}
func (d *decoder) text(name string, v *string, max int) { *v = string(d.r.Bytes(name, uint64(max))) }
func (d *decoder) bin(name string, v *[]byte, max int)  { *v = d.r.Bytes(name, uint64(max)) }
func (d *decoder) data(name string, v *[]byte, max int) { *v = d.r.Bytes(name, uint64(max)) }
func (d *decoder) flags(name string, v *uint8)          { d.u8(name, v) }

// bodySize returns the length of body's encoding.
func bodySize(body Body) int {
	var s sizer
	body.fields(&s)
	return s.n
}

type sizer struct{ n int }

func (s *sizer) u8(string, *uint8)               { s.n++ }
func (s *sizer) u64(string, *uint64)             { s.n += 8 }
func (s *sizer) boolean(string, *bool)           { s.n++ }
func (s *sizer) addr(string, *Address)           { s.n += AddressSize }
func (s *sizer) asset(string, *AssetID)          { s.n += AssetIDSize }
func (s *sizer) hash(string, *Hash)              { s.n += HashSize }
func (s *sizer) flags(string, *uint8)            { s.n++ }
func (s *sizer) text(_ string, v *string, _ int) { s.n += uvarintLen(uint64(len(*v))) + len(*v) }
func (s *sizer) bin(_ string, v *[]byte, _ int)  { s.n += uvarintLen(uint64(len(*v))) + len(*v) }
func (s *sizer) data(_ string, v *[]byte, _ int) { s.n += uvarintLen(uint64(len(*v))) + len(*v) }
func (s *sizer) optAddr(_ string, v **Address) {
	s.n++
	if *v != nil {
		s.n += AddressSize
	}
}
func (s *sizer) optHash(_ string, v *Hash) {
	s.n++
	if !v.IsZero() {
		s.n += HashSize
	}
}

// Parties returns the addresses other than roles that body names
// (recipients, holders), for address histories.
func Parties(body Body) []Address {
	var p parties
	body.fields(&p)
	return p.list
}

type parties struct {
	sizer // the other fields are ignored
	list  []Address
}

func (p *parties) addr(name string, v *Address) {
	if !isRole(name) && !v.IsZero() {
		p.list = append(p.list, *v)
	}
}
