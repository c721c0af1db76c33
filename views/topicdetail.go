package views

import (
	"fmt"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// diffLinesPerEntry bounds the changes shown under one history entry.
const diffLinesPerEntry = 12

// topic is the detail of a node of the topic tree: its figures, its last
// payload (pretty or hex) and its history, newest first, each entry with
// what changed since the one before it.
func (b *detailBuilder) topic(tree *topics.Tree, sub Subject, hex bool) {
	path := sub.Topic
	n := tree.Find(path)
	if n == nil {
		b.dim("This topic is no longer in the tree (evicted by the topic cap).")
		return
	}
	b.title("Topic", path)
	if sub.Field != "" {
		b.plot(tree, path, sub.Field)
	}
	b.kv("filter", n.Filter())
	b.kv("topics", fmt.Sprintf("%d below · %d retained", n.Topics(), n.RetainedCount()))
	b.kv("messages", fmt.Sprintf("%d · %s", n.Msgs(), byteSize(n.Bytes())))
	b.kv("rate", fmt.Sprintf("%.1f msg/s (last 5 s)", float64(n.RecentRate(b.now))/5))
	b.kv("last", b.when(n.Last()))
	tp := n.Topic()
	if tp == nil {
		b.dim("No message on this exact topic: the figures cover the topics below it.")
		return
	}
	switch {
	case tp.Retained && tp.RetainedOlder:
		b.kv("retained", "yes, seen at subscribe; live messages came since, so the broker's copy is that one or a newer retained publish (MQTT does not flag live ones)")
	case tp.Retained:
		b.kv("retained", "yes: the broker sent this payload as its retained message at subscribe")
	}
	e, ok := tp.LastEntry()
	if !ok {
		return
	}
	b.section(fmt.Sprintf("last payload · %s", entryWhat(e)))
	b.payload(e, hex)
	b.topicHistory(tp)
}

// entryWhat is an entry's size and marks in words.
func entryWhat(e topics.Entry) string {
	s := fmt.Sprintf("%d bytes", e.Size)
	if e.Retained {
		s += " · retained"
	}
	if e.Cut {
		s += " · cut"
	}
	return s
}

func (b *detailBuilder) payload(e topics.Entry, hex bool) {
	switch {
	case e.Redacted:
		b.dim("redacted: the topic carries credentials")
	case e.Dropped:
		b.dim("dropped: the tree's payload memory budget took it")
	case e.Size == 0:
		b.dim("(empty)")
	case hex:
		for _, l := range decode.HexDump(e.Payload, b.w) {
			b.add(l)
		}
	default:
		b.pretty(decode.Decode(e.Payload, decode.Hints{}, decode.DefaultLimits()))
	}
}

// topicHistory lists the entries newest first with the change from the
// entry before each.
func (b *detailBuilder) topicHistory(tp *topics.Topic) {
	n := tp.HistoryLen()
	if n < 2 {
		return
	}
	b.section(fmt.Sprintf("history · last %d", n))
	for i := 0; i < n; i++ {
		e := tp.History(i)
		head := b.st.Subtle.Render(e.At.UTC().Format("15:04:05.000")) + " " + entryWhat(e)
		b.add(head)
		if i+1 == n {
			b.dim("  (oldest kept)")
			break
		}
		prev := tp.History(i + 1)
		if e.Payload == nil || prev.Payload == nil {
			b.dim("  payload not kept: no diff")
			continue
		}
		b.diff(topics.Diff(prev.Payload, e.Payload))
	}
}

// diff draws the changes of one entry: ~ changed (old → new), + added,
// - removed, glyph and colour both.
func (b *detailBuilder) diff(changes []topics.Change, isJSON bool) {
	if len(changes) == 0 {
		b.dim("  = unchanged")
		return
	}
	for i, c := range changes {
		if i == diffLinesPerEntry {
			b.dim(fmt.Sprintf("  … %d more change(s)", len(changes)-i))
			return
		}
		var line string
		switch {
		case isJSON && c.Kind == topics.Changed:
			line = b.st.Warn.Render("  ~ ") + safe(c.Path) + " " + safe(c.Old) + " → " + safe(c.New)
		case isJSON && c.Kind == topics.Added:
			line = b.st.OK.Render("  + ") + safe(c.Path) + " " + safe(c.New)
		case isJSON:
			line = b.st.Error.Render("  - ") + safe(c.Path) + " " + safe(c.Old)
		case c.Kind == topics.Added:
			line = b.st.OK.Render("  + ") + safe(c.New)
		default:
			line = b.st.Error.Render("  - ") + safe(c.Old)
		}
		b.add(trunc(line, b.w))
	}
}

// plotRows is the chart's height in the detail.
const plotRows = 10

// plot draws the tracked field's chart at the top of the detail.
func (b *detailBuilder) plot(tree *topics.Tree, topic, field string) {
	b.section("plot · " + safe(field))
	tk := tree.Tracked(topic, field)
	if tk == nil || tk.Len() == 0 {
		b.dim("no numeric value at " + field + " yet: it is recorded as messages arrive")
		return
	}
	for _, l := range Chart(b.st, tk.Points(nil), b.w, plotRows) {
		b.add(l)
	}
}
