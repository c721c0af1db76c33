package topics

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Unix(1_700_000_000, 0)

func pub(tr *Tree, topic, payload string, retained bool) {
	tr.Apply(Msg{Topic: topic, Payload: []byte(payload), Retained: retained, At: t0})
}

func names(rows []*Node) []string {
	out := make([]string, len(rows))
	for i, n := range rows {
		out[i] = strings.Repeat(" ", n.Depth()-1) + n.Name()
	}
	return out
}

func TestRetainedMarkAndClear(t *testing.T) {
	tr := New(Config{})
	pub(tr, "home/kitchen/temp", "21", true)
	pub(tr, "home/kitchen/hum", "40", true)
	pub(tr, "home/hall/temp", "19", false)
	pub(tr, "home/hall/temp", "18", true) // a later retained copy marks it
	pub(tr, "office/temp", "22", true)
	got, total := tr.RetainedUnder(tr.Find("home"), 0)
	want := []string{"home/hall/temp", "home/kitchen/hum", "home/kitchen/temp"}
	if total != 3 || !slices.Equal(got, want) {
		t.Fatalf("retained under home: %v (%d), want %v", got, total, want)
	}
	if got, total := tr.RetainedUnder(tr.Root(), 2); total != 4 || len(got) != 2 {
		t.Fatalf("limit 2 under root: %v of %d", got, total)
	}
	// The broker forwards a clear as an empty payload.
	pub(tr, "home/kitchen/temp", "", false)
	if got, total := tr.RetainedUnder(tr.Find("home/kitchen"), 0); total != 1 || !slices.Equal(got, []string{"home/kitchen/hum"}) {
		t.Fatalf("after clear: %v (%d)", got, total)
	}
	// A live (not retained) message does not clear the mark, but says
	// the broker's copy may no longer be the last payload; a retained
	// delivery again (a reconnect) says it is.
	hum := tr.Topic("home/kitchen/hum")
	if hum.RetainedOlder {
		t.Fatal("older before any live message")
	}
	pub(tr, "home/kitchen/hum", "41", false)
	if !hum.Retained || !hum.RetainedOlder {
		t.Fatalf("after a live message: retained %v, older %v", hum.Retained, hum.RetainedOlder)
	}
	pub(tr, "home/kitchen/hum", "41", true)
	if !hum.Retained || hum.RetainedOlder {
		t.Fatalf("after a retained delivery: retained %v, older %v", hum.Retained, hum.RetainedOlder)
	}
	// A topic only ever seen live carries no mark.
	pub(tr, "home/live", "1", false)
	if tp := tr.Topic("home/live"); tp.Retained || tp.RetainedOlder {
		t.Fatal("a live-only topic is marked")
	}
}

func TestSegments(t *testing.T) {
	tr := New(Config{})
	for _, tp := range []string{"/lead", "a//b", "a/", "$SYS/broker/uptime", "a"} {
		pub(tr, tp, "x", false)
	}
	l := NewLister(tr)
	l.ExpandAll(tr.Root())
	got := names(l.Rows(t0))
	want := []string{"", " lead", "$SYS", " broker", "  uptime", "a", " ", "  b"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for _, tp := range []string{"/lead", "a//b", "a/", "a", "$SYS/broker/uptime"} {
		if n := tr.Find(tp); n == nil || n.Path() != tp || n.Topic() == nil {
			t.Fatalf("Find(%q) = %v", tp, n)
		}
	}
	if f := tr.Find("a").Filter(); f != "a/#" {
		t.Fatalf("filter %q", f)
	}
}

func TestListerFilterOrderExpand(t *testing.T) {
	tr := New(Config{})
	pub(tr, "b/quiet", "1", false)
	for i := 0; i < 5; i++ {
		tr.Apply(Msg{Topic: "c/loud", Payload: []byte("123456"), At: t0.Add(-2 * time.Second)})
	}
	pub(tr, "a/x/deep", "1", false)
	l := NewLister(tr)
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("collapsed: %q", got)
	}
	l.SetExpanded(tr.Find("a"), true)
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"a", " x", "b", "c"}) {
		t.Fatalf("a open: %q", got)
	}
	l.SetOrder(ByRate)
	if got := names(l.Rows(t0)); got[0] != "c" {
		t.Fatalf("by rate: %q", got)
	}
	l.SetOrder(ByBytes)
	if got := names(l.Rows(t0)); got[0] != "c" {
		t.Fatalf("by bytes: %q", got)
	}
	l.SetOrder(ByName)
	l.SetFilter("DEEP")
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"a", " x", "  deep"}) {
		t.Fatalf("filter deep: %q", got)
	}
	l.SetFilter("")
	// A new topic shows without any key.
	pub(tr, "a/y", "1", false)
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"a", " x", " y", "b", "c"}) {
		t.Fatalf("after a/y: %q", got)
	}
}

func TestEvictionPrunesNodes(t *testing.T) {
	tr := New(Config{MaxTopics: 2})
	pub(tr, "old/deep/topic", "1", true)
	pub(tr, "b", "1", false)
	pub(tr, "c", "1", false)
	if tr.Find("old") != nil || tr.Stats().Evicted != 1 || tr.Root().RetainedCount() != 0 {
		t.Fatalf("old not evicted: %+v", tr.Stats())
	}
	l := NewLister(tr)
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("rows %q", got)
	}
}

func TestHistoryBudget(t *testing.T) {
	tr := New(Config{HistoryLen: 3, MaxPayload: 4, HistoryBytes: 10 + EntryOverhead})
	pub(tr, "a", "123456", false) // cut to 4
	e, _ := tr.Topic("a").LastEntry()
	if string(e.Payload) != "1234" || !e.Cut || e.Size != 6 {
		t.Fatalf("cut entry %+v", e)
	}
	pub(tr, "a", "2222", false) // 4 + (4+overhead): within the budget
	if tr.Topic("a").HistoryLen() != 2 || string(tr.Topic("a").History(1).Payload) != "1234" {
		t.Fatalf("a's history: %d entries", tr.Topic("a").HistoryLen())
	}
	pub(tr, "b", "3333", false) // over: a, updated least recently, gives up its older entry
	if s := tr.Stats(); s.HeldBytes != 8 || s.PayloadsDropped != 1 || tr.Topic("a").HistoryLen() != 1 {
		t.Fatalf("stats %+v, a holds %d entries", s, tr.Topic("a").HistoryLen())
	}
	// Past what older entries free, the oldest topics' last payloads go
	// (the entry stays, marked).
	tr2 := New(Config{HistoryLen: 3, HistoryBytes: 10})
	pub(tr2, "x", "1111", false)
	pub(tr2, "y", "2222", false)
	pub(tr2, "z", "3333", false)
	if e, _ := tr2.Topic("x").LastEntry(); e.Payload != nil || !e.Dropped || e.Size != 4 {
		t.Fatalf("x's last payload kept: %+v", e)
	}
	if e, _ := tr2.Topic("z").LastEntry(); string(e.Payload) != "3333" || tr2.Stats().HeldBytes != 8 {
		t.Fatalf("z: %+v, %+v", e, tr2.Stats())
	}
	tr.Apply(Msg{Topic: "s", Payload: []byte("pw"), Secret: true, At: t0})
	if e, _ := tr.Topic("s").LastEntry(); e.Payload != nil || !e.Redacted || e.Size != 2 {
		t.Fatalf("secret entry %+v", e)
	}
}
