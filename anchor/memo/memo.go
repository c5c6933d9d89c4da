// Package memo is the memo format of an anchoring tx (cairn anchor): the
// 32-byte root of a batch, or a topic and the root. It is its own package,
// with no dependency beyond core, so that the index and the API can read
// anchors without the anchor package's consensus checks.
package memo

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/cairn-chain/cairn/core"
)

// A topic anchor's memo is TopicMagic || topic length (1 byte) || topic
// (UTF-8) || root (32 bytes); a plain anchor's memo is the 32-byte root.
const (
	// TopicMagic starts the memo of an anchor that names a topic.
	TopicMagic = "\xcaTP1"
	// MaxTopicLen bounds a topic, in bytes.
	MaxTopicLen = 64
)

// ErrNotAnchor: a memo that is neither a plain nor a topic anchor.
var ErrNotAnchor = errors.New("not an anchor memo")

// CheckTopic checks a topic: 1 to MaxTopicLen bytes of UTF-8 with no
// control characters (a shipment, lot or case id: "SHIP-2026-0042").
func CheckTopic(topic string) error {
	switch {
	case topic == "":
		return errors.New("topic: empty")
	case len(topic) > MaxTopicLen:
		return fmt.Errorf("topic: %d bytes, at most %d", len(topic), MaxTopicLen)
	case !utf8.ValidString(topic):
		return errors.New("topic: not UTF-8")
	}
	for _, r := range topic {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("topic: control character %U", r)
		}
	}
	return nil
}

// Encode returns the memo of an anchor of root under topic ("" for none).
func Encode(topic string, root core.Hash) ([]byte, error) {
	if topic == "" {
		return append([]byte(nil), root[:]...), nil
	}
	if err := CheckTopic(topic); err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(TopicMagic)+1+len(topic)+core.HashSize)
	b = append(b, TopicMagic...)
	b = append(b, byte(len(topic)))
	b = append(b, topic...)
	return append(b, root[:]...), nil
}

// Parse reads an anchor memo: its topic ("" for a plain anchor) and
// root. Anything else fails with an error wrapping ErrNotAnchor.
func Parse(memo []byte) (topic string, root core.Hash, err error) {
	if len(memo) == core.HashSize {
		return "", core.Hash(memo), nil
	}
	head := len(TopicMagic) + 1
	if len(memo) < head+1+core.HashSize || string(memo[:len(TopicMagic)]) != TopicMagic {
		return "", root, fmt.Errorf("%w: %d bytes, neither a 32-byte root nor a topic anchor", ErrNotAnchor, len(memo))
	}
	n := int(memo[len(TopicMagic)])
	if len(memo) != head+n+core.HashSize {
		return "", root, fmt.Errorf("%w: topic of %d bytes in a memo of %d", ErrNotAnchor, n, len(memo))
	}
	topic = string(memo[head : head+n])
	if err := CheckTopic(topic); err != nil {
		return "", root, fmt.Errorf("%w: %v", ErrNotAnchor, err)
	}
	return topic, core.Hash(memo[head+n:]), nil
}
