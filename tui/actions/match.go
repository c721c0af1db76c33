package actions

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// ObserveMessage matches one routed, decoded message against the actions
// still waiting for an answer and records what it says. It returns the
// entries that changed. Cheap for messages of no interest: the route kind
// and topic are checked before any payload is read.
func (t *Tracker) ObserveMessage(msg mqttconn.Message, r platform.Route, v decode.Value) []Change {
	if len(t.entries) == 0 || r.Secret {
		return nil
	}
	now := msg.Received
	if now.IsZero() {
		now = time.Now()
	}
	var out []Change
	note := func(e *Entry, a Answer) {
		if last, ok := e.LastAnswer(); ok && sameNews(last, a) {
			return // a repeat (the state topic after the event said it) changes nothing
		}
		a.At, a.Topic = now, msg.Topic
		if a.Summary == "" {
			a.Summary = summary(v)
		}
		e.addAnswer(a)
		out = append(out, change(e))
	}
	if n, ok := t.eventNews(&r, &v); ok {
		t.observeEvent(n, &msg, now, note)
		return out
	}
	if e := t.errorOwner(msg, now); e != nil {
		code, message := platformError(v.Data)
		note(e, Answer{Kind: AnswerPlatformError, Code: code, Message: message})
		return out
	}
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := t.entries[i]
		if !e.awaiting(now) || msg.Received.Before(e.SentAt) && !msg.Received.IsZero() {
			continue
		}
		x := e.Action.Expect
		if x.Status != nil {
			if a, claimed, ok := x.Status.Status(&x, &msg, &r, &v); claimed {
				if ok {
					note(e, a)
					return out
				}
				continue
			}
		}
		switch {
		case x.ConfigVersion != "" && msg.Topic == x.ResponseTopic && text(field(v.Data, "version")) == x.ConfigVersion:
			note(e, Answer{Kind: AnswerReported, State: "version " + x.ConfigVersion})
			return out
		case x.ResponseTopic != "" && msg.Topic == x.ResponseTopic:
			if len(x.CorrelationData) > 0 && (msg.Props == nil || !bytes.Equal(msg.Props.CorrelationData, x.CorrelationData)) {
				continue
			}
			note(e, Answer{Kind: AnswerReply})
			return out
		case x.ReportTopic != "" && msg.Topic == x.ReportTopic:
			if !reports(e, r) {
				continue
			}
			// Every request waiting on this report gets it: a Drogue
			// device's next event answers each command sent before it.
			note(e, Answer{Kind: AnswerReported, State: reportedValue(e, v)})
			continue
		}
	}
	return out
}

// reports reports whether a message on an entry's report topic is its
// report: the first event of the right device (Drogue; connection events
// are not an answer), the first status of the property or event.
func reports(e *Entry, r platform.Route) bool {
	for _, a := range e.Answers {
		if a.Kind == AnswerReported {
			return false // only the next one answers
		}
	}
	if dev := e.Action.Expect.ReportDevice; dev != "" {
		return r.Kind == platform.KindDeviceEvent && r.System == dev
	}
	return true
}

// reportedValue is the value a report carries in the field the platform's
// unit named (Expect.ReportField: {"setpoint": 22} gives "22" on a
// SmartWorks twin, {"value": 22.5, ...} gives "22.5" in a DRIVR datapoint),
// the whole payload when the field is missing; "" when no field is named.
func reportedValue(e *Entry, v decode.Value) string {
	f := e.Action.Expect.ReportField
	if f == "" {
		return ""
	}
	n, ok := lookup(v.Data, f)
	if !ok {
		n = v.Data
	}
	s := text(n)
	if len(s) > 24 {
		s = s[:24] + "…"
	}
	return s
}

// sameNews reports whether answer b repeats what a said: the same kind and
// state, or a state the created event already carried.
func sameNews(a, b Answer) bool {
	if b.Kind == AnswerPlatformError || b.Kind == AnswerReply {
		return false // every report and reply counts
	}
	if a.Kind == b.Kind && a.State == b.State {
		return true
	}
	return a.Kind == AnswerEventCreated && b.Kind == AnswerEventState && a.State == b.State
}

// errorOwner picks the action an error report on an /error twin answers:
// one report answers one action, the newest on that input topic that has
// no answer yet (an action whose event was created did not fail), else the
// newest on that topic.
func (t *Tracker) errorOwner(msg mqttconn.Message, now time.Time) *Entry {
	var fallback *Entry
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := t.entries[i]
		if e.Action.Expect.ErrorTopic == "" || msg.Topic != e.Action.Expect.ErrorTopic || !e.awaiting(now) ||
			(!msg.Received.IsZero() && msg.Received.Before(e.SentAt)) {
			continue
		}
		if len(e.Answers) == 0 {
			return e
		}
		if fallback == nil {
			fallback = e
		}
	}
	return fallback
}

func (t *Tracker) byEvent(uuid string) *Entry {
	if uuid == "" {
		return nil
	}
	for i := len(t.entries) - 1; i >= 0; i-- {
		if e := t.entries[i]; e.EventUUID == uuid {
			return e
		}
	}
	return nil
}

// matchCreated finds the trigger-event action a newly created event
// answers: same entity, same model (code or uuid), and the same time. DRIVR
// echoes the time it was given, but the guide shows one answer whose time
// differs, so when no time matches the newest action for that entity and
// model sent shortly before wins. Retained events are old news, never an
// answer.
func (t *Tracker) matchCreated(msg *mqttconn.Message, n EventNews, now time.Time) *Entry {
	if msg.Retain {
		return nil
	}
	var loose *Entry
	for i := len(t.entries) - 1; i >= 0; i-- {
		e := t.entries[i]
		x := e.Action.Expect
		if e.Action.Kind != KindTriggerEvent || e.EventUUID != "" || !e.awaiting(now) {
			continue
		}
		if x.EventEntity != n.Entity || n.Entity == "" {
			continue
		}
		if x.EventModel != n.ModelCode && !strings.EqualFold(x.EventModel, n.ModelUUID) {
			continue
		}
		if !x.EventTime.IsZero() && !n.Time.IsZero() && absDur(x.EventTime.Sub(n.Time)) < time.Millisecond {
			return e
		}
		if loose == nil {
			loose = e
		}
	}
	return loose
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// platformError reads DRIVR's SOME_DATA_INVALID report: the code, the
// message, and the per-item errors ("0: validation_error: eventModel: Unknown field.").
func platformError(n decode.Node) (code, message string) {
	code = text(field(n, "code"))
	message = text(field(n, "message"))
	var items []string
	errs := field(n, "errors")
	for _, f := range errs.Fields {
		for _, it := range listOf(f.Value) {
			c := text(field(it, "code"))
			m := field(it, "message")
			items = append(items, strings.TrimSpace(fmt.Sprintf("%s: %s: %s", f.Key, c, flatten(m))))
		}
	}
	if len(items) > 0 {
		// Per-item errors first: they say what to fix.
		lead := strings.Join(items, "; ")
		if message != "" {
			lead += " (" + message + ")"
		}
		message = lead
	}
	if code == "" && message == "" {
		message = flatten(n)
	}
	return code, message
}

func listOf(n decode.Node) []decode.Node {
	if n.Kind == decode.KindArray {
		return n.Items
	}
	return []decode.Node{n}
}

// flatten renders a message that may be a string, a list or a map of lists
// ({"eventModel": ["Unknown field."]}) on one line.
func flatten(n decode.Node) string {
	switch n.Kind {
	case decode.KindObject:
		if len(n.Fields) == 0 {
			return "{}" // not "", which read as a value missing ("data: ,")
		}
		parts := make([]string, 0, len(n.Fields))
		for _, f := range n.Fields {
			parts = append(parts, f.Key+": "+flatten(f.Value))
		}
		return strings.Join(parts, ", ")
	case decode.KindArray:
		if len(n.Items) == 0 {
			return "[]"
		}
		parts := make([]string, 0, len(n.Items))
		for _, it := range n.Items {
			parts = append(parts, flatten(it))
		}
		return strings.Join(parts, " ")
	}
	return text(n)
}

// field returns the value under key of an object node (zero Node if absent).
func field(n decode.Node, key string) decode.Node {
	v, _ := lookup(n, key)
	return v
}

func lookup(n decode.Node, key string) (decode.Node, bool) {
	if n.Kind != decode.KindObject {
		return decode.Node{}, false
	}
	for _, f := range n.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return decode.Node{}, false
}

// Text renders a scalar node as a string ("" for null, objects, arrays):
// how an answer shows a value.
func Text(n decode.Node) string { return text(n) }

func text(n decode.Node) string {
	switch n.Kind {
	case decode.KindString:
		return n.Str
	case decode.KindBytes:
		return string(n.Bytes)
	case decode.KindInt:
		return fmt.Sprint(n.Int)
	case decode.KindUint:
		return fmt.Sprint(n.Uint)
	case decode.KindFloat:
		return fmt.Sprint(n.Float)
	case decode.KindBool:
		return fmt.Sprint(n.Bool)
	case decode.KindTime:
		return n.Time.Format(time.RFC3339Nano)
	}
	return ""
}

// summary is a short, bounded rendering of a payload for the Answer.
func summary(v decode.Value) string {
	s := flatten(v.Data)
	if len(s) <= 200 {
		return s
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
