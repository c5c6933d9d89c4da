package memo

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestMemo(t *testing.T) {
	root := core.Sum([]byte("root"))
	for _, topic := range []string{"", "SHIP-2026-0042", "lot 42/é", strings.Repeat("x", MaxTopicLen)} {
		m, err := Encode(topic, root)
		if err != nil {
			t.Fatalf("%q: %v", topic, err)
		}
		if len(m) > core.MaxMemoLen {
			t.Fatalf("%q: memo of %d bytes", topic, len(m))
		}
		gotTopic, gotRoot, err := Parse(m)
		if err != nil || gotTopic != topic || gotRoot != root {
			t.Fatalf("%q: parsed %q %s %v", topic, gotTopic, gotRoot, err)
		}
	}
	for _, topic := range []string{strings.Repeat("x", MaxTopicLen+1), "a\nb", "\xff", "tab\there"} {
		if _, err := Encode(topic, root); err == nil {
			t.Errorf("Encode(%q) accepted", topic)
		}
	}
	good, _ := Encode("LOT-1", root)
	for name, m := range map[string][]byte{
		"empty":      nil,
		"short":      root[:31],
		"no magic":   append([]byte("xxxx\x05LOT-1"), root[:]...),
		"length":     append(bytes.Clone(good[:4]), append([]byte{9}, good[5:]...)...),
		"truncated":  good[:len(good)-1],
		"control":    append([]byte(TopicMagic+"\x01\x07"), root[:]...),
		"empty name": append([]byte(TopicMagic+"\x00"), root[:]...),
	} {
		if _, _, err := Parse(m); !errors.Is(err, ErrNotAnchor) {
			t.Errorf("%s: %v, want ErrNotAnchor", name, err)
		}
	}
}

// FuzzParse: no panics; whatever parses encodes back to the same memo.
func FuzzParse(f *testing.F) {
	root := core.Sum([]byte("root"))
	good, _ := Encode("SHIP-1", root)
	f.Add(good)
	f.Add(root[:])
	f.Add([]byte(TopicMagic))
	f.Fuzz(func(t *testing.T, m []byte) {
		topic, r, err := Parse(m)
		if err != nil {
			return
		}
		again, err := Encode(topic, r)
		if err != nil || !bytes.Equal(again, m) {
			t.Fatalf("memo %x parsed to %q %s, encodes to %x (%v)", m, topic, r, again, err)
		}
	})
}
