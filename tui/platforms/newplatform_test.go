package platforms

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// acme is a platform that exists only in this test: the whole of it is
// what a new platform's package holds (a scheme, how its messages change
// the store), and one Unit value is its registration.
const acme = "acme"

type acmeScheme struct{}

func (acmeScheme) Name() string { return acme }

func (acmeScheme) Filters() []mqttconn.Subscription {
	return []mqttconn.Subscription{{Filter: "acme/#"}}
}

// Route reads acme/{device}/reading and acme/{device}/alarm/{id}.
func (acmeScheme) Route(topic string, _ *mqttconn.Props) platform.Route {
	r := platform.Route{Platform: acme, Kind: platform.KindUnknown}
	parts := strings.Split(topic, "/")
	switch {
	case len(parts) == 3 && parts[0] == acme && parts[2] == "reading":
		r.Kind, r.System = "reading", parts[1]
	case len(parts) == 4 && parts[0] == acme && parts[2] == "alarm":
		r.Kind, r.System, r.Event = "alarm", parts[1], parts[3]
	}
	return r
}

func acmeApply(w *fleet.Writer) {
	it := w.Item()
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := fleet.RefOf(r)
	sys := w.System(ref, true)
	d := it.Value.Data
	switch r.Kind {
	case "reading":
		v, _ := d.Get("celsius")
		w.Series(ref, fleet.SeriesTelemetry, "temperature", v, "°C", time.Time{})
		w.Presence(sys, fleet.ConnOnline, w.At(), "reading", false)
	case "alarm":
		e := w.Event(sys, ref, r.Event, fleet.EventSource{Name: "alarm", Acks: true})
		w.UpdateEvent(e, func(ed *fleet.EventEdit) {
			ed.Level("ERROR")
			st, _ := d.Get("state")
			ed.State(st.Text())
			ed.Note("state " + st.Text())
		})
	}
}

var acmeUnit = Unit{
	Name:   acme,
	Scheme: func(platform.Params) (platform.Scheme, error) { return acmeScheme{}, nil },
	Fleet:  acmeApply, // Actions nil: publish only
}

// A new platform is one package plus one registration: a unit added to
// the list reaches the store through the real ingest stage with no other
// change, and without its registration the same messages model nothing.
func TestANewPlatformIsOneUnit(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	units := append(All(), acmeUnit)
	// The command line builds schemes through the units (NewScheme).
	sc, err := SchemeOf(units, "ACME", platform.Params{})
	if err != nil || sc.Name() != acme {
		t.Fatalf("scheme of the registered platform: %v, %v", sc, err)
	}
	if _, err := NewScheme(acme, platform.Params{}); !errors.Is(err, platform.ErrUnknownPlatform) {
		t.Errorf("unregistered platform: %v, want ErrUnknownPlatform", err)
	}
	if sc, err := NewScheme("xyte", platform.Params{}); err != nil || sc.Name() != platform.DevAPI {
		t.Errorf("alias xyte: %v, %v", sc, err)
	}
	stage := ingest.NewStage(sc, decode.DefaultLimits())
	msgs := []mqttconn.Message{
		{Topic: "acme/boiler-7/reading", Payload: []byte(`{"celsius": 61.5}`), Received: at},
		{Topic: "acme/boiler-7/alarm/a1", Payload: []byte(`{"state": "ACTIVE"}`), Received: at},
	}
	items := make([]fleet.Item, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, stage.Item(m))
	}
	cfg := fleet.DefaultConfig()
	cfg.Now = func() time.Time { return at }

	with := fleet.New(cfg, FleetOf(units))
	with.Apply(items)
	ref := fleet.Ref{Platform: acme, System: "boiler-7"}
	sys := with.System(ref)
	if sys == nil {
		t.Fatal("the registered platform's reading made no system")
	}
	if sys.Messages != 2 || sys.Conn != fleet.ConnOnline {
		t.Errorf("system: %d messages, %v; want 2, online", sys.Messages, sys.Conn)
	}
	series, n := with.SeriesWindow(fleet.SeriesQuery{Entity: ref}, 0, 10, nil)
	if n != 1 || series[0].Name != "temperature" || series[0].Text != "61.5" || series[0].Unit != "°C" {
		t.Errorf("series: %d %+v", n, series)
	}
	e := with.Event(acme, "", "a1")
	if e == nil || e.State != fleet.StateActive || e.Level != fleet.LevelError || !e.CanAck() {
		t.Fatalf("event %+v", e)
	}
	if tot := with.Totals(); tot.ActiveEvents != 1 || tot.UnackedEvents != 1 || tot.Messages != 2 {
		t.Errorf("totals %+v", tot)
	}

	without := fleet.New(cfg, Fleet())
	without.Apply(items)
	if tot := without.Totals(); tot.Messages != 2 || tot.Systems != 0 || tot.Events != 0 || tot.Series != 0 {
		t.Errorf("unregistered platform: totals %+v, want the messages counted and nothing modelled", tot)
	}
}
