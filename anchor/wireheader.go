package anchor

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// HeaderFromWire rebuilds a header from its JSON form (GET
// /api/v1/blocks) and checks that it hashes to the hash the node gave, so
// the node's answer is self-consistent. A version-2 (proof-of-authority)
// header is one with a signer.
func HeaderFromWire(b *wire.BlockHeader) (*core.Header, error) {
	h := &core.Header{Version: core.BlockVersion, Height: b.Height, Timestamp: b.Timestamp, Nonce: b.Nonce}
	var err error
	if h.PrevHash, err = core.ParseHash(b.PrevHash); err != nil {
		return nil, fmt.Errorf("the node's block %s: prev_hash: %v", b.Hash, err)
	}
	if h.TxRoot, err = core.ParseHash(b.TxRoot); err != nil {
		return nil, fmt.Errorf("the node's block %s: tx_root: %v", b.Hash, err)
	}
	// The miner's address prefix is the bech32 part before the last '1'.
	i := strings.LastIndexByte(b.Miner, '1')
	if i <= 0 {
		return nil, fmt.Errorf("the node's block %s: miner %q is not an address", b.Hash, b.Miner)
	}
	if h.Miner, err = core.ParseAddress(b.Miner, b.Miner[:i]); err != nil {
		return nil, fmt.Errorf("the node's block %s: miner: %v", b.Hash, err)
	}
	var bits core.HexU32
	if err := bits.UnmarshalText([]byte(b.Bits)); err != nil {
		return nil, fmt.Errorf("the node's block %s: bits: %v", b.Hash, err)
	}
	h.Bits = uint32(bits)
	if b.Signer != "" {
		h.Version = core.BlockVersionSigned
		if h.Signer, err = core.ParsePublicKey(b.Signer); err != nil {
			return nil, fmt.Errorf("the node's block %s: signer: %v", b.Hash, err)
		}
		sig, err := hex.DecodeString(b.Signature)
		if err != nil || len(sig) != core.SignatureSize {
			return nil, fmt.Errorf("the node's block %s: signature: want %d bytes of hex", b.Hash, core.SignatureSize)
		}
		copy(h.Signature[:], sig)
		if v := b.Vote; v != nil {
			switch v.Kind {
			case "add":
				h.Vote.Kind = core.VoteAdd
			case "drop":
				h.Vote.Kind = core.VoteDrop
			default:
				return nil, fmt.Errorf("the node's block %s: vote kind %q", b.Hash, v.Kind)
			}
			if h.Vote.Target, err = core.ParsePublicKey(v.Target); err != nil {
				return nil, fmt.Errorf("the node's block %s: vote target: %v", b.Hash, err)
			}
		}
	}
	if hash := h.Hash(); hash.String() != b.Hash {
		return nil, Invalid("the header the node gave for block %s hashes to %s", b.Hash, hash)
	}
	return h, nil
}
