package core

// Class says whose fault an error is. Every layer derives what it does
// from the class of a code, never from a list of codes of its own: the API
// its HTTP status (with the table's), the P2P layer its peer penalty, the
// CLI its wording. A code missing from the table is ClassInternal: the
// API answers 500 and the test of the table fails, so a new code cannot
// silently become a 500 or a free pass for a lying peer.
type Class uint8

// Classes of codes.
const (
	// ClassInternal: not a rule; the node failed (500). The zero value.
	ClassInternal Class = iota
	// ClassBroken: the input is broken in itself, whatever the state
	// (undecodable, bad signature, bad proof of work, a header that does
	// not fit its parent). No honest node relays it: a peer that sends it
	// is penalised in full.
	ClassBroken
	// ClassRejected: well formed, but it breaks a rule in the state it
	// meets (nonce, funds, roles, frozen holders). A client's error; a peer
	// that relays such a tx may just have another view (ignored); a block
	// holding one is invalid (penalised as an invalid-state block).
	ClassRejected
	// ClassNotFound: the object is unknown (here, or yet).
	ClassNotFound
	// ClassUnavailable: the node cannot take it now (full, syncing, a
	// block from the future): retry later; never a peer's fault.
	ClassUnavailable
)

// String names the class.
func (c Class) String() string {
	switch c {
	case ClassBroken:
		return "broken"
	case ClassRejected:
		return "rejected"
	case ClassNotFound:
		return "not_found"
	case ClassUnavailable:
		return "unavailable"
	}
	return "internal"
}

// CodeInfo is a code's row in the table.
type CodeInfo struct {
	Class  Class
	Status int    // HTTP status of the API's problem answer
	Title  string // short human name, e.g. "insufficient funds"
	Hint   string // what a user can do about it (CLI), may be empty
}

// Codes of the REST API that no rule of the protocol produces.
const (
	CodeUnauthorized     Code = "unauthorized"       // missing or wrong admin token
	CodeRateLimited      Code = "rate_limited"       // too many POSTs from this client
	CodeMethodNotAllowed Code = "method_not_allowed" // the path exists, not with this method
	CodeTimeout          Code = "timeout"            // the request body was not read in time
	CodeUnavailable      Code = "unavailable"        // the node cannot do this now
	CodeSyncing          Code = "syncing"            // the node is catching up with its peers
	CodeInternal         Code = "internal"           // the node failed; its log says why
	CodeNotVoting        Code = "not_voting"         // votes on the signer set: not a PoA chain, or no signer key
	CodeNoAllowlist      Code = "no_allowlist"       // peer allowlist changes on a node started without one
)

// codeTable is the one table of codes. Keep it in the order of the
// constants; TestCodeTable checks every code is here.
var codeTable = map[Code]CodeInfo{
	CodeMalformed:         {ClassBroken, 400, "malformed", ""},
	CodeTooLarge:          {ClassBroken, 413, "too large", ""},
	CodeBadSignature:      {ClassBroken, 422, "bad signature", "the tx was not signed by the key in from"},
	CodeWrongChain:        {ClassBroken, 422, "wrong chain", "is --node a node of the tx's chain?"},
	CodeBadVersion:        {ClassBroken, 422, "unknown version or kind", "is this node older than the client?"},
	CodeInvalidAmount:     {ClassBroken, 422, "invalid amount", ""},
	CodeNonceTooLow:       {ClassRejected, 409, "nonce too low", "a tx with this nonce is already known: wait for it or check `cairn tx show`"},
	CodeNonceGap:          {ClassRejected, 409, "nonce gap", "the account has earlier txs missing; give --nonce equal to its pending nonce"},
	CodeInsufficientFunds: {ClassRejected, 422, "insufficient funds", ""},
	CodeFeeTooLow:         {ClassRejected, 422, "fee too low", "raise --fee"},
	CodeDuplicate:         {ClassRejected, 409, "already known", ""},
	CodeMempoolFull:       {ClassUnavailable, 503, "mempool full", "raise --fee or retry later"},
	CodeNotFound:          {ClassNotFound, 404, "not found", ""},

	CodeBadPoW:          {ClassBroken, 422, "bad proof of work", ""},
	CodeBadBits:         {ClassBroken, 422, "wrong difficulty bits", ""},
	CodeBadTxRoot:       {ClassBroken, 422, "wrong tx root", ""},
	CodeBadTimestamp:    {ClassBroken, 422, "timestamp too old", ""},
	CodeTimeTooNew:      {ClassUnavailable, 422, "timestamp in the future", "the block is held until the clock reaches it"},
	CodeBadHeight:       {ClassBroken, 422, "wrong height", ""},
	CodeDuplicateTx:     {ClassBroken, 409, "duplicate tx in block", ""},
	CodeUnknownParent:   {ClassNotFound, 422, "unknown parent", ""},
	CodeInvalidTx:       {ClassRejected, 422, "invalid tx in block", ""},
	CodeInvalidAncestor: {ClassRejected, 422, "invalid ancestor", ""},
	CodeBadGenesis:      {ClassBroken, 422, "bad genesis", ""},
	CodeBadBlock:        {ClassRejected, 422, "bad block", ""},

	CodeAssetNotFound:  {ClassRejected, 422, "asset not found", "check the asset id with `cairn asset list`"},
	CodeNotMinter:      {ClassRejected, 403, "not the minter", "only the asset's minter may mint: see `cairn asset show`"},
	CodeNotManager:     {ClassRejected, 403, "not the manager", "only the asset's manager may change its roles"},
	CodeNotFreezer:     {ClassRejected, 403, "not the freezer", "only the asset's freezer may freeze holders"},
	CodeNotClawback:    {ClassRejected, 403, "not the clawback address", "only the asset's clawback address may claw back"},
	CodeNotPermitted:   {ClassRejected, 403, "not permitted", "see the chain's roles with `cairn perm list`, an asset's flags (fixed at creation) with `cairn asset show`"},
	CodeFrozen:         {ClassRejected, 403, "frozen", "the holding is frozen by the asset's freezer"},
	CodeSupplyExceeded: {ClassRejected, 422, "supply exceeded", "the asset's supply may not pass its max_supply"},
	CodeAssetExists:    {ClassRejected, 409, "asset exists", ""},
	CodeNotUnique:      {ClassRejected, 422, "not a unique collection", "items need an asset created with --unique"},
	CodeIsUnique:       {ClassRejected, 422, "a unique collection", "move its items with `cairn item` commands"},
	CodeItemExists:     {ClassRejected, 409, "item exists", "an item id is unique in its collection"},
	CodeItemNotFound:   {ClassRejected, 422, "item not found", "check --collection and --id"},
	CodeItemBurned:     {ClassRejected, 422, "item burned", "a burned item keeps its history but cannot change"},
	CodeNotOwner:       {ClassRejected, 403, "not the owner", "only the item's owner may do this"},

	CodeAlreadyMember: {ClassRejected, 409, "already a member", "the address holds the role already: see `cairn perm list`"},
	CodeNotMember:     {ClassRejected, 422, "not a member", "the address does not hold the role: see `cairn perm list`"},
	CodeLastAdmin:     {ClassRejected, 409, "last admin", "grant admin to another address first: a chain must keep an admin"},

	CodeInvalidModule:     {ClassBroken, 422, "invalid module", "the file is not a valid WebAssembly module"},
	CodeFloatNotAllowed:   {ClassBroken, 422, "floats not allowed", "contracts compute in integers: see docs/contracts.md"},
	CodeSIMDNotAllowed:    {ClassBroken, 422, "SIMD not allowed", "build without SIMD (e.g. asc --disable simd)"},
	CodeThreadsNotAllowed: {ClassBroken, 422, "threads not allowed", "build without threads and shared memory"},
	CodeFeatureNotAllowed: {ClassBroken, 422, "feature not allowed", "docs/contracts.md lists the WebAssembly features a contract may use"},
	CodeImportNotAllowed:  {ClassBroken, 422, "import not allowed", "a contract may import only the host ABI (module env): see docs/contracts.md"},
	CodeStartNotAllowed:   {ClassBroken, 422, "start function not allowed", "export init instead"},
	CodeMemoryTooLarge:    {ClassBroken, 422, "memory too large", "the module's initial memory is above the chain's max_contract_memory_pages"},
	CodeNoCallExport:      {ClassBroken, 422, "no call export", "a contract exports a function call: () -> ()"},
	CodeNoMemoryExport:    {ClassBroken, 422, "no memory export", "a contract exports its memory as \"memory\""},
	CodeBadEntryPoint:     {ClassBroken, 422, "bad entry point", "call and init take no parameters and return nothing"},
	CodeReservedName:      {ClassBroken, 422, "reserved name", "names starting with __cairn_ belong to the metering"},
	CodeTooManyLocals:     {ClassBroken, 422, "too many locals", ""},
	CodeCodeTooLarge:      {ClassBroken, 413, "code too large", "the module is above the chain's max_code_bytes"},
	CodeContractNotFound:  {ClassRejected, 422, "contract not found", "check the address with `cairn contract show`"},
	CodeBlockGasExceeded:  {ClassRejected, 422, "block gas exceeded", "lower --gas: it may not pass the chain's max_block_gas"},
	CodeOutOfGas:          {ClassRejected, 422, "out of gas", "raise --gas"},
	CodeTrap:              {ClassRejected, 422, "trap", ""},
	CodeAborted:           {ClassRejected, 422, "aborted", ""},
	CodeCallDepthExceeded: {ClassRejected, 422, "call depth exceeded", ""},

	CodeUnauthorized:     {ClassRejected, 401, "unauthorized", "admin commands need the node's token: --token, CAIRN_TOKEN, or --token-file <datadir>/api.token"},
	CodeRateLimited:      {ClassUnavailable, 429, "rate limited", "retry later"},
	CodeMethodNotAllowed: {ClassRejected, 405, "method not allowed", ""},
	CodeTimeout:          {ClassUnavailable, 408, "timeout", ""},
	CodeUnavailable:      {ClassUnavailable, 503, "unavailable", "retry later"},
	CodeSyncing:          {ClassUnavailable, 503, "syncing", "the node is catching up with its peers; retry later"},
	CodeInternal:         {ClassInternal, 500, "internal error", "the node's log says why"},
	CodeNotVoting:        {ClassRejected, 409, "not voting", "votes on signers need a proof-of-authority chain and a node started with --signer NAME"},
	CodeNoAllowlist:      {ClassRejected, 409, "no peer allowlist", "this node is not private: start it with --peer-allowlist FILE (docs/operations.md, Private networks)"},
}

// Info returns the code's row; a code not in the table is internal (500).
func (c Code) Info() CodeInfo {
	if info, ok := codeTable[c]; ok {
		return info
	}
	return CodeInfo{Class: ClassInternal, Status: 500, Title: string(c)}
}

// Known reports whether c is in the table.
func (c Code) Known() bool { _, ok := codeTable[c]; return ok }

// Codes returns every code of the table (for documentation and tests).
func Codes() []Code {
	out := make([]Code, 0, len(codeTable))
	for c := range codeTable {
		out = append(out, c)
	}
	return out
}
