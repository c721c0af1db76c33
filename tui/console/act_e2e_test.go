package console

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/views"
)

// e2eConnect starts a client for the test.
func e2eConnect(t *testing.T, opts mqttconn.Options) mqttconn.Client {
	t.Helper()
	opts.ConnectTimeout = 5 * time.Second
	c, err := mqttconn.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("connect %s: %v", opts.Broker, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// pumpUntil feeds the pump's batches to the model until cond holds; it
// fails after d. Bounded in time, and in count by the pump's pace.
func pumpUntil(t *testing.T, m *Model, batches <-chan ingest.Batch, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	for !cond() {
		select {
		case b := <-batches:
			send(m, b)
		case <-deadline:
			t.Fatalf("%s: not within %s:\n%s", what, d, plain(m))
		}
	}
}

// The console's own Update loop against a real broker and the fleet
// simulator answering as DRIVR does (seed 001): t on the EMS, enter, y
// publishes through the real client; the created event comes back with its
// state beside the action; a wrong event model gets SOME_DATA_INVALID
// beside the action and in the Errors pane. Embedded broker and Mosquitto.
func TestActionsEndToEndWithSimulator(t *testing.T) {
	for _, b := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"embedded", func(t *testing.T) string { return mqtttest.Embedded(t) }},
		{"mosquitto", func(t *testing.T) string { return mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{}).URL() }},
	} {
		t.Run(b.name, func(t *testing.T) { actionsEndToEnd(t, b.url(t)) })
	}
}

func actionsEndToEnd(t *testing.T, url string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A slow simulator: one system, little spontaneous traffic.
	cfg := sim.Config{Platforms: []string{platform.DRIVR}, Systems: 1, Rate: 0.01, Slug: fixture.Slug}
	bus := sim.NewClientBus(e2eConnect(t, mqttconn.Options{Broker: url, Subscriptions: sim.Subscriptions(cfg)}))
	s := sim.New(cfg, bus)
	go func() { _ = bus.Run(ctx) }()
	go func() { _ = s.Run(ctx) }()

	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: fixture.Slug})
	if err != nil {
		t.Fatal(err)
	}
	console := e2eConnect(t, mqttconn.Options{Broker: url, Subscriptions: scheme.Filters()})
	audit := &lockedBuf{}
	m := New(Config{Theme: themes.Dark, Conn: views.ConnInfo{Broker: url, Platform: platform.DRIVR},
		Actions: Actions{Publisher: console, Params: platform.Params{Slug: fixture.Slug},
			Audit: actions.NewAudit(audit, "e2e", nil), Timeout: 5 * time.Second}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	batches := make(chan ingest.Batch, 16)
	go newPump(Source{Messages: console.Messages(), Scheme: scheme}).Run(ctx, func(b ingest.Batch) {
		select {
		case batches <- b:
		case <-ctx.Done():
		}
	})
	pumpUntil(t, m, batches, 10*time.Second, "the EMS and its event models", func() bool {
		return strings.Contains(plain(m), "Energy Managem") && len(m.act.b.SelectionFor(m.Store(), m.fleetP.Selection().Ref).Models) > 0
	})

	// A good trigger.
	f := openTrigger(t, m)
	if got := f.Form().Value(actions.FSystem); got != sim.SeedSystemUUID {
		t.Fatalf("form prefilled with system %q", got)
	}
	for f.FocusedKey() != actions.FModel {
		send(m, press("down"))
	}
	send(m, ctrl('u'))
	send(m, typeText("energy-overload-model")...)
	if pm := confirmAndSend(t, m); pm.Result.Outcome != mqttconn.OutcomeAcked {
		t.Fatalf("publish: %+v", pm.Result)
	}
	good := m.Tracker().Entries()[0]
	pumpUntil(t, m, batches, 10*time.Second, "the created event", func() bool { return good.EventUUID != "" })
	pumpUntil(t, m, batches, 5*time.Second, "its state beside the action", func() bool {
		return strings.Contains(plain(m), "event created, ACTIVE") || strings.Contains(plain(m), "● event ACTIVE")
	})
	if ev := m.Store().Event(platform.DRIVR, fixture.Slug, good.EventUUID); ev == nil || ev.ModelCode != "energy-overload-model" {
		t.Errorf("the created event is not in the store: %+v", ev)
	}

	// A wrong event model.
	f = openTrigger(t, m)
	for f.FocusedKey() != actions.FModel {
		send(m, press("down"))
	}
	send(m, ctrl('u'))
	send(m, typeText("en")...)
	confirmAndSend(t, m)
	bad := m.Tracker().Entries()[0]
	pumpUntil(t, m, batches, 10*time.Second, "the platform's error reply", func() bool { return len(bad.Answers) > 0 })
	if a, _ := bad.LastAnswer(); a.Kind != actions.AnswerPlatformError || a.Code != "SOME_DATA_INVALID" {
		t.Fatalf("bad action's answer %+v", a)
	}
	out := plain(m)
	for _, want := range []string{"✗ error SOME_DATA_INVALID", "event_model_does_not_exist: An event model with the code en"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if errs, n := m.Store().ErrorsWindow(0, 1, nil); n == 0 || errs[0].Code != "SOME_DATA_INVALID" {
		t.Errorf("errors pane: %d %+v", n, errs)
	}
	var outcomes []string
	for _, r := range audit.records(t) {
		outcomes = append(outcomes, r.Action+":"+r.Outcome)
	}
	joined := strings.Join(outcomes, " ")
	for _, want := range []string{good.Action.ID + ":acked", good.Action.ID + ":event", bad.Action.ID + ":platform_error:SOME_DATA_INVALID"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit lacks %s: %s", want, joined)
		}
	}
}
