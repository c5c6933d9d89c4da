// Package contracts holds Cairn's contract SDK (sdk/: AssemblyScript and
// C), three example contracts (token, escrow, registry) and their compiled
// modules, built by build.sh and committed so that nothing here needs a
// compiler. README.md gives each example's input layout.
//
// The Go package only embeds the compiled examples, for tests and demos
// elsewhere (a devnet, the CLI's end-to-end tests).
package contracts

import _ "embed"

// The compiled examples (WebAssembly modules that pass vm.Check).
var (
	//go:embed token.wasm
	Token []byte
	//go:embed escrow.wasm
	Escrow []byte
	//go:embed registry.wasm
	Registry []byte
)
