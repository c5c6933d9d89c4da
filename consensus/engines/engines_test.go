package engines_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

func TestFactory(t *testing.T) {
	// PoW unchanged.
	e, err := engines.New(testkit.Genesis("pow", nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.(*pow.Engine); !ok {
		t.Fatalf("pow genesis: %T", e)
	}
	if _, err := engines.NewSealer(e); err != nil {
		t.Fatal(err)
	}

	ks := poatest.Keys(1, 3)
	g := poatest.Genesis(ks, 0)
	e, err = engines.New(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.(consensus.Voter); !ok {
		t.Fatalf("poa engine %T is no Voter", e)
	}
	if _, ok := e.(consensus.Authority); !ok {
		t.Fatalf("poa engine %T is no Authority", e)
	}
	if _, err := engines.NewSealer(e); !errors.Is(err, engines.ErrNoSignerKey) {
		t.Fatalf("poa sealer without a key: %v", err)
	}
	k := ks[1]
	sl, err := engines.NewSealerWith(e, engines.SealerConfig{SignerKey: k.Priv})
	if err != nil {
		t.Fatal(err)
	}
	// The chain's template: version, height, parent, timestamp; Prepare
	// fills in the signer from the sealer's key.
	c := poatest.NewChain(g)
	h := core.Header{Version: core.BlockVersionSigned, Height: 1, PrevHash: c.Genesis.Hash(), Timestamp: 1}
	if err := e.Prepare(c, &h); err != nil {
		t.Fatal(err)
	}
	if h.Signer != k.Pub || h.Miner != k.Addr {
		t.Fatalf("prepared for %s", h.Signer)
	}
	h.Timestamp = c.Genesis.Timestamp + poatest.PeriodMs
	sealed, found, err := sl.Seal(context.Background(), h, consensus.SealOptions{})
	if err != nil || !found {
		t.Fatalf("seal: %v %v", found, err)
	}
	if err := poatest.Check(e.(*poa.Engine), c, &sealed); err != nil {
		t.Fatal(err)
	}
	if err := engines.CheckSealOffline(&sealed); err != nil {
		t.Fatal(err)
	}
	sealed.Signature[0] ^= 1
	if err := engines.CheckSealOffline(&sealed); !errors.Is(err, core.CodeBadPoW) {
		t.Fatalf("offline check of a bad signature: %v", err)
	}
}
