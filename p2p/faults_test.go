package p2p

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestFaultsFollowTheCodeTable checks the peer penalties derive from the
// classes of core's code table: every broken code is a fault (fatal for a
// block or a tx, the server's for a sync body), a rejected one costs a
// block pointsInvalidState and a tx nothing, and no not-found or
// unavailable code is anyone's fault.
func TestFaultsFollowTheCodeTable(t *testing.T) {
	for _, code := range core.Codes() {
		t.Run(string(code), func(t *testing.T) {
			err := core.Wrap(code, nil, "a %s failure", code)
			pts, tx, who := blockFaultPoints(err), txFault(err), bodyBlame(err)
			switch class := code.Info().Class; class {
			case core.ClassBroken:
				if pts != pointsFatal || !tx || who != blameServer {
					t.Errorf("broken: block points %d, tx fault %v, sync blame %d; want %d, true, server", pts, tx, who, pointsFatal)
				}
			case core.ClassRejected:
				if pts != pointsInvalidState || tx || who != blameSource {
					t.Errorf("rejected: block points %d, tx fault %v, sync blame %d; want %d, false, source", pts, tx, who, pointsInvalidState)
				}
			case core.ClassNotFound, core.ClassUnavailable:
				if pts != 0 || tx || who != blameNone {
					t.Errorf("%s: block points %d, tx fault %v, sync blame %d; want no fault", class, pts, tx, who)
				}
			}
		})
	}
	// A wrapped rule error is judged by its outer code, and an error
	// without a code is not a peer's fault at all in the tx path.
	inner := core.Errorf(core.CodeBadSignature, "signature does not verify")
	if got := blockFaultPoints(core.Wrap(core.CodeInvalidTx, inner, "tx 0")); got != pointsInvalidState {
		t.Errorf("invalid tx in a block: %d points, want %d", got, pointsInvalidState)
	}
	if txFault(nil) {
		t.Error("txFault(nil) is true")
	}
}
