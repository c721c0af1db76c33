package console

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/views"
)

// genericItems is a small broker: a retained hierarchy and live telemetry.
func genericItems() []fleet.Item {
	at := fixture.Now.Add(-20 * time.Second)
	var items []fleet.Item
	add := func(topic, payload string, retained bool) {
		at = at.Add(time.Second)
		items = append(items, fleet.Item{Msg: mqttconn.Message{Topic: topic, Payload: []byte(payload), Retain: retained, Received: at},
			Value: decode.Decode([]byte(payload), decode.Hints{}, decode.DefaultLimits())})
	}
	for _, tp := range []string{"home/hall/door", "home/kitchen/hum", "home/kitchen/temp", "office/temp"} {
		add(tp, `{"v": 1}`, true)
	}
	for i := 0; i < 5; i++ {
		add("home/kitchen/power", fmt.Sprintf(`{"watts": %d}`, 100+i*10), false)
	}
	return items
}

func newGenericModel(t *testing.T, w, h int, pub Publisher, audit *actions.Audit, readOnly bool) *Model {
	t.Helper()
	cfg := Config{Theme: themes.Dark, Now: fixture.Clock, Conn: views.ConnInfo{
		Broker: "mqtt://127.0.0.1:1883", Platform: "generic", Protocol: "auto", ReadOnly: readOnly}}
	if pub != nil {
		cfg.Actions = Actions{Publisher: pub, Audit: audit}
	}
	m := New(cfg)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	send(m, ingest.Batch{Items: genericItems()})
	return m
}

// On a generic broker the tree is focused first and takes the fleet's
// place in the grid.
func TestGenericScreenGoldens(t *testing.T) {
	connected := mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "5"}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newGenericModel(t, sz[0], sz[1], nil, nil, false)
			if m.Focused() != PaneTopics {
				t.Fatalf("generic starts on %s", m.Focused())
			}
			send(m, ingest.Batch{State: &connected})
			send(m, keys("*", "j", "j", "j", "j", "j")...) // open home, select kitchen/power
			out := m.View().Content
			checkScreen(t, out, sz[0], sz[1])
			if !strings.Contains(plain(m), "Topic home/kitchen/power") {
				t.Fatalf("the detail does not show the selected topic:\n%s", plain(m))
			}
			golden.RequireEqual(t, out)
		})
	}
}

// D lists the retained topics below the node (the dry run) and publishes
// nothing until y; y clears exactly those, audited; a second y sends
// nothing more.
func TestClearRetainedFromTheTree(t *testing.T) {
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	buf := &lockedBuf{}
	m := newGenericModel(t, 120, 40, pub, actions.NewAudit(buf, "op", fixture.Clock), false)
	send(m, keys("l", "j", "j")...) // home open: home, hall, kitchen
	if n := m.topics.pane.Selected(); n == nil || n.Path() != "home/kitchen" {
		t.Fatalf("selected %v", n)
	}
	send(m, press("D"))
	if m.Modal() == nil || !strings.Contains(plain(m), "2 retained topic(s) under home/kitchen/# will be cleared") ||
		!strings.Contains(plain(m), "home/kitchen/temp") || strings.Contains(plain(m), "home/hall/door") {
		t.Fatalf("dry run:\n%s", plain(m))
	}
	if len(pub.sent()) != 0 {
		t.Fatal("published before the confirmation")
	}
	cmd := send(m, press("y"))
	for i := 0; cmd != nil && i < 5; i++ { // y -> ClearYesMsg -> the clear -> ClearedMsg
		cmd = send(m, cmd())
	}
	var got []string
	for _, r := range pub.sent() {
		if !r.Retain || len(r.Payload) != 0 || r.QoS != 1 {
			t.Fatalf("clear request %+v", r)
		}
		got = append(got, r.Topic)
	}
	if want := []string{"home/kitchen/hum", "home/kitchen/temp"}; !slices.Equal(got, want) {
		t.Fatalf("cleared %q, want %q", got, want)
	}
	if recs := buf.records(t); len(recs) != 2 || recs[0].Kind != actions.KindClearRetained || recs[0].Outcome != "acked" {
		t.Fatalf("audit %+v", recs)
	}
	if m.Modal() != nil || !strings.Contains(plain(m), "cleared 2 retained topic(s)") {
		t.Fatalf("after the clear:\n%s", plain(m))
	}
	send(m, views.ClearYesMsg{ID: 1})
	if len(pub.sent()) != 2 {
		t.Fatal("a second yes sent again")
	}
	// esc cancels, nothing sent.
	send(m, press("D"))
	if cmd := send(m, press("esc")); cmd != nil {
		send(m, cmd())
	}
	if m.Modal() != nil || len(pub.sent()) != 2 {
		t.Fatalf("esc: modal %v, %d sent", m.Modal(), len(pub.sent()))
	}
}

// Read-only: D says why it does nothing.
func TestClearRetainedReadOnly(t *testing.T) {
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	m := newGenericModel(t, 120, 40, pub, nil, true)
	send(m, press("D"))
	if m.Modal() != nil || !strings.Contains(plain(m), "clear retained: actions are off") {
		t.Fatalf("read-only D:\n%s", plain(m))
	}
}

// y copies the topic through OSC 52 and says so.
func TestCopyTopic(t *testing.T) {
	m := newGenericModel(t, 120, 40, nil, nil, false)
	send(m, keys("l", "j", "j")...)
	cmd := send(m, press("y"))
	if cmd == nil || !strings.Contains(plain(m), "copied topic home/kitchen") {
		t.Fatalf("copy:\n%s", plain(m))
	}
	if msg := cmd(); fmt.Sprintf("%v", msg) != "home/kitchen" {
		t.Fatalf("clipboard message %#v", msg)
	}
}

// p offers the numeric fields of the last payload; enter plots one in the
// detail, which keeps recording as messages arrive.
func TestPlotAField(t *testing.T) {
	m := newGenericModel(t, 120, 40, nil, nil, false)
	send(m, keys("l", "j", "j", "l", "j", "j")...) // home/kitchen/power
	send(m, press("p"))
	if _, ok := m.Modal().(*views.PlotPicker); !ok || !strings.Contains(plain(m), "watts") {
		t.Fatalf("picker:\n%s", plain(m))
	}
	cmd := send(m, press("enter"))
	send(m, cmd())
	if m.Focused() != PaneDetail || !strings.Contains(plain(m), "plot · watts") ||
		!strings.Contains(plain(m), "min 100 · max 140 · last 140 · 5 point(s)") {
		t.Fatalf("plot:\n%s", plain(m))
	}
	at := fixture.Now
	send(m, ingest.Batch{Items: []fleet.Item{{Msg: mqttconn.Message{Topic: "home/kitchen/power", Payload: []byte(`{"watts": 90}`), Received: at}}}})
	if !strings.Contains(plain(m), "min 90 · max 140 · last 90 · 6 point(s)") {
		t.Fatalf("plot after a new value:\n%s", plain(m))
	}
	send(m, press("z"))
	golden.RequireEqual(t, m.View().Content)
}
