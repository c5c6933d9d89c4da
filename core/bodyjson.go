package core

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BodyJSON returns the JSON object of body: fields in encoding order,
// addresses as bech32m under prefix ("" for the zero address), asset ids
// and hashes as hex ("" for no hash), flags as a list of names, item ids
// as text (or "0x" + hex when not printable UTF-8).
func BodyJSON(body Body, prefix string) json.RawMessage {
	w := jsonWriter{prefix: prefix}
	w.buf.WriteByte('{')
	body.fields(&w)
	w.buf.WriteByte('}')
	return w.buf.Bytes()
}

type jsonWriter struct {
	prefix string
	buf    bytes.Buffer
	n      int
}

func (w *jsonWriter) key(name string) {
	if w.n > 0 {
		w.buf.WriteByte(',')
	}
	w.n++
	w.buf.WriteString(strconv.Quote(name))
	w.buf.WriteByte(':')
}

func (w *jsonWriter) str(name, v string) {
	w.key(name)
	b, _ := json.Marshal(v)
	w.buf.Write(b)
}

// RoleText shows an address that may be "none" (a role, in JSON): the
// zero address is "", any other its bech32m text under prefix.
func RoleText(a Address, prefix string) string {
	if a.IsZero() {
		return ""
	}
	return a.Encode(prefix)
}

func (w *jsonWriter) u8(name string, v *uint8) {
	w.key(name)
	w.buf.WriteString(strconv.Itoa(int(*v)))
}
func (w *jsonWriter) u64(name string, v *uint64) {
	w.key(name)
	w.buf.WriteString(strconv.FormatUint(*v, 10))
}
func (w *jsonWriter) boolean(name string, v *bool) {
	w.key(name)
	w.buf.WriteString(strconv.FormatBool(*v))
}
func (w *jsonWriter) addr(name string, v *Address) { w.str(name, RoleText(*v, w.prefix)) }
func (w *jsonWriter) optAddr(name string, v **Address) {
	if *v != nil {
		w.str(name, RoleText(**v, w.prefix))
	}
}
func (w *jsonWriter) asset(name string, v *AssetID) { w.str(name, v.String()) }
func (w *jsonWriter) hash(name string, v *Hash)     { w.str(name, v.String()) }
func (w *jsonWriter) optHash(name string, v *Hash) {
	if v.IsZero() {
		w.str(name, "")
		return
	}
	w.str(name, v.String())
}
func (w *jsonWriter) text(name string, v *string, _ int) { w.str(name, *v) }
func (w *jsonWriter) bin(name string, v *[]byte, _ int)  { w.str(name, ItemIDText(*v)) }
func (w *jsonWriter) data(name string, v *[]byte, _ int) { w.str(name, hex.EncodeToString(*v)) }
func (w *jsonWriter) flags(name string, v *uint8) {
	w.key(name)
	names := []string{}
	for i, n := range FlagNames {
		if *v&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	b, _ := json.Marshal(names)
	w.buf.Write(b)
}

// ItemIDText shows an item id: its UTF-8 text when printable and not
// starting with "0x", else "0x" + hex. ParseItemID reads both back.
func ItemIDText(id []byte) string {
	if utf8.Valid(id) && !bytes.HasPrefix(id, []byte("0x")) && len(id) > 0 {
		printable := true
		for _, r := range string(id) {
			if !unicode.IsPrint(r) {
				printable = false
				break
			}
		}
		if printable {
			return string(id)
		}
	}
	return "0x" + hex.EncodeToString(id)
}

// ParseItemID reads an item id given as text, or as "0x" + hex.
func ParseItemID(s string) ([]byte, error) {
	var id []byte
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		var err error
		if id, err = hex.DecodeString(rest); err != nil {
			return nil, Errorf(CodeMalformed, "item id %q: 0x must be followed by hex", clip(s))
		}
	} else {
		id = []byte(s)
	}
	if err := checkItemID(id); err != nil {
		return nil, err
	}
	return id, nil
}

// ParseBodyJSON parses the JSON object of a body of kind k, strictly:
// unknown and missing fields are errors naming the field (asset_config's
// roles and the optional hashes may be left out), and the result passes
// the kind's stateless rules.
func ParseBodyJSON(k Kind, raw json.RawMessage, prefix string) (Body, error) {
	body := NewBody(k)
	if body == nil {
		return nil, Errorf(CodeBadVersion, "tx kind %s has no body", k)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, Errorf(CodeMalformed, "body: want a JSON object with the fields of %s", k)
	}
	r := jsonReader{prefix: prefix, m: m, kind: k}
	body.fields(&r)
	if r.err != nil {
		return nil, r.err
	}
	for name := range m {
		if !r.used[name] {
			return nil, Errorf(CodeMalformed, "body.%s: not a field of %s", clip(name), k)
		}
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	return body, nil
}

type jsonReader struct {
	prefix string
	kind   Kind
	m      map[string]json.RawMessage
	used   map[string]bool
	err    error
}

// get unmarshals field name into dst; it reports false when the field is
// absent (an error unless optional) or after an error.
func (r *jsonReader) get(name string, dst any, optional bool, want string) bool {
	if r.err != nil {
		return false
	}
	if r.used == nil {
		r.used = map[string]bool{}
	}
	r.used[name] = true
	raw, ok := r.m[name]
	if !ok {
		if !optional {
			r.err = Errorf(CodeMalformed, "body.%s: missing (a field of %s)", name, r.kind)
		}
		return false
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		r.err = Errorf(CodeMalformed, "body.%s: want %s", name, want)
		return false
	}
	return true
}

func (r *jsonReader) fail(name string, err error) {
	if r.err == nil && err != nil {
		code := CodeOf(err)
		if code == "" {
			code = CodeMalformed
		}
		r.err = Wrap(code, err, "body.%s", name)
	}
}

func (r *jsonReader) u8(name string, v *uint8)     { r.get(name, v, false, "an integer from 0 to 255") }
func (r *jsonReader) u64(name string, v *uint64)   { r.get(name, v, false, "a non-negative integer") }
func (r *jsonReader) boolean(name string, v *bool) { r.get(name, v, false, "true or false") }
func (r *jsonReader) parseAddr(name, s string) Address {
	if s == "" {
		return Address{}
	}
	a, err := ParseAddress(s, r.prefix)
	r.fail(name, err)
	return a
}
func (r *jsonReader) addr(name string, v *Address) {
	var s string
	// Role addresses may be left out (none); a recipient must be given.
	optional := isRole(name)
	if r.get(name, &s, optional, "a bech32m address string") {
		if s == "" && !optional {
			r.fail(name, Errorf(CodeMalformed, "an address is required"))
			return
		}
		*v = r.parseAddr(name, s)
	}
}
func (r *jsonReader) optAddr(name string, v **Address) {
	var s string
	if r.get(name, &s, true, `a bech32m address string ("" clears the role)`) {
		a := r.parseAddr(name, s)
		*v = &a
	}
}
func (r *jsonReader) asset(name string, v *AssetID) {
	var s string
	if r.get(name, &s, false, "an asset id (40 hex characters)") {
		id, err := ParseAssetID(s)
		r.fail(name, err)
		*v = id
	}
}
func (r *jsonReader) hash(name string, v *Hash) {
	var s string
	if r.get(name, &s, false, "a SHA-256 hash (64 hex characters)") {
		h, err := ParseHash(s)
		r.fail(name, err)
		*v = h
	}
}
func (r *jsonReader) optHash(name string, v *Hash) {
	var s string
	if r.get(name, &s, true, `a SHA-256 hash (64 hex characters) or ""`) && s != "" {
		h, err := ParseHash(s)
		r.fail(name, err)
		*v = h
	}
}
func (r *jsonReader) text(name string, v *string, max int) {
	if r.get(name, v, false, "a string") && len(*v) > max {
		r.fail(name, Errorf(CodeTooLarge, "%d bytes, the limit is %d", len(*v), max))
	}
}
func (r *jsonReader) bin(name string, v *[]byte, _ int) {
	var s string
	if r.get(name, &s, false, `a string (text, or "0x" + hex)`) {
		id, err := ParseItemID(s)
		r.fail(name, err)
		*v = id
	}
}
func (r *jsonReader) data(name string, v *[]byte, max int) {
	var s string
	if !r.get(name, &s, true, "hex bytes") {
		return
	}
	s = strings.TrimPrefix(s, "0x")
	if len(s) > 2*max {
		r.fail(name, Errorf(CodeTooLarge, "%d hex characters, the limit is %d bytes", len(s), max))
		return
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		r.fail(name, Errorf(CodeMalformed, "not hex: %v", err))
		return
	}
	*v = b
}
func (r *jsonReader) flags(name string, v *uint8) {
	var names []string
	if !r.get(name, &names, true, "a list of flag names ("+strings.Join(FlagNames, ", ")+")") {
		return
	}
	for _, n := range names {
		i := indexOf(FlagNames, n)
		if i < 0 {
			r.fail(name, Errorf(CodeMalformed, "unknown flag %q (want %s)", clip(n), strings.Join(FlagNames, ", ")))
			return
		}
		*v |= 1 << i
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
