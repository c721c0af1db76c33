package views

import (
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// The detail of a received message: a log entry or an error report, with
// its MQTT header and properties and the decoded (or hex) payload.

// message renders a received message: header, properties, payload.
func (b *detailBuilder) message(it *fleet.Item, hex bool, redacted, dropped bool) {
	m := &it.Msg
	b.kv("topic", m.Topic)
	flags := fmt.Sprintf("QoS %d", m.QoS)
	if m.Retain {
		flags += " · retained"
	}
	if m.Dup {
		flags += " · duplicate"
	}
	b.kv("received", b.when(m.Received))
	b.kv("flags", flags)
	r := it.Route
	route := strings.TrimSpace(fmt.Sprintf("%s %s", r.Platform, r.Kind))
	for _, p := range [][2]string{{"system", r.System}, {"component", r.Component}, {"event", r.Event}, {"device", r.Device}, {"app", r.App}, {"thing", r.Thing}, {"command", r.Command}, {"channel", r.Channel}, {"name", r.Name}} {
		if p[1] != "" {
			route += " · " + p[0] + " " + p[1]
		}
	}
	b.kv("route", route)
	b.kv("answers", r.Input)
	v := &it.Value
	format := string(v.Format)
	if v.Truncated {
		format += " (truncated for display)"
	}
	b.kv("payload", fmt.Sprintf("%s · %d bytes", format, v.Size))
	for _, w := range v.Warnings {
		b.kv("warning", w)
	}
	if p := m.Props; p != nil {
		b.section("MQTT 5 properties")
		b.kv("content", p.ContentType)
		if p.PayloadFormat != nil {
			b.kv("format", fmt.Sprintf("%d", *p.PayloadFormat))
		}
		b.kv("response", p.ResponseTopic)
		if len(p.CorrelationData) > 0 {
			b.kv("correlation", fmt.Sprintf("%x", p.CorrelationData))
		}
		if p.MessageExpiry != nil {
			b.kv("expiry", fmt.Sprintf("%ds", *p.MessageExpiry))
		}
		for _, u := range p.User {
			v := safe(u.Value)
			if decode.SecretKey(u.Key) {
				v = "•••••• (credential, not shown)"
			}
			b.kv("user", safe(u.Key)+" = "+v)
		}
	}
	switch {
	case redacted && len(v.Warnings) > 0: // ingest.Understood: the route is unknown
		b.section("payload")
		b.dim("Not kept: its route is unknown; the topic might carry credentials.")
		return
	case redacted:
		b.section("payload")
		b.dim("Not kept: this topic carries credentials.")
		return
	case dropped:
		b.section("payload")
		b.dim("Dropped to keep the log within its memory cap.")
		return
	case hex:
		b.section("payload (hex)")
		for _, l := range decode.HexDump(m.Payload, b.w) {
			b.add(l)
		}
		return
	}
	b.section("payload")
	b.pretty(*v)
}

func (b *detailBuilder) logEntry(e *fleet.LogEntry, hex bool) {
	b.title("Message", fmt.Sprintf("#%d", e.Seq))
	b.message(&e.Item, hex, e.Redacted, e.Dropped)
}

func (b *detailBuilder) errorReport(e *fleet.ErrorReport, hex bool) {
	code := e.Code
	if code == "" {
		code = string(e.Source)
	}
	b.title("Error", code)
	b.kv("message", e.Message)
	b.kv("source", string(e.Source))
	b.kv("answers", e.Input)
	b.kv("topic", e.Topic)
	b.kv("time", b.when(e.Time))
	if e.Count > 1 {
		b.kv("repeated", fmt.Sprintf("%d times", e.Count))
	}
	if e.Stats != nil {
		b.kv("stats", fmt.Sprintf("total %d · errors %d · imported %d", e.Stats.Total, e.Stats.Errors, e.Stats.Imported))
	}
	if len(e.Lines) > 0 {
		b.section("errors per item")
		for _, l := range e.Lines {
			for _, part := range wrap(safe(l), b.w) {
				b.add(b.st.Error.Render(part))
			}
		}
	}
	if e.Item != nil {
		b.section("message")
		b.message(e.Item, hex, e.Item.Route.Secret, false)
	}
}
