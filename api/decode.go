package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/par"
)

// decodeStrict decodes exactly one JSON value into v. Unknown fields,
// values of the wrong type (a float, negative or string amount), and data
// after the value are malformed; the problem names the field.
func decodeStrict(data []byte, v any) *apiError {
	if len(bytes.TrimSpace(data)) == 0 {
		return malformed("empty request body: want %s", jsonKind(reflect.TypeOf(v)))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed("%s", jsonError(err, reflect.TypeOf(v)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("invalid JSON: data after the first JSON value")
	}
	return nil
}

// jsonError rewrites encoding/json's errors to name the field and what
// was expected.
func jsonError(err error, target reflect.Type) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := jsonPath(typ.Field)
		if field == "" {
			field = "body"
		}
		return fmt.Sprintf("%s: want %s, got %s", field, jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "invalid JSON: unexpected end of the body"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field") {
		if target == reflect.TypeFor[*wire.TxSubmit]() {
			return msg + " (not a tx field)"
		}
		return msg
	}
	return "invalid JSON: " + msg
}

// jsonPath drops the Go names of embedded structs (TxJSON.amount) from
// encoding/json's field paths: JSON keys are lowercase.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && (p[0] < 'A' || p[0] > 'Z') {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// jsonKind describes what a Go type expects in JSON.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a JSON array"
	case reflect.Struct:
		if t == reflect.TypeFor[wire.TxSubmit]() {
			return "a tx object"
		}
		return "a JSON object"
	}
	return "a JSON value"
}

// txFrom converts a submitted tx: the JSON fields, or raw, the hex of the
// canonical encoding (strictly decoded; no other field may be set).
func (s *Server) txFrom(in *wire.TxSubmit) (*core.Tx, *apiError) {
	if in.Raw == "" {
		tx, err := in.TxJSON.Tx(s.prefix)
		if err != nil {
			return nil, s.toProblem(err)
		}
		return tx, nil
	}
	if in.TxJSON != (core.TxJSON{}) {
		return nil, malformed("raw: give either raw or the tx fields, not both")
	}
	if len(in.Raw) > 2*core.MaxDeployTxSize {
		return nil, problem(string(core.CodeTooLarge), "raw: %d hex characters, a tx is at most %d bytes", len(in.Raw), core.MaxDeployTxSize)
	}
	b, err := hex.DecodeString(in.Raw)
	if err != nil {
		return nil, malformed("raw: not hex: %v", err)
	}
	tx, err := core.DecodeTx(b)
	if err != nil {
		return nil, s.toProblem(err)
	}
	return tx, nil
}

// decodeTx decodes the body of POST /txs.
func (s *Server) decodeTx(body []byte) (*core.Tx, *apiError) {
	var in wire.TxSubmit
	if p := decodeStrict(body, &in); p != nil {
		return nil, p
	}
	return s.txFrom(&in)
}

// decodeBatch decodes the body of POST /txs/batch: a JSON array of txs.
// A body that is not an array is one problem; a bad item gets its own
// problem in probs (txs[i] is then nil) and the others go on. The items'
// fields (hex, bech32m) are converted on all cores: the handler's serial
// work is what limits admission besides the mempool's parallel signature
// checks.
func (s *Server) decodeBatch(body []byte) (txs []*core.Tx, probs []*apiError, p *apiError) {
	// The fast path decodes the whole array at once; if any item is
	// malformed, the slow path finds which.
	var all []wire.TxSubmit
	if decodeStrict(body, &all) == nil && all != nil {
		if len(all) > s.cfg.MaxBatchTxs {
			return nil, nil, s.batchTooLarge(len(all))
		}
		txs = make([]*core.Tx, len(all))
		probs = make([]*apiError, len(all))
		par.Each(len(all), minParallel, func(i int) { txs[i], probs[i] = s.txFrom(&all[i]) })
		return txs, probs, nil
	}
	var raws []json.RawMessage
	if p := decodeStrict(body, &raws); p != nil {
		return nil, nil, p
	}
	if raws == nil {
		return nil, nil, malformed("body: want a JSON array of txs, got null")
	}
	if len(raws) > s.cfg.MaxBatchTxs {
		return nil, nil, s.batchTooLarge(len(raws))
	}
	txs = make([]*core.Tx, len(raws))
	probs = make([]*apiError, len(raws))
	par.Each(len(raws), minParallel, func(i int) {
		var in wire.TxSubmit
		if probs[i] = decodeStrict(raws[i], &in); probs[i] == nil {
			txs[i], probs[i] = s.txFrom(&in)
		}
	})
	return txs, probs, nil
}

// minParallel is the number of items per worker below which the items
// are converted on the calling goroutine.
const minParallel = 16

// batchTooLarge is the problem of a batch of n txs over the limit.
func (s *Server) batchTooLarge(n int) *apiError {
	return problem(string(core.CodeTooLarge), "batch of %d txs: the limit is %d", n, s.cfg.MaxBatchTxs)
}
