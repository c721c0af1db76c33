package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

// SimCmd is `mqdeck sim`: the simulated fleet against any broker.
type SimCmd struct {
	ConnFlags `embed:""`
	SimFlags  `embed:""`

	Platforms []string      `name:"platforms" help:"Platforms to simulate (default: all of drivr, drogue, devapi, smartworks)." env:"MQDECK_SIM_PLATFORMS" placeholder:"NAME,..." group:"Simulator"`
	Slug      string        `help:"DRIVR domain slug." default:"company-example" env:"MQDECK_SLUG" group:"Simulator"`
	App       string        `help:"Drogue Cloud application." default:"demo-app" env:"MQDECK_SIM_APP" group:"Simulator"`
	Account   string        `help:"SmartWorks account." default:"demo-account" env:"MQDECK_ACCOUNT" group:"Simulator"`
	Duration  time.Duration `help:"Stop after this long (0: until interrupted)." default:"0s" group:"Simulator"`
}

// Run connects the simulator and runs it; it prints what it did on exit.
func (c *SimCmd) Run(env *runEnv) error {
	w := warner{env.stderr}
	if c.ReadOnly {
		return usageError{errors.New("--readonly: the simulator only publishes")}
	}
	opts, err := c.options(w.warn)
	if err != nil {
		return err
	}
	cfg := c.simConfig()
	cfg.Platforms, cfg.Slug, cfg.App, cfg.Account = c.Platforms, c.Slug, c.App, c.Account
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if _, err := mqttconn.ParseBroker(opts.Broker); err != nil {
		return usageError{fmt.Errorf("--broker: %w", err)}
	}
	ctx := env.ctx
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	startCtx, cancel := context.WithTimeout(ctx, c.ConnectTimeout)
	s, client, err := sim.Connect(startCtx, cfg, opts)
	cancel()
	if err != nil {
		if env.ctx.Err() != nil {
			return nil
		}
		return errors.New(mqttconn.Describe(err))
	}
	defer client.Close()
	fmt.Fprintf(env.stderr, "mqdeck: simulating on %s (MQTT %s); Ctrl-C stops\n", opts.Broker, client.Protocol())
	runErr := s.Run(ctx)
	st := s.Stats()
	fmt.Fprintf(env.stderr, "mqdeck: published %d messages (%d bytes), %d refused; handled %d requests (%d rejected, %d dropped)\n",
		st.Published, st.Bytes, st.PublishErrors, st.Inputs, st.Rejected, st.InputsDropped)
	if last := s.LastError(); last != nil && st.PublishErrors > 0 {
		fmt.Fprintf(env.stderr, "mqdeck: last publish error: %s\n", mqttconn.Describe(last))
	}
	return runErr
}
