package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/creds"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/record"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

// UIFlags are the console's own settings.
type UIFlags struct {
	Theme      string `help:"Colours: auto (follow the terminal), dark, light, high-contrast, mono. NO_COLOR forces mono." enum:"auto,dark,light,high-contrast,mono" default:"auto" env:"MQDECK_THEME" group:"Console"`
	NoMouse    bool   `name:"no-mouse" help:"Leave the mouse to the terminal (text selection)." env:"MQDECK_NO_MOUSE" group:"Console"`
	MaxPayload int    `name:"max-payload" help:"Decode payloads up to this many bytes; larger ones are shown as truncated binary." default:"1048576" env:"MQDECK_MAX_PAYLOAD" placeholder:"BYTES" group:"Console"`
	ExitAfter  uint64 `name:"exit-after" hidden:"" help:"Quit once N messages were applied (benchmarks)."`
}

// ConsoleCmd is `mqdeck` without a subcommand: the live console.
type ConsoleCmd struct {
	ConnFlags     `embed:""`
	PlatformFlags `embed:""`
	UIFlags       `embed:""`
	ActionFlags   `embed:""`
	Record        string `help:"Also append every received message to FILE (JSON lines; mqdeck replay plays it). A failed write stops the recording and says so." type:"path" env:"MQDECK_RECORD" placeholder:"FILE" group:"Console"`
}

// Run connects, then shows the console until the operator quits.
func (c *ConsoleCmd) Run(env *runEnv, loaded *loadedConfig) error {
	w := warner{env.stderr}
	// Action settings first: a missing GraphQL token is said before connecting.
	act, err := c.ActionFlags.actions(loaded, nil, c.Platform, c.params(c.QoS), c.ReadOnly)
	if err != nil {
		return err
	}
	hooks := ingest.NewHooks()
	sess, err := openSession(env.ctx, &c.ConnFlags, &c.PlatformFlags, w, nil, hooks)
	if err != nil {
		return err
	}
	defer sess.client.Close()

	rec, err := openRecorder(c.Record)
	if err != nil {
		return err
	}
	if rec != nil {
		defer rec.close(env.stderr) // after runConsole: the pump has stopped writing
	}
	cfg := c.UIFlags.config(loaded, sess.redact)
	cfg.RedactLive = sess.secrets
	cfg.Conn = views.ConnInfo{
		Broker:   sess.display,
		Platform: sess.scheme.Name(),
		Protocol: sess.client.Protocol(),
		ReadOnly: c.ReadOnly,
		Insecure: c.Insecure,
	}
	cfg.Source = console.Source{
		Messages: sess.client.Messages(),
		Scheme:   sess.scheme,
		Dropped:  sess.client.Dropped,
		Hooks:    hooks,
		Limits:   decode.Limits{MaxPayload: c.MaxPayload},
	}
	cfg.Source.Tap, cfg.Source.Recorded = rec.source()
	cfg.RetryNow = retryNow(sess.client)
	cfg.Actions = act
	cfg.Actions.Publisher, cfg.Actions.Platform = sess.client, sess.scheme.Name()
	recordCrashTest(rec, &cfg)
	err = runConsole(env.ctx, cfg)
	if c.ExitAfter > 0 {
		// The benchmark (bench/compare) reads the drop count from here.
		fmt.Fprintf(env.stderr, "mqdeck: exit-after %d: dropped %d\n", c.ExitAfter, sess.client.Dropped())
	}
	return err
}

// config builds the console's configuration from the UI flags.
func (u *UIFlags) config(loaded *loadedConfig, redact []string) console.Config {
	theme := u.Theme
	if theme == "auto" {
		theme = ""
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	return console.Config{
		Theme:     theme,
		NoColor:   noColor,
		Keys:      loaded.keys,
		NoMouse:   u.NoMouse,
		ExitAfter: u.ExitAfter,
		Redact:    redact,
	}
}

// runConsole runs the TUI; a bad [keys] table is refused before the screen
// is taken over.
func runConsole(ctx context.Context, cfg console.Config) error {
	if len(cfg.Keys) > 0 {
		km := console.DefaultKeyMap()
		if err := km.Rebind(cfg.Keys); err != nil {
			return usageError{fmt.Errorf("configuration [keys]: %w", err)}
		}
	}
	if cfg.Source.Limits.MaxPayload < 0 {
		return usageError{errors.New("--max-payload must be positive")}
	}
	opts := crashTest(&cfg) // before cfg is passed on: it may wrap the source
	return console.Run(ctx, cfg, opts...)
}

// session is one started connection with its platform grammar.
type session struct {
	client  mqttconn.Client
	scheme  platform.Scheme
	display string   // broker URL without credentials
	redact  []string // secrets in use, for the crash report's scrubber
	// secrets lists the secrets read so far by sources read again at every
	// attempt (nil without such sources).
	secrets func() []string
}

// connHooks receive connection states and SUBACK results without blocking
// (ingest.Hooks for the console, connEvents for log).
type connHooks interface {
	OnState(mqttconn.State)
	OnSubscribe([]mqttconn.SubResult)
}

// openSession builds the options and scheme from the flags, adds extra
// subscriptions, connects and subscribes. The first connection failing is
// one clear error.
func openSession(ctx context.Context, c *ConnFlags, p *PlatformFlags, w warner, extra []mqttconn.Subscription, hooks connHooks) (*session, error) {
	opts, err := c.options(w.warn)
	if err != nil {
		return nil, err
	}
	scheme, err := platforms.NewScheme(p.Platform, p.params(c.QoS))
	if err != nil {
		return nil, usageError{err}
	}
	if c.Insecure {
		w.warn("--insecure: the broker's certificate is not verified")
	}
	opts.Subscriptions = append(scheme.Filters(), extra...)
	s, err := startSession(ctx, opts, scheme, hooks)
	if err != nil {
		return nil, err
	}
	if p, ok := opts.Credentials.(*creds.Provider); ok {
		s.secrets = p.Seen
	}
	return s, nil
}

// startSession connects with ready options: Start returns once subscribed,
// or fails within opts.ConnectTimeout.
func startSession(ctx context.Context, opts mqttconn.Options, scheme platform.Scheme, hooks connHooks) (*session, error) {
	u, err := mqttconn.ParseBroker(opts.Broker)
	if err != nil {
		return nil, usageError{fmt.Errorf("--broker: %w", err)}
	}
	opts.OnState, opts.OnSubscribe = hooks.OnState, hooks.OnSubscribe
	if ex, ok := hooks.(interface{ expect(int) }); ok {
		ex.expect(len(opts.Subscriptions))
	}
	client, err := mqttconn.New(opts)
	if err != nil {
		return nil, usageError{err}
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = mqttconn.DefaultConnectTimeout
	}
	startCtx, cancel := context.WithTimeout(ctx, timeout)
	err = client.Start(startCtx)
	cancel()
	if err != nil {
		client.Close()
		return nil, errors.New(mqttconn.Describe(err))
	}
	s := &session{client: client, scheme: scheme, display: u.String()}
	if opts.Password != "" {
		s.redact = append(s.redact, opts.Password)
	}
	return s, nil
}

// recordItem appends it to the recording, a secret payload as
// "[redacted]": the ingest stage routed it already, so --record costs no
// second route.
func recordItem(rec *record.Writer, it *ingest.Item) error {
	m := it.Msg
	if it.Route.Secret {
		m.Payload = []byte(redacted)
	}
	return rec.Write(m)
}

// retryNow is the client's "reconnect at once", for the console's R key;
// nil when the client cannot (then the key stays off).
func retryNow(c mqttconn.Client) func() bool {
	if r, ok := c.(interface{ RetryNow() bool }); ok {
		return r.RetryNow
	}
	return nil
}
