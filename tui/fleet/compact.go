package fleet

import (
	"math"
	"strings"
	"time"
)

// stamp is a time in 8 bytes instead of time.Time's 24: unix nanoseconds,
// with the zero time kept apart. Times outside 1678-2262 (only a device's
// nonsense) are clamped to those bounds. A store holds 100k events with
// seven times each, so the difference is ~11 MB.
type stamp int64

const (
	stampZero = stamp(math.MinInt64)
	stampMin  = stamp(math.MinInt64 + 1)
	stampMax  = stamp(math.MaxInt64)
)

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return stampZero
	}
	// Within a second of what UnixNano can represent.
	switch sec := t.Unix(); {
	case sec <= math.MinInt64/1_000_000_000:
		return stampMin
	case sec >= math.MaxInt64/1_000_000_000:
		return stampMax
	}
	return stamp(t.UnixNano())
}

// time returns the time in UTC, or the zero time.
func (s stamp) time() time.Time {
	if s == stampZero {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

func (s stamp) isZero() bool { return s == stampZero }

// orKeepStamp is v unless it is zero.
func orKeepStamp(v time.Time, old stamp) stamp {
	if !v.IsZero() {
		return stampOf(v)
	}
	return old
}

// maxInterned bounds a store's string table; when full it starts afresh
// (strings already handed out stay valid, they are just no longer shared).
const maxInterned = 16_384

// maxInternLen: longer texts are copied but not shared.
const maxInternLen = 256

// strTable shares the text that repeats across events (levels, states,
// model codes and messages, entity and user uuids). Every string it returns
// is its own copy, so an event never keeps the payload it was read from
// alive (decoded strings are slices of the whole payload).
type strTable struct{ m map[string]string }

func (t *strTable) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := t.m[s]; ok {
		return v
	}
	c := strings.Clone(s)
	if len(s) > maxInternLen {
		return c
	}
	if t.m == nil {
		t.m = make(map[string]string)
	} else if len(t.m) >= maxInterned {
		clear(t.m)
	}
	t.m[c] = c
	return c
}

// cloneRef copies r's strings into one allocation, so an entity does not
// keep alive the topic (and the transport buffer) its ref was cut from.
func cloneRef(r Ref) Ref {
	b := make([]byte, 0, len(r.Platform)+len(r.Fleet)+len(r.System)+len(r.Component))
	b = append(append(append(append(b, r.Platform...), r.Fleet...), r.System...), r.Component...)
	all := string(b)
	i := 0
	cut := func(n int) string { s := all[i : i+n]; i += n; return s }
	return Ref{Platform: cut(len(r.Platform)), Fleet: cut(len(r.Fleet)), System: cut(len(r.System)), Component: cut(len(r.Component))}
}
