package client

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzEventReader checks that the SSE parser never panics or exceeds its
// cap, and that events it reads, written back in canonical form, read
// back the same (round trip).
func FuzzEventReader(f *testing.F) {
	for _, c := range eventCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		const max = 512
		er := newEventReader(strings.NewReader(in), max)
		var evs []Event
		for {
			ev, err := er.next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "larger than") {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if len(ev.Data) > max {
				t.Fatalf("event of %d bytes passed a %d-byte cap", len(ev.Data), max)
			}
			evs = append(evs, ev)
		}
		var out bytes.Buffer
		for _, ev := range evs {
			out.WriteString("event: " + ev.Kind + "\n")
			out.WriteString("id: " + ev.ID + "\n")
			for _, l := range strings.Split(string(ev.Data), "\n") {
				out.WriteString("data: " + l + "\n")
			}
			out.WriteString("\n")
		}
		er2 := newEventReader(&out, 1<<20)
		for i, want := range evs {
			got, err := er2.next()
			if err != nil {
				t.Fatalf("re-reading event %d: %v", i, err)
			}
			if got.Kind != want.Kind || got.ID != want.ID || !bytes.Equal(got.Data, want.Data) {
				t.Fatalf("event %d: re-read %q, want %q", i, got, want)
			}
		}
	})
}
