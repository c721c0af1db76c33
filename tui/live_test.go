package tui

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/pump"
	"github.com/mqdeck/mqdeck/views"
)

// TestLiveConsole runs the real console in the calling terminal against an
// embedded broker and the simulator, for a person to look at (or a tmux
// session to capture). It only runs with MQDECK_TUI_LIVE=1:
//
//	go test -c ./tui -o /tmp/tui.test && MQDECK_TUI_LIVE=1 /tmp/tui.test -test.run Live
func TestLiveConsole(t *testing.T) {
	if os.Getenv("MQDECK_TUI_LIVE") != "1" {
		t.Skip("interactive: set MQDECK_TUI_LIVE=1 in a terminal")
	}
	b, err := broker.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := sim.New(sim.Config{}, sim.NewBrokerBus(b))
	go s.Run(ctx) //nolint:errcheck // ends with ctx

	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		t.Fatal(err)
	}
	hooks := pump.NewHooks()
	c, err := mqttconn.New(mqttconn.Options{Broker: b.URL(), Subscriptions: scheme.Filters(), OnState: hooks.OnState, OnSubscribe: hooks.OnSubscribe})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = Run(ctx, Config{
		Conn:   views.ConnInfo{Broker: b.URL(), Platform: "drivr", Protocol: "auto"},
		Source: Source{Messages: c.Messages(), Scheme: scheme, Dropped: c.Dropped, Hooks: hooks},
	})
	if err != nil {
		t.Fatal(err)
	}
}
