package wire_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// TestTxSubmitKeepsRaw checks a TxSubmit survives a JSON round trip with
// raw (core.TxJSON's MarshalJSON, promoted through the embedding, once
// dropped it).
func TestTxSubmitKeepsRaw(t *testing.T) {
	for _, in := range []wire.TxSubmit{
		{Raw: "00ff"},
		{TxJSON: core.TxJSON{Version: core.TxVersion, ChainID: "c", To: "x", Amount: 5, Fee: 1}},
		{TxJSON: core.TxJSON{Version: core.TxVersion, ChainID: "c"}, Raw: "ab"},
	} {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out wire.TxSubmit
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Errorf("round trip of %+v gave %+v (via %s)", in, out, b)
		}
		if in.TxJSON == (core.TxJSON{}) && string(b) != `{"raw":"`+in.Raw+`"}` {
			t.Errorf("raw-only submission marshals as %s", b)
		}
		if in.Raw == "" && strings.Contains(string(b), `"raw"`) {
			t.Errorf("a submission without raw marshals with it: %s", b)
		}
	}
}
