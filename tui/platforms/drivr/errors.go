package drivr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

// maxErrorLines bounds the flattened per-item lines kept per report.
const maxErrorLines = 64

// errorReport turns an error-topic payload into a report. DRIVR's shape
// (seed 001): {code, message, stats{total, errors, imported}, errors{
// "<index>": [{code, message}]}} where message is a string or a map of
// field to list of strings. Unknown shapes keep their text.
func errorReport(it *fleet.Item, ref fleet.Ref) fleet.ErrorReport {
	d := it.Value.Data
	r := fleet.ErrorReport{
		Source: fleet.ErrPlatform,
		Ref:    ref,
		Topic:  it.Msg.Topic,
		Input:  it.Route.Input,
	}
	if d.Kind != decode.KindObject {
		r.Message = fleet.ShortText(d)
		if r.Message == "" {
			r.Message = payload.Text(it)
		}
		return r
	}
	r.Code = payload.Str(d, "code")
	r.Message = payload.Str(d, "message")
	if st, ok := d.Get("stats"); ok && st.Kind == decode.KindObject {
		r.Stats = &fleet.ErrorStats{Total: intAt(st, "total"), Errors: intAt(st, "errors"), Imported: intAt(st, "imported")}
	}
	if errs, ok := d.Get("errors"); ok {
		r.Lines = flattenErrors(errs)
	}
	if r.Code == "" && r.Message == "" && len(r.Lines) == 0 {
		r.Message = fleet.ShortText(d)
	}
	return r
}

func intAt(n decode.Node, key string) int {
	v, ok := n.Get(key)
	if !ok {
		return 0
	}
	f, ok := v.Number()
	if !ok || f < 0 || f > 1<<31 {
		return 0
	}
	return int(f)
}

// flattenErrors renders DRIVR's per-item errors as readable lines:
//
//	#0 validation_error: eventModel: Unknown field.
//	#0 event_model_does_not_exist: An event model with the code en does not exist
func flattenErrors(errs decode.Node) []string {
	var lines []string
	add := func(s string) bool {
		if len(lines) == maxErrorLines {
			lines = append(lines, "…")
			return false
		}
		if len(lines) < maxErrorLines {
			lines = append(lines, s)
		}
		return len(lines) <= maxErrorLines
	}
	item := func(prefix string, e decode.Node) bool {
		if e.Kind != decode.KindObject {
			return add(prefix + fleet.ShortText(e))
		}
		code := payload.Str(e, "code")
		head := prefix
		if code != "" {
			head += code + ": "
		}
		msg, ok := e.Get("message")
		if !ok {
			return add(strings.TrimSuffix(head, ": ") + " " + fleet.ShortText(e))
		}
		if msg.Kind != decode.KindObject {
			return add(head + joinText(msg))
		}
		for i := range msg.Fields {
			if !add(head + msg.Fields[i].Key + ": " + joinText(msg.Fields[i].Value)) {
				return false
			}
		}
		return true
	}
	list := func(prefix string, v decode.Node) bool {
		if v.Kind == decode.KindArray {
			for _, e := range v.Items {
				if !item(prefix, e) {
					return false
				}
			}
			return true
		}
		return item(prefix, v)
	}
	switch errs.Kind {
	case decode.KindObject:
		// Keys are item indexes: show them in numeric order.
		fields := errs.Fields
		idx := make([]int, len(fields))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return numLess(fields[idx[a]].Key, fields[idx[b]].Key) })
		for _, i := range idx {
			if !list("#"+fields[i].Key+" ", fields[i].Value) {
				break
			}
		}
	case decode.KindArray:
		for i, e := range errs.Items {
			if !list("#"+strconv.Itoa(i)+" ", e) {
				break
			}
		}
	case decode.KindNull:
	default:
		add(fleet.ShortText(errs))
	}
	return lines
}

// numLess orders decimal keys numerically and the rest after them.
func numLess(a, b string) bool {
	x, ea := strconv.Atoi(a)
	y, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil:
		return x < y
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a < b
}

// joinText renders a message: a string as is, a list of strings joined.
func joinText(n decode.Node) string {
	if n.Kind != decode.KindArray {
		return fleet.ShortText(n)
	}
	parts := make([]string, 0, len(n.Items))
	for _, v := range n.Items {
		parts = append(parts, fleet.ShortText(v))
	}
	return strings.Join(parts, "; ")
}
