package core

import "time"

// MillisTime is the UTC time of a header timestamp or any other unix
// millisecond count of the protocol. Every place that shows a protocol
// time as a date goes through it: reading milliseconds as seconds once
// dated an anchor receipt in the year 58892.
func MillisTime(ms uint64) time.Time { return time.UnixMilli(int64(ms)).UTC() }

// Time is the header's timestamp as a time.
func (h *Header) Time() time.Time { return MillisTime(h.Timestamp) }
