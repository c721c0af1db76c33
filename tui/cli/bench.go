package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

// BenchCmd groups the performance tools (issue 8).
type BenchCmd struct {
	Pub BenchPubCmd `cmd:"" help:"Publish realistic platform traffic (DRIVR, Drogue CloudEvents, device API) as fast as asked and report what was sent."`
}

// BenchPubCmd is `mqdeck bench pub`: a load generator over sim.Flood.
// It never subscribes, so it does not need the platform flags; --platform
// here names the traffic to generate.
type BenchPubCmd struct {
	ConnFlags `embed:""`

	Count       int     `name:"count" short:"n" help:"Messages to publish (0: until interrupted)." default:"100000" placeholder:"N"`
	Rate        float64 `help:"Messages per second over all connections (0: as fast as the broker takes them)." default:"0" placeholder:"R"`
	Size        int     `help:"Pad JSON payloads up to this many bytes (0: their natural size)." default:"0" placeholder:"BYTES"`
	Topics      int     `help:"Entities (systems, devices) to spread the traffic over." default:"100" placeholder:"T"`
	Platform    string  `help:"Traffic to generate: drivr, drogue, devapi or mixed." default:"drivr" placeholder:"P"`
	Connections int     `short:"c" help:"Connections to publish over in parallel (one MQTT client writes one packet per system call)." default:"1" placeholder:"N"`
	PubQoS      int     `name:"pub-qos" help:"QoS of the published messages: 0, 1 or 2." enum:"0,1,2" default:"0"`
	Slug        string  `help:"DRIVR domain slug in the topics." default:"company-example" placeholder:"SLUG"`
	App         string  `help:"Drogue application in the topics." default:"demo-app" placeholder:"APP"`
	Seed        uint64  `help:"Random seed (same seed, same traffic)." default:"1"`
}

// maxBenchConnections keeps a typo from opening thousands of sockets.
const maxBenchConnections = 64

// Run connects every publisher, floods, and prints one summary line.
func (c *BenchPubCmd) Run(env *runEnv) error {
	w := warner{env.stderr}
	opts, err := c.options(w.warn)
	if err != nil {
		return err
	}
	if c.Count < 0 || c.Rate < 0 || c.Size < 0 || c.Topics <= 0 {
		return usageError{errors.New("-n, --rate and --size must not be negative; --topics must be positive")}
	}
	if c.Connections < 1 || c.Connections > maxBenchConnections {
		return usageError{fmt.Errorf("--connections must be between 1 and %d, got %d", maxBenchConnections, c.Connections)}
	}
	plat := strings.ToLower(c.Platform)
	switch plat {
	case sim.PlatformDRIVR, sim.PlatformDrogue, sim.PlatformDevAPI, "mixed":
	default:
		return usageError{fmt.Errorf("--platform %q: bench pub generates drivr, drogue, devapi or mixed traffic", c.Platform)}
	}
	if c.Insecure {
		w.warn("--insecure: the broker's certificate is not verified")
	}

	buses, closeAll, err := c.connect(env.ctx, opts)
	defer closeAll()
	if err != nil {
		if env.ctx.Err() != nil {
			return nil
		}
		return err
	}
	st, err := sim.FloodParallel(env.ctx, buses, sim.FloodConfig{
		N: c.Count, Rate: c.Rate, Size: c.Size, Topics: c.Topics, Platform: plat,
		QoS: byte(c.PubQoS), Seed: c.Seed, Slug: c.Slug, App: c.App,
	})
	fmt.Fprintf(env.stdout, "mqdeck bench pub: %s over %d connection(s)\n", st, len(buses))
	if err != nil && env.ctx.Err() != nil && c.Count == 0 {
		return nil // an endless flood ends with Ctrl-C
	}
	return err
}

// connect starts one client per connection; closeAll closes those started.
func (c *BenchPubCmd) connect(ctx context.Context, opts mqttconn.Options) ([]sim.Bus, func(), error) {
	var clients []mqttconn.Client
	closeAll := func() {
		for _, cl := range clients {
			_ = cl.Close()
		}
	}
	buses := make([]sim.Bus, 0, c.Connections)
	for i := 0; i < c.Connections; i++ {
		o := opts
		if o.ClientID != "" && c.Connections > 1 {
			o.ClientID = fmt.Sprintf("%s-%d", opts.ClientID, i)
		}
		cl, err := mqttconn.New(o)
		if err != nil {
			return nil, closeAll, usageError{err}
		}
		startCtx, cancel := context.WithTimeout(ctx, c.ConnectTimeout)
		err = cl.Start(startCtx)
		cancel()
		if err != nil {
			_ = cl.Close()
			return nil, closeAll, fmt.Errorf("connection %d: %s", i+1, mqttconn.Describe(err))
		}
		clients = append(clients, cl)
		buses = append(buses, sim.NewClientBus(cl))
	}
	return buses, closeAll, nil
}
