package fleet

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// rateRing counts messages per second over the last len(counts) seconds.
type rateRing struct {
	counts []uint32 // allocated on first use
	last   int64    // unix second of the newest slot
}

func slot(sec int64, n int) int {
	m := sec % int64(n)
	if m < 0 {
		m += int64(n)
	}
	return int(m)
}

func (r *rateRing) add(t time.Time, points int) { r.addN(t, 1, points) }

// addN counts n messages in t's second.
func (r *rateRing) addN(t time.Time, n uint32, points int) {
	sec := t.Unix()
	if r.counts == nil {
		r.counts = make([]uint32, points)
		r.last = sec
	}
	w := int64(len(r.counts))
	switch {
	case sec > r.last:
		if sec-r.last >= w {
			clear(r.counts)
		} else {
			for k := r.last + 1; k <= sec; k++ {
				r.counts[slot(k, len(r.counts))] = 0
			}
		}
		r.last = sec
	case r.last-sec >= w:
		return // older than the window
	}
	r.counts[slot(sec, len(r.counts))] += n
}

func (r *rateRing) at(sec int64) uint32 {
	n := int64(len(r.counts))
	if n == 0 || sec > r.last || r.last-sec >= n {
		return 0
	}
	return r.counts[slot(sec, len(r.counts))]
}

// Values appends the counts of the window ending at now, oldest first.
func (r *rateRing) Values(now time.Time, dst []float64) []float64 {
	n := int64(len(r.counts))
	sec := now.Unix()
	for k := sec - n + 1; k <= sec; k++ {
		dst = append(dst, float64(r.at(k)))
	}
	return dst
}

// lastComplete is the count of the second before now's.
func (r *rateRing) lastComplete(now time.Time) float64 { return float64(r.at(now.Unix() - 1)) }

// str returns the scalar at path as text, "" when absent, null or not a
// scalar.
func str(n decode.Node, path ...string) string {
	v, ok := n.Get(path...)
	if !ok {
		return ""
	}
	switch v.Kind {
	case decode.KindArray, decode.KindObject, decode.KindNull:
		return ""
	}
	return v.Text()
}

// get returns the node at path, or a null node.
func get(n decode.Node, path ...string) decode.Node {
	v, _ := n.Get(path...)
	return v
}

func nodeNumber(n decode.Node) (float64, bool) { return n.Number() }

// boolAt reads a boolean (or "true"/"false" text) at path.
func boolAt(n decode.Node, path ...string) (value, ok bool) {
	v, found := n.Get(path...)
	if !found {
		return false, false
	}
	switch v.Kind {
	case decode.KindBool:
		return v.Bool, true
	case decode.KindString:
		switch strings.ToLower(strings.TrimSpace(v.Str)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// Layouts platforms use: DRIVR writes offsets ("+00:00"), "Z", or no zone
// at all for createdAt (taken as UTC).
var timeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// timeAt reads a time at path: RFC 3339 text (with or without zone), a
// MsgPack timestamp, or epoch seconds / milliseconds.
func timeAt(n decode.Node, path ...string) time.Time {
	v, ok := n.Get(path...)
	if !ok {
		return time.Time{}
	}
	return nodeTime(v)
}

func nodeTime(v decode.Node) time.Time {
	switch v.Kind {
	case decode.KindTime:
		return v.Time
	case decode.KindString:
		s := strings.TrimSpace(v.Str)
		if len(s) < 10 || len(s) > 64 {
			return time.Time{}
		}
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t
			}
		}
	case decode.KindInt, decode.KindUint, decode.KindFloat:
		f, _ := v.Number()
		switch {
		case f > 1e17: // nanoseconds
			return time.Unix(0, int64(f)).UTC()
		case f > 1e14: // microseconds
			return time.UnixMicro(int64(f)).UTC()
		case f > 1e11: // milliseconds
			return time.UnixMilli(int64(f)).UTC()
		case f > 0:
			return time.Unix(int64(f), 0).UTC()
		}
	}
	return time.Time{}
}

// payloadText is a plain-text payload trimmed (DRIVR's /state topics send
// ACTIVE, sometimes quoted as a JSON string).
func payloadText(it *Item) string {
	switch it.Value.Data.Kind {
	case decode.KindString:
		return strings.TrimSpace(it.Value.Data.Str)
	case decode.KindObject, decode.KindArray:
		return ""
	}
	if it.Value.Format == decode.FormatText || len(it.Msg.Payload) <= 64 {
		return strings.TrimSpace(strings.Trim(strings.TrimSpace(string(it.Msg.Payload)), `"`))
	}
	return ""
}
