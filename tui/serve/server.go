package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/console"
)

// Defaults of the flags.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultMaxSessions = 32
	DefaultIdleTimeout = 30 * time.Minute
	// shutdownGrace is how long sessions get to leave after being told.
	shutdownGrace = 3 * time.Second
)

// roleExt carries the role from the key check to the session; keyRoleExt
// the role of the key file, before --readonly made everyone a viewer.
const (
	roleExt    = "mqdeck-role"
	keyRoleExt = "mqdeck-key-role"
)

// Config is the server's part of `mqdeck serve`.
type Config struct {
	Listen      string // default DefaultListen
	HostKey     string // path; created (ed25519, mode 0600) when missing
	Keys        KeyFiles
	ReadOnly    bool          // everyone is a viewer
	MaxSessions int           // default DefaultMaxSessions
	IdleTimeout time.Duration // 0: DefaultIdleTimeout; negative: none
	// Console is every session's starting configuration: theme, keys,
	// connection info and actions (Publisher is the one client). Its
	// Store, Shared, audit and identity are set per session.
	Console console.Config
	// Audit is the one audit file; each session writes through For.
	Audit *actions.Audit
	// Log receives one line per login, refusal and key-file problem.
	Log io.Writer
	Now func() time.Time
	// ClockHolds measures each session's holds of the store's lock in
	// CPU time too (Info.HoldCPUMax): the goroutine is pinned to its
	// thread for the hold, so the thread's CPU clock counts that hold's
	// work and nothing else. For the load benchmark; off, nothing is pinned.
	ClockHolds bool
}

// Server serves the hub's store over SSH.
type Server struct {
	cfg  Config
	hub  *Hub
	srv  *ssh.Server
	reg  *registry
	ln   net.Listener
	logm sync.Mutex
	// probsLogged is the key files' problems as last logged: a login
	// logs them only when they changed, not before every login line.
	probsLogged string
	// handles counts the running session handlers: Serve waits for them.
	handles sync.WaitGroup
}

// New checks cfg, loads or creates the host key and builds the server.
func New(cfg Config, hub *Hub) (*Server, error) {
	if err := cfg.Keys.Check(); err != nil {
		return nil, err
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.HostKey == "" {
		return nil, errors.New("--host-key: a path is needed (created when missing)")
	}
	signer, err := hostKey(cfg.HostKey)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, hub: hub, reg: newRegistry(cfg.MaxSessions, cfg.Now)}
	if fi, err := os.Stat(cfg.HostKey); err == nil && fi.Mode().Perm()&0o077 != 0 {
		s.logf("host key %s is open to others (mode %04o): whoever reads it can pose as this server; chmod 600 it",
			decode.Safe(cfg.HostKey), fi.Mode().Perm())
	}
	hub.setLog(func(line string) { s.logf("%s", line) })
	s.srv = &ssh.Server{
		Version:          "mqdeck",
		HandshakeTimeout: 20 * time.Second,
		// Public keys only: with no password or keyboard-interactive
		// handler, x/crypto/ssh offers neither method.
		PublicKeyHandler: s.authorize,
		Handler:          s.handle,
	}
	s.srv.AddHostKey(signer)
	return s, nil
}

// hostKey loads the host key, or creates an ed25519 one with mode 0600.
func hostKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, fmt.Errorf("host key: generate: %w", gerr)
		}
		block, merr := gossh.MarshalPrivateKey(priv, "mqdeck serve host key")
		if merr != nil {
			return nil, fmt.Errorf("host key: encode: %w", merr)
		}
		data = pem.EncodeToMemory(block)
		f, oerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if oerr != nil {
			return nil, fmt.Errorf("host key: create: %w", oerr)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("host key: write: %w", werr)
		}
	} else if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, nil
}

// logf writes one line of the server's log; network text is made safe.
func (s *Server) logf(format string, args ...any) {
	s.logm.Lock()
	defer s.logm.Unlock()
	fmt.Fprintf(s.cfg.Log, "%s mqdeck serve: %s\n", s.cfg.Now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
}

// authorize is the only way in: the key must be in a key file, read now.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	role, denied, probs := s.cfg.Keys.Authorize(Login{Key: key, Remote: ctx.RemoteAddr(), Now: s.cfg.Now()})
	s.logProblems(probs)
	if role == RoleNone {
		why := "not in any key file"
		if len(denied) > 0 {
			why = strings.Join(denied, "; ")
		}
		s.logf("refused %s key %s from %s: %s", decode.Safe(ctx.User()), Fingerprint(key), ctx.RemoteAddr(), decode.Safe(why))
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[keyRoleExt] = role.String()
	if s.cfg.ReadOnly {
		role = RoleViewer
	}
	perms.Extensions[roleExt] = role.String()
	return true
}

// Listen binds the address; Addr is known afterwards.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("--ssh-listen: %w", err)
	}
	s.ln = ln
	return nil
}

// Addr is where the server listens (after Listen).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Who lists the connected sessions.
func (s *Server) Who() []Info { return s.reg.list() }

// Serve accepts sessions until ctx ends, then tells every session,
// waits for them to leave (a few seconds at most) and closes.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	s.logf("listening on %s (ssh)", s.ln.Addr())
	s.surveyKeys()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("ssh: %w", err)
	case <-ctx.Done():
	}
	s.shutdown()
	<-errc
	// The sessions' last audit lines (publishes still answering) are
	// written before the caller closes the audit.
	done := make(chan struct{})
	go func() { s.handles.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.settleFor()):
		s.logf("sessions still settling after %s: their last audit lines may be missing", s.settleFor())
	}
	return nil
}

// surveyKeys logs what the key files hold now: how many keys each role
// has, the lines a login will skip, and a warning when nobody can get in.
func (s *Server) surveyKeys() {
	counts, probs := s.cfg.Keys.Survey()
	total := 0
	for _, c := range counts {
		total += c.Keys
		s.logf("%s keys: %d in %s", c.Role, c.Keys, decode.Safe(c.File))
	}
	s.logProblems(probs)
	if total == 0 {
		s.logf("no usable key in the key files: nobody can log in until one is added (they are read at each login)")
	}
}

// logProblems logs the key files' skipped lines unless the same were
// logged last time.
func (s *Server) logProblems(probs []Problem) {
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = "key file " + decode.Safe(p.String())
	}
	all := strings.Join(lines, "\n")
	s.logm.Lock()
	same := all == s.probsLogged
	s.probsLogged = all
	s.logm.Unlock()
	if same {
		return
	}
	for _, l := range lines {
		s.logf("%s", l)
	}
}

// settleFor bounds the wait for the sessions' last publishes.
func (s *Server) settleFor() time.Duration {
	d := s.cfg.Console.Actions.Timeout
	if d <= 0 {
		d = 10 * time.Second
	}
	return d + 2*time.Second
}

// shutdown stops accepting, tells each session why it ends, gives them
// shutdownGrace to leave, then closes what is left.
func (s *Server) shutdown() {
	gctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.srv.Shutdown(gctx) }() // closes the listener, waits for the connections
	s.reg.stopAll("shutting down")
	if err := <-done; err != nil {
		s.logf("sessions still open after %s: closing them", shutdownGrace)
	}
	_ = s.srv.Close()
	s.logf("stopped")
}

// identity is the session's user, key and role (set by authorize).
func identity(sess ssh.Session) Identity {
	id := Identity{User: sess.User(), Role: roleOf(sess, roleExt)}
	if k := sess.PublicKey(); k != nil {
		id.Key = Fingerprint(k)
	}
	return id
}

// roleOf reads a role authorize stored in the session's permissions.
func roleOf(sess ssh.Session, ext string) Role {
	switch sess.Permissions().Extensions[ext] {
	case RoleOperator.String():
		return RoleOperator
	case RoleViewer.String():
		return RoleViewer
	}
	return RoleNone
}
