package fleet

import (
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

func TestStampRoundTrip(t *testing.T) {
	for _, tt := range []time.Time{
		t0,
		time.Date(2025, 5, 12, 8, 50, 57, 847702000, time.FixedZone("x", 3600)),
		time.Unix(0, 0), // the epoch is a time, not "no time"
		time.Unix(0, 1),
		time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		got := stampOf(tt).time()
		if !got.Equal(tt) || got.Location() != time.UTC || stampOf(tt).isZero() {
			t.Errorf("%v came back as %v", tt, got)
		}
	}
	if s := stampOf(time.Time{}); !s.isZero() || !s.time().IsZero() {
		t.Errorf("zero time: stamp %d, back %v", s, s.time())
	}
	// A device's nonsense years are clamped, keeping their order.
	far := stampOf(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	past := stampOf(time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC))
	if far != stampMax || past != stampMin || !(past < stampOf(t0) && stampOf(t0) < far) {
		t.Errorf("clamping: year 9999 -> %d, year 1 -> %d", far, past)
	}
	if stampMin.isZero() || stampMin.time().IsZero() || stampMax.time().Year() != 2262 {
		t.Errorf("bounds: %v %v", stampMin.time(), stampMax.time())
	}
	if int64(stampZero) != math.MinInt64 {
		t.Error("zero stamp moved")
	}
}

// within reports whether a's bytes lie inside b's.
func within(a, b string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.StringData(a))), uintptr(unsafe.Pointer(unsafe.StringData(b)))
	return pa >= pb && pa < pb+uintptr(len(b))
}

// messageStrings are the strings of an item: its topic and every string
// the decoder made (slices of one copy of the payload).
func messageStrings(it *Item) []string {
	out := []string{it.Msg.Topic}
	var walk func(n decode.Node)
	walk = func(n decode.Node) {
		if n.Str != "" {
			out = append(out, n.Str)
		}
		for _, f := range n.Fields {
			out = append(out, f.Key)
			walk(f.Value)
		}
		for _, x := range n.Items {
			walk(x)
		}
	}
	walk(it.Value.Data)
	return out
}

// What the store keeps of an event, its system and component is its own
// copy: a retained slice would keep the whole topic or payload (and the
// transport buffer it sits in) alive for as long as the event lives.
func TestEntitiesKeepNoSliceOfTheirMessage(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := drivrFeeder(t, clk)
	items := []Item{
		f.item(seedCompEventTopic, seedCompEvent),
		f.item(seedCompEventTopic+"/state", "RESOLVED"),
		f.item(seedSysEventTopic+"/ack", seedSysAck),
	}
	s.Apply(items)
	ce := s.Event(platform.DRIVR, seedSlug, "5c39a4e0-9813-4e7e-90dd-ac621ae8c6dd")
	se := s.Event(platform.DRIVR, seedSlug, seedSysEv)
	if ce == nil || se == nil || ce.ModelCode == "" || ce.Entity == "" || ce.StateText != "RESOLVED" || se.AckUser == "" {
		t.Fatalf("events not recorded as expected: %+v %+v", ce, se)
	}
	sys := s.System(sysRef())
	comp := s.Component(ce.Ref)
	kept := map[string]string{
		"ID": ce.ID, "Fleet": ce.Ref.Fleet, "System": ce.Ref.System, "Component": ce.Ref.Component,
		"Entity": ce.Entity, "ModelCode": ce.ModelCode, "ModelUUID": ce.ModelUUID, "LevelText": ce.LevelText,
		"Type": ce.Type, "StateText": ce.StateText, "ack ID": se.ID, "AckUser": se.AckUser,
		"system": sys.Ref.System, "component code": comp.Code, "component ref": comp.Ref.Component,
	}
	for _, h := range ce.History() {
		kept["history "+h.What] = h.What
	}
	for i := range items {
		for _, m := range messageStrings(&items[i]) {
			for name, k := range kept {
				if within(k, m) {
					t.Errorf("%s %q is a slice of message %d's %q", name, k, i, m)
				}
			}
		}
	}
}

// Sparkline points are 32-bit: close to the value, and a finite value
// beyond float32's range stays finite (a sparkline cannot scale infinity).
func TestSparkPoints(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 230.1, 1e-3, 123456.789} {
		if got := float64(sparkPoint(f)); math.Abs(got-f) > math.Abs(f)*1e-6 {
			t.Errorf("%v kept as %v", f, got)
		}
	}
	for _, f := range []float64{1e300, -1e300, math.MaxFloat64} {
		if got := float64(sparkPoint(f)); math.IsInf(got, 0) || math.Abs(got) != math.MaxFloat32 {
			t.Errorf("%v kept as %v", f, got)
		}
	}
}
