package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/broker"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/tui/serve"
	"github.com/mqdeck/mqdeck/views"
)

// SimFlags shape the simulated fleet (demo and sim).
type SimFlags struct {
	Systems int     `help:"DRIVR systems to simulate (the seed's EMS is the first)." default:"12" env:"MQDECK_SIM_SYSTEMS" group:"Simulator"`
	Rate    float64 `help:"Multiplier on every periodic rate (10 = ten times the traffic)." default:"1" env:"MQDECK_SIM_RATE" group:"Simulator"`
	Seed    uint64  `help:"Random seed: the same seed gives the same fleet and traffic." default:"1" env:"MQDECK_SIM_SEED" group:"Simulator"`
}

func (f *SimFlags) simConfig() sim.Config {
	return sim.Config{Systems: f.Systems, Rate: f.Rate, Seed: f.Seed}
}

// DemoCmd is `mqdeck demo`: embedded broker, simulated fleet, console.
type DemoCmd struct {
	Listen      string `help:"Address of the embedded broker (loopback only; port 0 picks a free one)." default:"127.0.0.1:0" env:"MQDECK_LISTEN" placeholder:"HOST:PORT"`
	Platform    string `help:"Which platform's view the console takes; the simulator runs all four." enum:"drivr,drogue,devapi,smartworks,generic" default:"drivr" env:"MQDECK_DEMO_PLATFORM"`
	ReadOnly    bool   `name:"readonly" help:"Never publish anything (enforced by the transport)." env:"MQDECK_READONLY"`
	Record      string `help:"Also append every received message to FILE (JSON lines; mqdeck replay plays it). A failed write stops the recording and says so." type:"path" placeholder:"FILE"`
	SimFlags    `embed:""`
	UIFlags     `embed:""`
	ActionFlags `embed:""`
	Serve       bool `help:"Serve the demo over SSH instead of showing it here (mqdeck serve on the simulated fleet; then ssh -p 2222 localhost, from as many terminals as you like)." group:"Serve"`
	ServeFlags  `embed:""`
}

// Run starts the broker and the simulator, then the console against them.
func (d *DemoCmd) Run(env *runEnv, loaded *loadedConfig) error {
	if err := loopbackOnly(d.Listen); err != nil {
		return usageError{err}
	}
	simCfg := d.simConfig()
	if err := simCfg.Validate(); err != nil {
		return usageError{err}
	}
	b, err := broker.StartConfig(broker.Config{Addr: d.Listen})
	if err != nil {
		return fmt.Errorf("embedded broker on %s: %w", d.Listen, err)
	}
	defer b.Close()

	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	s := sim.New(simCfg, sim.NewBrokerBus(b))
	simDone := make(chan error, 1)
	go func() { simDone <- s.Run(ctx) }()

	params := demoParams(d.Platform, s.Config())
	scheme, err := platforms.NewScheme(d.Platform, params)
	if err != nil {
		return usageError{err}
	}
	hooks := ingest.NewHooks()
	opts := mqttconn.Options{
		Broker:         b.URL(),
		Protocol:       mqttconn.Protocol5,
		ConnectTimeout: 5 * time.Second,
		BackoffMax:     5 * time.Second,
		CleanStart:     true,
		Subscriptions:  scheme.Filters(),
		ReadOnly:       d.ReadOnly,
	}
	sess, err := startSession(ctx, opts, scheme, hooks)
	if err != nil {
		return err
	}
	defer sess.client.Close()

	msgs := sess.client.Messages()
	rec, err := openRecorder(d.Record)
	if err != nil {
		return err
	}
	if rec != nil {
		defer rec.close(env.stderr) // after the console or server: the pump has stopped writing
	}
	tap, recorded := rec.source()
	cfg := d.UIFlags.config(loaded, nil)
	cfg.Conn = views.ConnInfo{Broker: sess.display + " (demo)", Platform: scheme.Name(), Protocol: sess.client.Protocol(), ReadOnly: d.ReadOnly}
	cfg.RetryNow = retryNow(sess.client)
	cfg.Source = console.Source{
		Messages: msgs,
		Scheme:   scheme,
		Dropped:  sess.client.Dropped,
		Hooks:    hooks,
		Limits:   decode.Limits{MaxPayload: d.MaxPayload},
		Tap:      tap,
		Recorded: recorded,
	}
	if cfg.Actions, err = d.ActionFlags.actions(loaded, sess.client, scheme.Name(), params, d.ReadOnly); err != nil {
		return err
	}
	// The simulated devices' access key is published with the simulator:
	// no secret, so snapshot requests (r) work out of the box.
	cfg.Actions.AccessKey.Public = s.Config().AccessKey
	recordCrashTest(rec, &cfg)
	if d.Serve {
		err = d.serve(ctx, env, cfg, serve.Source{Messages: msgs, Scheme: scheme, Dropped: sess.client.Dropped,
			Hooks: hooks, Limits: decode.Limits{MaxPayload: d.MaxPayload}, Tap: tap, Recorded: recorded})
	} else {
		err = runConsole(ctx, cfg)
	}
	cancel()
	if simErr := <-simDone; simErr != nil && err == nil {
		err = fmt.Errorf("simulator: %w", simErr)
	}
	return err
}

// demoParams points the console at the simulated fleet of one platform.
func demoParams(name string, c sim.Config) platform.Params {
	switch name {
	case platform.DRIVR:
		return platform.Params{Slug: c.Slug}
	case platform.Drogue:
		return platform.Params{Apps: []string{c.App}}
	case platform.SmartWorks:
		return platform.Params{Account: c.Account}
	}
	return platform.Params{}
}

// loopbackOnly refuses to open the demo's broker (anyone may connect,
// publish and subscribe) on an address other machines can reach.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("--listen: the demo broker accepts anyone, so it listens on loopback only (127.0.0.1, ::1, localhost)")
}
