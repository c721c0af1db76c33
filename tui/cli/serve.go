package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/tui/serve"
)

// ServeFlags are the SSH side of `mqdeck serve` (and `demo --serve`).
type ServeFlags struct {
	SSHListen    string        `name:"ssh-listen" help:"Address the SSH server listens on. Default: 127.0.0.1:2222 (this machine only; 0.0.0.0:2222 serves the network)." default:"127.0.0.1:2222" env:"MQDECK_SSH_LISTEN" placeholder:"HOST:PORT" group:"Serve"`
	HostKey      string        `name:"host-key" help:"The server's SSH host key; an ed25519 key is created (mode 0600) when missing. Default: ~/.local/state/mqdeck/ssh_host_ed25519_key." type:"path" env:"MQDECK_HOST_KEY" placeholder:"FILE" group:"Serve"`
	OperatorKeys string        `name:"operator-keys" help:"authorized_keys file of the operators (may act). Read at each login." type:"path" env:"MQDECK_OPERATOR_KEYS" placeholder:"FILE" group:"Serve"`
	ViewerKeys   string        `name:"viewer-keys" help:"authorized_keys file of the viewers (see everything, publish nothing). Read at each login." type:"path" env:"MQDECK_VIEWER_KEYS" placeholder:"FILE" group:"Serve"`
	MaxSessions  int           `name:"max-sessions" help:"Most SSH sessions at once." default:"32" env:"MQDECK_MAX_SESSIONS" group:"Serve"`
	IdleTimeout  time.Duration `name:"idle-timeout" help:"End a session after this long without a key press (0: never)." default:"30m" env:"MQDECK_IDLE_TIMEOUT" group:"Serve"`
}

// ServeCmd is `mqdeck serve`: one broker connection and one fleet store
// shown to any number of SSH sessions.
type ServeCmd struct {
	ConnFlags     `embed:""`
	PlatformFlags `embed:""`
	UIFlags       `embed:""`
	ActionFlags   `embed:""`
	ServeFlags    `embed:""`
	Record        string `help:"Also append every received message to FILE (JSON lines; mqdeck replay plays it). A failed write stops the recording; the log and every session say so." type:"path" env:"MQDECK_RECORD" placeholder:"FILE" group:"Console"`
}

// Run connects once, then serves the console over SSH until SIGTERM.
func (c *ServeCmd) Run(env *runEnv, loaded *loadedConfig) error {
	if err := c.ServeFlags.check(); err != nil {
		return err
	}
	act, err := c.ActionFlags.actions(loaded, nil, c.Platform, c.params(c.QoS), c.ReadOnly)
	if err != nil {
		return err
	}
	hooks := ingest.NewHooks()
	sess, err := openSession(env.ctx, &c.ConnFlags, &c.PlatformFlags, warner{env.stderr}, nil, hooks)
	if err != nil {
		return err
	}
	defer sess.client.Close()
	rec, err := openRecorder(c.Record)
	if err != nil {
		return err
	}
	if rec != nil {
		defer rec.close(env.stderr) // after runServe: the hub has stopped
	}
	tap, recorded := rec.source()
	cfg := c.UIFlags.config(loaded, sess.redact)
	cfg.RedactLive = sess.secrets // secrets read since (a rotated token)
	cfg.Conn.Broker, cfg.Conn.Platform = sess.display, sess.scheme.Name()
	cfg.Conn.Protocol, cfg.Conn.ReadOnly, cfg.Conn.Insecure = sess.client.Protocol(), c.ReadOnly, c.Insecure
	cfg.RetryNow = retryNow(sess.client)
	cfg.Actions = act
	cfg.Actions.Publisher, cfg.Actions.Platform = sess.client, sess.scheme.Name()
	recordCrashTest(rec, &cfg)
	return runServe(env.ctx, env, c.ServeFlags, c.ReadOnly, cfg, serve.Source{
		Messages: sess.client.Messages(),
		Scheme:   sess.scheme,
		Dropped:  sess.client.Dropped,
		Hooks:    hooks,
		Limits:   decode.Limits{MaxPayload: c.MaxPayload},
		Tap:      tap,
		Recorded: recorded,
	})
}

// check refuses to start without a key file, before anything connects.
func (f *ServeFlags) check() error {
	keys := serve.KeyFiles{Operator: f.OperatorKeys, Viewer: f.ViewerKeys}
	if err := keys.Check(); err != nil {
		return usageError{err}
	}
	if f.MaxSessions <= 0 {
		return usageError{fmt.Errorf("--max-sessions must be at least 1")}
	}
	return nil
}

// hostKeyPath is --host-key, or the default under the user's state
// directory (created 0700).
func (f *ServeFlags) hostKeyPath() (string, error) {
	if f.HostKey != "" {
		return f.HostKey, nil
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("--host-key: no home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "mqdeck")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("--host-key: %w", err)
	}
	return filepath.Join(dir, "ssh_host_ed25519_key"), nil
}

// runServe runs the hub on src and the SSH server until ctx ends
// (SIGTERM): sessions are told, the audit is closed after the last one.
func runServe(ctx context.Context, env *runEnv, f ServeFlags, readOnly bool, cfg console.Config, src serve.Source) error {
	hostKey, err := f.hostKeyPath()
	if err != nil {
		return err
	}
	// Each session follows its own terminal (TERM, NO_COLOR, background):
	// the server's own NO_COLOR says nothing about theirs.
	cfg.NoColor = false
	var audit *actions.Audit
	if p := cfg.Actions.AuditPath; p != "" {
		if audit, err = actions.OpenAudit(p, actions.Operator(cfg.Actions.Operator)); err != nil {
			return fmt.Errorf("--audit: %w", err)
		}
		defer audit.Close() // after Serve: every session has written its last line
	}
	cfg.Actions.AuditPath = ""

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hub := serve.NewHub(fleet.New(fleet.DefaultConfig(), platforms.Fleet()))
	hub.Redact = cfg.Redactor() // the Errors pane's and the log's panic texts
	if why, on := serveCrashTest(&cfg); on && src.Scheme != nil {
		src.Scheme = crashScheme{Scheme: src.Scheme, why: why}
	}
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		hub.Run(ctx, src)
	}()
	defer func() { cancel(); <-hubDone }()

	srv, err := serve.New(serve.Config{
		Listen:      f.SSHListen,
		HostKey:     hostKey,
		Keys:        serve.KeyFiles{Operator: f.OperatorKeys, Viewer: f.ViewerKeys},
		ReadOnly:    readOnly,
		MaxSessions: f.MaxSessions,
		IdleTimeout: idleFlag(f.IdleTimeout),
		Console:     cfg,
		Audit:       audit,
		Log:         env.stderr,
	}, hub)
	if err != nil {
		return usageError{err}
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	printHowToConnect(env.stderr, srv.Addr())
	return srv.Serve(ctx)
}

// idleFlag maps --idle-timeout 0 (never) to the server's "none".
func idleFlag(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// printHowToConnect says the ssh command line for the address.
func printHowToConnect(w io.Writer, addr net.Addr) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "THIS-HOST"
	}
	fmt.Fprintf(w, "mqdeck serve: connect with  ssh -p %s %s  (public keys from the key files only)\n", port, host)
}
