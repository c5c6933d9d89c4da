package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// refIterate is the reference: a filter over the sorted key set.
func refIterate(all []string, prefix, start []byte, reverse bool) []string {
	var out []string
	for _, k := range all {
		if !bytes.HasPrefix([]byte(k), prefix) {
			continue
		}
		if start != nil && !reverse && k < string(start) {
			continue
		}
		if start != nil && reverse && k > string(start) {
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	if reverse {
		slices.Reverse(out)
	}
	return out
}

func testIterate(t *testing.T, open opener) {
	kv := open(t)
	// Keys that are prefixes of each other, with 0x00 and 0xff edges.
	iterKeys := []string{
		"", "\x00", "a", "ab", "ab\x00", "abc", "ab\xff", "ab\xff\xff", "ac", "b", "ba",
		"\xff", "\xff\x00", "\xff\xff", "\xff\xff\xff",
	}
	b := kv.NewBatch()
	for _, k := range iterKeys {
		b.Set([]byte(k), []byte("v:"+k))
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	prefixes := []string{"<nil>", "", "a", "ab", "ab\xff", "b", "c", "\xff", "\xff\xff", "\x00"}
	starts := []string{"<nil>", "", "a", "ab", "ab\x00", "ab\x01", "abz", "ac", "b", "zzz", "\xff", "\xff\xff\xff\xff"}
	for _, p := range prefixes {
		for _, s := range starts {
			for _, reverse := range []bool{false, true} {
				var prefix, start []byte
				if p != "<nil>" {
					prefix = []byte(p)
				}
				if s != "<nil>" {
					start = []byte(s)
				}
				name := fmt.Sprintf("prefix=%q/start=%q/reverse=%v", p, s, reverse)
				t.Run(name, func(t *testing.T) {
					got := keys(t, kv, prefix, start, reverse)
					want := refIterate(iterKeys, prefix, start, reverse)
					if !slices.Equal(got, want) {
						t.Fatalf("got %q\nwant %q", got, want)
					}
				})
			}
		}
	}
	t.Run("values", func(t *testing.T) {
		err := kv.Iterate([]byte("ab"), nil, false, func(k, v []byte) (bool, error) {
			if string(v) != "v:"+string(k) {
				t.Errorf("key %q has value %q", k, v)
			}
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func testIterateStop(t *testing.T, open opener) {
	kv := open(t)
	put(t, kv, "a", "1", "b", "2", "c", "3", "d", "4")
	tests := []struct {
		name    string
		reverse bool
		stopAt  string
		wantErr bool
		want    []string
	}{
		{"forward stop", false, "b", false, []string{"a", "b"}},
		{"reverse stop", true, "c", false, []string{"d", "c"}},
		{"forward error", false, "c", true, []string{"a", "b", "c"}},
		{"reverse error", true, "d", true, []string{"d"}},
	}
	errStop := errors.New("stop here")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := kv.Iterate(nil, nil, tc.reverse, func(k, _ []byte) (bool, error) {
				got = append(got, string(k))
				if string(k) == tc.stopAt {
					if tc.wantErr {
						return true, fmt.Errorf("wrapped: %w", errStop)
					}
					return false, nil
				}
				return true, nil
			})
			if tc.wantErr != errors.Is(err, errStop) {
				t.Errorf("err = %v, want errStop: %v", err, tc.wantErr)
			}
			if !tc.wantErr && err != nil {
				t.Errorf("err = %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("visited %q, want %q", got, tc.want)
			}
		})
	}
}

// testIterateIsolation: an iteration sees the data as of its start, even
// when fn itself reads and commits.
func testIterateIsolation(t *testing.T, open opener) {
	for _, reverse := range []bool{false, true} {
		t.Run(fmt.Sprintf("reverse=%v", reverse), func(t *testing.T) {
			kv := open(t)
			put(t, kv, "p1", "a", "p2", "b", "p3", "c", "p4", "d")
			var got []string
			err := kv.Iterate([]byte("p"), nil, reverse, func(k, v []byte) (bool, error) {
				got = append(got, string(k)+"="+string(v))
				if len(got) == 1 {
					b := kv.NewBatch()
					b.Set([]byte("p0"), []byte("new"))
					b.Set([]byte("p5"), []byte("new"))
					b.Set([]byte("p2"), []byte("changed"))
					b.Set([]byte("p3"), []byte("changed"))
					b.Delete([]byte("p1"))
					b.Delete([]byte("p4"))
					if err := b.Commit(); err != nil {
						return false, err
					}
					if v, err := kv.Get([]byte("p2")); err != nil || string(v) != "changed" {
						return false, fmt.Errorf("Get inside Iterate = %q, %v", v, err)
					}
				}
				return true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"p1=a", "p2=b", "p3=c", "p4=d"}
			if reverse {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("visited %q, want the snapshot %q", got, want)
			}
			if got := keys(t, kv, []byte("p"), nil, false); !slices.Equal(got, []string{"p0", "p2", "p3", "p5"}) {
				t.Errorf("after: keys %q", got)
			}
		})
	}
}
