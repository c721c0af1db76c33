package topics

import (
	"slices"
	"testing"
	"time"
)

// A p: filter searches the last payloads (any case) and keeps ancestors;
// it follows new payloads within a second.
func TestListerPayloadFilter(t *testing.T) {
	tr := New(Config{})
	pub(tr, "plant/line-1/state", `{"state": "OVERLOAD"}`, false)
	pub(tr, "plant/line-2/state", `{"state": "ok"}`, false)
	pub(tr, "office/overload-notes", `nothing here`, false)
	l := NewLister(tr)
	l.SetFilter("p:overload")
	if got := names(l.Rows(t0)); !slices.Equal(got, []string{"plant", " line-1", "  state"}) {
		t.Fatalf("p:overload: %q", got)
	}
	tr.Apply(Msg{Topic: "plant/line-2/state", Payload: []byte(`{"state": "overload"}`), At: t0})
	if got := names(l.Rows(t0.Add(time.Second))); !slices.Equal(got, []string{"plant", " line-1", "  state", " line-2", "  state"}) {
		t.Fatalf("after line-2 overloads: %q", got)
	}
}
