package record_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// tapBus delivers the simulator's publishes to subscribers (so it answers
// requests) and hands each one, stamped with the simulated time, to tap.
type tapBus struct {
	now  *time.Time
	subs []struct {
		filter string
		fn     func(mqttconn.Message)
	}
	tap func(mqttconn.Message)
}

func (b *tapBus) Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error {
	m := mqttconn.Message{Topic: topic, Payload: append([]byte(nil), payload...), QoS: qos, Retain: retain, Props: props, Received: *b.now}
	b.tap(m)
	for _, s := range b.subs {
		if platform.Matches(s.filter, topic) {
			s.fn(m)
		}
	}
	return nil
}

func (b *tapBus) Subscribe(filter string, fn func(mqttconn.Message)) error {
	b.subs = append(b.subs, struct {
		filter string
		fn     func(mqttconn.Message)
	}{filter, fn})
	return nil
}

// router turns messages into store items the way the pump does, with the
// scheme of each platform the simulator speaks.
type router struct{ schemes map[string]platform.Scheme }

func newRouter(t *testing.T) *router {
	r := &router{schemes: map[string]platform.Scheme{}}
	for name, p := range map[string]platform.Params{
		platform.DRIVR:      {Slug: sim.DefaultSlug},
		platform.Drogue:     {Apps: []string{sim.DefaultApp}},
		platform.DevAPI:     {},
		platform.SmartWorks: {Account: sim.DefaultAccount},
	} {
		s, err := platform.New(name, p)
		if err != nil {
			t.Fatal(err)
		}
		r.schemes[name] = s
	}
	return r
}

func (r *router) item(m mqttconn.Message) fleet.Item {
	var s platform.Scheme
	switch {
	case strings.HasPrefix(m.Topic, "drivr/"):
		s = r.schemes[platform.DRIVR]
	case strings.HasPrefix(m.Topic, "app/"):
		s = r.schemes[platform.Drogue]
	case strings.HasPrefix(m.Topic, "v1/device/"):
		s = r.schemes[platform.DevAPI]
	default:
		s = r.schemes[platform.SmartWorks]
	}
	route := s.Route(m.Topic, m.Props)
	v := decode.Decode(m.Payload, ingest.Hints(&m, route.Encoding), decode.Limits{})
	return fleet.Item{Msg: m, Route: platform.Refine(route, &v), Value: v}
}

// summary is what the console would show of a store, as text to compare.
func summary(s *fleet.Store) string {
	var b strings.Builder
	t := s.Totals()
	fmt.Fprintf(&b, "totals %d msgs %d systems %d comps %d series %d events %d errors %d active %d unacked\n",
		t.Messages, t.Systems, t.Components, t.Series, t.Events, t.Errors, t.ActiveEvents, t.UnackedEvents)
	systems, _ := s.SystemsWindow(fleet.SystemQuery{}, 0, 10000, nil)
	for _, sys := range systems {
		fmt.Fprintf(&b, "system %v %q %q conn=%v since=%v last=%v msgs=%d active=%d unacked=%d comps=%d status=%q\n",
			sys.Ref, sys.Code, sys.Name, sys.Conn, sys.ConnSince, sys.LastSeen, sys.Messages, sys.ActiveEvents, sys.UnackedEvents, sys.Components, sys.Status)
	}
	events, _ := s.EventsWindow(fleet.EventQuery{}, 0, 10000, nil)
	for _, e := range events {
		fmt.Fprintf(&b, "event %s %v %s state=%v acked=%v by %s at %v end=%v last=%v\n",
			e.ID, e.Ref, e.ModelCode, e.State, e.Acked, e.AckUser, e.AckTime(), e.EndTime(), e.LastSeen())
	}
	errs, _ := s.ErrorsWindow(0, 1000, nil)
	for _, e := range errs {
		fmt.Fprintf(&b, "error %s %s %s %v\n", e.Input, e.Code, e.Message, e.Lines)
	}
	return b.String()
}

// TestReplayGivesTheLiveStore records a simulated minute (with an operator
// request and its error reply) while applying it to a store, replays the
// recording into a second store with the original timing, and compares
// what the console would show.
func TestReplayGivesTheLiveStore(t *testing.T) {
	start := time.Date(2025, 5, 9, 13, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	live := fleet.New(withClock(clock), platforms.Fleet())
	r := newRouter(t)
	path := filepath.Join(t.TempDir(), "session.jsonl")
	w, err := record.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bus := &tapBus{now: &now, tap: func(m mqttconn.Message) {
		live.Apply([]fleet.Item{r.item(m)})
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}}
	s := sim.New(sim.Config{}, bus)
	if err := s.Start(now); err != nil {
		t.Fatal(err)
	}
	input := "drivr/v1/company-example/input/event/s/" + sim.SeedSystemUUID + "/json"
	for i := 0; i <= 600; i++ {
		now = start.Add(time.Duration(i) * 100 * time.Millisecond)
		if i == 50 {
			_ = bus.Publish(input, []byte(`{"eventModel":"energy-overload-model","time":"2025-05-09T13:28:42.611276+00:00"}`), 0, false, nil)
		}
		s.Step(now)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Replay with the original timing on a clock that sleeps instantly.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	replayed := fleet.New(withClock(clock), platforms.Fleet())
	out := make(chan mqttconn.Message, 1024)
	done := make(chan error, 1)
	var rnow time.Time
	p := record.Player{Speed: 1,
		Now:   func() time.Time { return rnow },
		Sleep: func(_ context.Context, d time.Duration) error { rnow = rnow.Add(d); return nil }}
	rnow = start
	go func() {
		_, err := p.Play(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) }, out)
		close(out)
		done <- err
	}()
	n := 0
	for m := range out {
		now = m.Received
		replayed.Apply([]fleet.Item{r.item(m)})
		n++
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n != int(w.Count()) || n < 1000 {
		t.Fatalf("replayed %d of %d messages", n, w.Count())
	}
	a, b := summary(live), summary(replayed)
	if a != b {
		t.Fatalf("stores differ\nlive:\n%s\nreplayed:\n%s", a, b)
	}
	for _, want := range []string{"validation_error", "ems-hq", "state=", "acked=true"} {
		if !strings.Contains(a, want) {
			t.Errorf("the recorded session lacks %q:\n%s", want, a)
		}
	}
}

func withClock(now func() time.Time) fleet.Config {
	c := fleet.DefaultConfig()
	c.Now = now
	return c
}
