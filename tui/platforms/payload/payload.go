// Package payload reads the fields of decoded payloads the way the
// platform units need them: scalars as text, booleans and times in the
// shapes platforms send. Only the units use it; the store takes what they
// read.
package payload

import (
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
)

// Str returns the scalar at path as text, "" when absent, null or not a
// scalar.
func Str(n decode.Node, path ...string) string {
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

// Get returns the node at path, or a null node.
func Get(n decode.Node, path ...string) decode.Node {
	v, _ := n.Get(path...)
	return v
}

// Bool reads a boolean (or "true"/"false" text) at path.
func Bool(n decode.Node, path ...string) (value, ok bool) {
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

// Time reads a time at path: RFC 3339 text (with or without zone), a
// MsgPack timestamp, or epoch seconds / milliseconds.
func Time(n decode.Node, path ...string) time.Time {
	v, ok := n.Get(path...)
	if !ok {
		return time.Time{}
	}
	return TimeOf(v)
}

// TimeOf reads a time from a node (see Time).
func TimeOf(v decode.Node) time.Time {
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

// Text is a plain-text payload trimmed (DRIVR's /state topics send
// ACTIVE, sometimes quoted as a JSON string).
func Text(it *ingest.Item) string {
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

// Objects calls fn for an object, or for each object of an array (the
// device API pushes arrays of licenses and incidents), at most limit of them.
func Objects(d decode.Node, limit int, fn func(decode.Node)) {
	switch d.Kind {
	case decode.KindObject:
		fn(d)
	case decode.KindArray:
		for i, o := range d.Items {
			if i == limit {
				return
			}
			if o.Kind == decode.KindObject {
				fn(o)
			}
		}
	}
}

// Or is v, or def when v is empty.
func Or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// SetStr sets *dst to the string at path, keeping *dst when the payload
// has none there (a partial update leaves what it does not name).
func SetStr(dst *string, n decode.Node, path ...string) {
	if v := Str(n, path...); v != "" {
		*dst = v
	}
}
