// Package sim is mqdeck's fleet simulator: a DRIVR domain, a Drogue Cloud
// application, device API devices and SmartWorks things that publish what
// the real platforms publish and answer operator requests as they do (seed
// 001 for DRIVR's event inputs and error reports). It talks to a Bus: the
// embedded broker for `mqdeck demo`, or any broker through an
// mqttconn.Client for `mqdeck sim`. Flood is the load generator of
// `mqdeck bench pub`.
//
// One simulator per platform, in the files of its name, each paired with
// the platform's unit in tui/platforms/<name> (whose scheme routes what it
// publishes): drivr*.go (drivrSim: a DRIVR domain), drogue.go (drogueSim: a
// Drogue application), devapi.go (devSim: device API devices),
// smartworks.go (swSim: SmartWorks things). Config.Platforms picks them by
// the platform's name.
//
// The simulation is single-threaded: Run owns every piece of state and
// handles operator requests from a bounded inbox between scheduled steps,
// so a fixed seed and a manual clock (or Step) give the same traffic.
package sim

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Platform names accepted in Config.Platforms (mqttconn/platform's names).
const (
	PlatformDRIVR      = "drivr"
	PlatformDrogue     = "drogue"
	PlatformDevAPI     = "devapi"
	PlatformSmartWorks = "smartworks"
)

// Platforms are the platforms simulated, one simulator each (the
// generic platform has none): what Config.Platforms may name.
func Platforms() []string {
	return []string{PlatformDRIVR, PlatformDrogue, PlatformDevAPI, PlatformSmartWorks}
}

// Defaults of Config.
const (
	DefaultSystems   = 12
	DefaultSlug      = "company-example"
	DefaultApp       = "demo-app"
	DefaultAccount   = "demo-account"
	DefaultAccessKey = "demo-access-key"
	DefaultSeed      = 1
)

// inboxSize bounds the operator requests waiting for the simulation loop;
// past it requests are dropped and counted (Stats.InputsDropped).
const inboxSize = 4096

// Config says what to simulate. The zero value is the demo fleet.
type Config struct {
	Systems   int      // DRIVR systems (the seed's EMS is the first); default 12
	Rate      float64  // multiplier on every periodic rate; default 1
	Seed      uint64   // ids and behaviour are fixed by it; default 1
	Platforms []string // subset of drivr, drogue, devapi, smartworks; empty = all

	Slug    string // DRIVR domain, default company-example
	App     string // Drogue application, default demo-app
	Account string // SmartWorks account, default demo-account

	// AccessKey is what the simulated device API devices put in their
	// access_key user property and what a .../get must carry to be
	// answered. Default DefaultAccessKey.
	AccessKey string

	// Clock defaults to the real clock. Run reads it; Step does not.
	Clock Clock
}

func (c Config) withDefaults() Config {
	if c.Systems <= 0 {
		c.Systems = DefaultSystems
	}
	if c.Rate <= 0 {
		c.Rate = 1
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if len(c.Platforms) == 0 {
		c.Platforms = Platforms()
	}
	if c.Slug == "" {
		c.Slug = DefaultSlug
	}
	if c.App == "" {
		c.App = DefaultApp
	}
	if c.Account == "" {
		c.Account = DefaultAccount
	}
	if c.AccessKey == "" {
		c.AccessKey = DefaultAccessKey
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	return c
}

func (c Config) has(platform string) bool { return slices.Contains(c.Platforms, platform) }

// Validate rejects platform names the simulator does not know.
func (c Config) Validate() error {
	for _, p := range c.Platforms {
		if !slices.Contains(Platforms(), p) {
			return fmt.Errorf("sim: unknown platform %q (drivr, drogue, devapi, smartworks)", p)
		}
	}
	return nil
}

// Subscriptions are the filters the simulator listens on for operator
// requests. An mqttconn.Client used through ClientBus must subscribe to
// them (Options.Subscriptions).
func Subscriptions(cfg Config) []mqttconn.Subscription {
	cfg = cfg.withDefaults()
	var out []mqttconn.Subscription
	add := func(f string) { out = append(out, mqttconn.Subscription{Filter: f, QoS: 1}) }
	if cfg.has(PlatformDRIVR) {
		add(drivrInputFilter(cfg.Slug))
	}
	if cfg.has(PlatformDrogue) {
		add(drogueCommandFilter(cfg.App))
	}
	if cfg.has(PlatformDevAPI) {
		for _, f := range devFilters() {
			add(f)
		}
	}
	if cfg.has(PlatformSmartWorks) {
		add(swSetFilter(cfg.Account))
	}
	return out
}

// Stats counts what the simulator did. Safe to read from any goroutine.
type Stats struct {
	Published     uint64 // messages handed to the bus
	Bytes         uint64 // their payload bytes
	PublishErrors uint64 // publishes the bus refused
	Inputs        uint64 // operator requests handled
	InputsDropped uint64 // requests lost because the inbox was full
	Rejected      uint64 // requests answered with an error report, or ignored (wrong access key)
}

// Sim is one simulated multi-platform fleet.
type Sim struct {
	cfg   Config
	bus   Bus
	rng   *rand.Rand // behaviour; ids of the fleet come from their own stream
	queue schedule
	seq   uint64
	now   time.Time // the simulated moment being processed
	inbox chan mqttconn.Message

	started bool
	lastErr atomic.Value // error: the last publish failure, for Run's caller

	published, bytes, pubErrors, inputs, dropped, rejected atomic.Uint64

	// echo holds what the simulator itself last published on topics it
	// also listens on (device API config and license), so its own snapshot
	// is not taken for an operator's request.
	echo map[string]string

	drivr  *drivrSim
	drogue *drogueSim
	dev    *devSim
	sw     *swSim
}

// New builds the fleet described by cfg on bus. Nothing is published
// before Start or Run.
func New(cfg Config, bus Bus) *Sim {
	cfg = cfg.withDefaults()
	s := &Sim{
		cfg:   cfg,
		bus:   bus,
		rng:   newRand(cfg.Seed, 2),
		inbox: make(chan mqttconn.Message, inboxSize),
		echo:  map[string]string{},
	}
	ids := newRand(cfg.Seed, 1)
	// Each platform's fleet is built whether or not it runs, so ids do not
	// depend on the platform selection.
	d := newDrivr(cfg, ids)
	g := newDrogue(cfg, ids)
	v := newDev(cfg, ids)
	w := newSW(cfg, ids)
	if cfg.has(PlatformDRIVR) {
		s.drivr = d
	}
	if cfg.has(PlatformDrogue) {
		s.drogue = g
	}
	if cfg.has(PlatformDevAPI) {
		s.dev = v
	}
	if cfg.has(PlatformSmartWorks) {
		s.sw = w
	}
	return s
}

// Config is the configuration in effect, defaults filled in.
func (s *Sim) Config() Config { return s.cfg }

// Stats is a snapshot of the counters.
func (s *Sim) Stats() Stats {
	return Stats{
		Published:     s.published.Load(),
		Bytes:         s.bytes.Load(),
		PublishErrors: s.pubErrors.Load(),
		Inputs:        s.inputs.Load(),
		InputsDropped: s.dropped.Load(),
		Rejected:      s.rejected.Load(),
	}
}

// LastError is the most recent publish failure, nil when none.
func (s *Sim) LastError() error {
	if e, ok := s.lastErr.Load().(error); ok {
		return e
	}
	return nil
}

// Start subscribes to the request topics, publishes the retained picture
// of the fleet (domain, models, systems, components, connection states)
// and schedules the traffic from now on. Run calls it; call it yourself
// only to drive the simulation with Step.
func (s *Sim) Start(now time.Time) error {
	if s.started {
		return nil
	}
	s.started = true
	s.now = now
	for _, sub := range Subscriptions(s.cfg) {
		if err := s.bus.Subscribe(sub.Filter, s.receive); err != nil {
			return fmt.Errorf("sim: subscribe %s: %w", sub.Filter, err)
		}
	}
	if s.drivr != nil {
		s.drivr.start(s)
	}
	if s.drogue != nil {
		s.drogue.start(s)
	}
	if s.dev != nil {
		s.dev.start(s)
	}
	if s.sw != nil {
		s.sw.start(s)
	}
	return nil
}

// receive is the bus handler: it never blocks the bus.
func (s *Sim) receive(m mqttconn.Message) {
	select {
	case s.inbox <- m:
	default:
		s.dropped.Add(1)
	}
}

// Step handles the requests waiting in the inbox, then runs everything
// scheduled up to now. It returns when the next scheduled thing is due.
func (s *Sim) Step(now time.Time) time.Time {
	for {
		select {
		case m := <-s.inbox:
			s.handle(m, now)
			continue
		default:
		}
		break
	}
	for len(s.queue) > 0 && !s.queue[0].at.After(now) {
		t := heap.Pop(&s.queue).(*task)
		s.now = t.at
		t.fn(t.at)
	}
	if now.After(s.now) {
		s.now = now
	}
	if len(s.queue) == 0 {
		return now.Add(time.Hour)
	}
	return s.queue[0].at
}

// Run starts the simulation and keeps it going until ctx ends (then it
// returns nil). It fails only when the request topics cannot be
// subscribed; publish failures are counted (Stats, LastError).
func (s *Sim) Run(ctx context.Context) error {
	clock := s.cfg.Clock
	if r, ok := s.bus.(interface{ Run(context.Context) error }); ok {
		// A bus with its own delivery loop (ClientBus) runs beside us.
		go func() { _ = r.Run(ctx) }()
	}
	if err := s.Start(clock.Now()); err != nil {
		return err
	}
	// Work due within a millisecond is done now: at tens of thousands of
	// messages a second a timer per message would cost more than the work.
	const early = time.Millisecond
	for {
		next := s.Step(clock.Now().Add(early))
		wait := next.Sub(clock.Now()) - early
		if wait <= 0 {
			select {
			case <-ctx.Done():
				return nil
			default:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case m := <-s.inbox:
			s.handle(m, clock.Now())
		case <-clock.After(wait):
		}
	}
}

// handle dispatches one operator request to the platform it belongs to.
func (s *Sim) handle(m mqttconn.Message, now time.Time) {
	if now.After(s.now) {
		s.now = now
	}
	if want, ok := s.echo[m.Topic]; ok && want == string(m.Payload) {
		delete(s.echo, m.Topic)
		return
	}
	var request bool
	switch {
	case s.drivr != nil && platform.Matches(drivrInputFilter(s.cfg.Slug), m.Topic):
		request = s.drivr.input(s, m)
	case s.drogue != nil && platform.Matches(drogueCommandFilter(s.cfg.App), m.Topic):
		request = s.drogue.command(s, m)
	case s.dev != nil && matchAny(devFilters(), m.Topic):
		request = s.dev.request(s, m)
	case s.sw != nil && platform.Matches(swSetFilter(s.cfg.Account), m.Topic):
		request = s.sw.set(s, m)
	}
	if request {
		s.inputs.Add(1)
	}
}

func matchAny(filters []string, topic string) bool {
	for _, f := range filters {
		if platform.Matches(f, topic) {
			return true
		}
	}
	return false
}

// publish hands one message to the bus and counts it.
func (s *Sim) publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) {
	if err := s.bus.Publish(topic, payload, qos, retain, props); err != nil {
		s.pubErrors.Add(1)
		s.lastErr.Store(err)
		return
	}
	s.published.Add(1)
	s.bytes.Add(uint64(len(payload)))
}

// publishOwn publishes on a topic the simulator also listens on, and
// remembers it so the echo is not handled as a request.
func (s *Sim) publishOwn(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) {
	s.echo[topic] = string(payload)
	s.publish(topic, payload, qos, retain, props)
}
