package fleet

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// maxErrorLines bounds the flattened per-item lines kept per report.
const maxErrorLines = 64

// AddError records an entry the UI produced: a refused subscription, a
// failed publish, anything else worth the errors pane. Decode warnings are
// recorded by Apply itself. Seq is assigned; Time defaults to now; Count
// to 1. A report equal to the newest one (source, topic, code, message)
// only bumps that one's Count and time, so a repeating failure does not
// push everything else out.
func (s *Store) AddError(r ErrorReport) {
	if r.Time.IsZero() {
		r.Time = s.cfg.Now()
	}
	if r.Source == "" {
		r.Source = ErrOther
	}
	s.addError(r)
	s.version++
}

func (s *Store) addError(r ErrorReport) {
	if r.Count < 1 {
		r.Count = 1
	}
	s.errCount += uint64(r.Count)
	if last := s.errors.Len(); last > 0 {
		n := s.errors.Newest(0)
		if n.Source == r.Source && n.Topic == r.Topic && n.Code == r.Code && n.Message == r.Message &&
			r.Stats == nil && n.Stats == nil && len(r.Lines) == 0 && len(n.Lines) == 0 {
			n.Count += r.Count
			n.Time = r.Time
			if r.Item != nil {
				n.Item = r.Item
			}
			return
		}
	}
	s.errSeq++
	r.Seq = s.errSeq
	if _, evicted := s.errors.Push(r); evicted {
		s.evicted.Errors++
	}
}

// ErrorCount is how many errors were reported since the start, repeats
// and evicted ones included: the console badges the Errors tab with what
// arrived since the operator last had the pane on screen.
func (s *Store) ErrorCount() uint64 { return s.errCount }

// ErrorsWindow appends up to n reports, newest first, starting offset
// reports from the newest, and returns them with the total held. Cost
// O(n).
func (s *Store) ErrorsWindow(offset, n int, dst []*ErrorReport) ([]*ErrorReport, int) {
	total := s.errors.Len()
	for i := max(offset, 0); i < total && n > 0; i, n = i+1, n-1 {
		dst = append(dst, s.errors.Newest(i))
	}
	return dst, total
}

func (s *Store) decodeWarnings(it *Item, at time.Time) {
	s.addError(ErrorReport{
		Time:    at,
		Source:  ErrDecode,
		Ref:     refOf(&it.Route),
		Topic:   it.Msg.Topic,
		Message: strings.Join(it.Value.Warnings, "; "),
		Item:    itemCopy(it),
	})
}

// itemCopy keeps a message for the detail pane of an error report.
func itemCopy(it *Item) *Item {
	c := *it
	return &c
}

// platformError turns an error-topic payload into a report. DRIVR's shape
// (seed 001): {code, message, stats{total, errors, imported}, errors{
// "<index>": [{code, message}]}} where message is a string or a map of
// field to list of strings. Unknown shapes keep their text.
func (s *Store) platformError(it *Item, ref Ref, at time.Time) {
	d := it.Value.Data
	r := ErrorReport{
		Time:   at,
		Source: ErrPlatform,
		Ref:    ref,
		Topic:  it.Msg.Topic,
		Input:  it.Route.Input,
		Item:   itemCopy(it),
	}
	if d.Kind != decode.KindObject {
		r.Message = shortText(d)
		if r.Message == "" {
			r.Message = payloadText(it)
		}
		s.addError(r)
		return
	}
	r.Code = str(d, "code")
	r.Message = str(d, "message")
	if st, ok := d.Get("stats"); ok && st.Kind == decode.KindObject {
		r.Stats = &ErrorStats{Total: intAt(st, "total"), Errors: intAt(st, "errors"), Imported: intAt(st, "imported")}
	}
	if errs, ok := d.Get("errors"); ok {
		r.Lines = flattenErrors(errs)
	}
	if r.Code == "" && r.Message == "" && len(r.Lines) == 0 {
		r.Message = shortText(d)
	}
	s.addError(r)
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
			return add(prefix + shortText(e))
		}
		code := str(e, "code")
		head := prefix
		if code != "" {
			head += code + ": "
		}
		msg, ok := e.Get("message")
		if !ok {
			return add(strings.TrimSuffix(head, ": ") + " " + shortText(e))
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
		add(shortText(errs))
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
		return shortText(n)
	}
	parts := make([]string, 0, len(n.Items))
	for _, v := range n.Items {
		parts = append(parts, shortText(v))
	}
	return strings.Join(parts, "; ")
}
