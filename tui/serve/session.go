package serve

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/console"
)

// frameEvery is the most often a session is woken for new data: each wake
// is a frame, and 10 a second per session keeps 20 sessions within a core
// (the console paces its own frames in a flood the same way).
const frameEvery = 100 * time.Millisecond

// leaveGrace is how long a session told to end may take to say goodbye.
const leaveGrace = 2 * time.Second

// handle runs one SSH session: a command (who), or the console.
func (s *Server) handle(sess ssh.Session) {
	s.handles.Add(1)
	defer s.handles.Done()
	id := identity(sess)
	if id.Role == RoleNone { // cannot happen past authorize; never serve it
		fmt.Fprint(sess.Stderr(), "mqdeck serve: not authorized\r\n")
		_ = sess.Exit(1)
		return
	}
	if cmd := sess.Command(); len(cmd) > 0 {
		code := s.command(sess, id, cmd)
		s.logf("%s %s as %s from %s ran %q: exit %d", decode.Safe(id.User), id.Key, id.Role, sess.RemoteAddr(),
			decode.Safe(strings.Join(cmd, " ")), code)
		_ = sess.Exit(code)
		return
	}
	pty, windows, ok := sess.Pty()
	if !ok {
		fmt.Fprint(sess.Stderr(), "mqdeck serve needs a terminal: connect with ssh -t (no PTY was requested); `who` runs without one\r\n")
		s.logf("refused %s %s from %s: no PTY", decode.Safe(id.User), id.Key, sess.RemoteAddr())
		_ = sess.Exit(1)
		return
	}

	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	var reason atomic.Pointer[string]
	var ended atomic.Bool
	defer ended.Store(true)
	stop := func(why string) {
		reason.CompareAndSwap(nil, &why)
		cancel()
		// A client that stopped reading would hold the program's last
		// writes forever: closing the channel makes them fail.
		time.AfterFunc(leaveGrace, func() {
			if !ended.Load() {
				_ = sess.Close()
			}
		})
	}
	e, err := s.reg.add(id, sess.RemoteAddr().String(), stop)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "%s\r\n", err)
		s.logf("refused %s %s from %s: %v", decode.Safe(id.User), id.Key, sess.RemoteAddr(), err)
		_ = sess.Exit(1)
		return
	}
	defer s.reg.remove(e)
	s.logf("session %d: %s %s as %s from %s (%s %dx%d)", e.id, decode.Safe(id.User), id.Key, id.Role, sess.RemoteAddr(),
		decode.Safe(pty.Term), pty.Window.Width, pty.Window.Height)

	sub := s.hub.Subscribe()
	defer s.hub.Unsubscribe(sub)
	cfg := s.sessionConfig(id, sub, sess.Environ())
	dumb := pty.Term == "" || pty.Term == "dumb"
	if dumb {
		cfg.NoColor = true // the mono theme: the selection in reverse video
	}
	cfg.Shared.Lock = &timedLock{mu: s.hub.Lock(), e: e, clock: s.cfg.ClockHolds}
	m := console.New(cfg)
	opts := append(bubbletea.MakeOptions(sess),
		tea.WithContext(ctx),
		tea.WithoutSignalHandler(), // SIGTERM is the server's: it tells every session
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.KeyPressMsg, tea.MouseClickMsg, tea.MouseWheelMsg:
				e.touch(s.cfg.Now())
			case tea.SuspendMsg: // ctrl+z cannot suspend a remote session
				return tea.ResumeMsg{}
			}
			return msg
		}))
	if dumb {
		// TERM=dumb (or none) would strip every attribute, and with them
		// the only mark of the selected row; the screen is drawn with
		// cursor moves anyway.
		opts = append(opts, tea.WithColorProfile(colorprofile.ASCII))
	}
	p := tea.NewProgram(timed{m: m, e: e, crashed: s.sessionPanic(e)}, opts...)
	go s.forward(ctx, p, sub, e)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w := <-windows:
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	if s.cfg.IdleTimeout > 0 {
		go s.watchIdle(ctx, e, stop)
	}
	_, runErr := p.Run()
	p.Kill()
	cancel()
	// An action published just before the session ended still gets its
	// answer, and its audit line, under this session's identity.
	m.Settle()
	why := "bye"
	if r := reason.Load(); r != nil {
		why = *r
	}
	if runErr != nil && reason.Load() == nil && ctx.Err() == nil {
		why = "console error: " + decode.Safe(runErr.Error())
	}
	fmt.Fprintf(sess, "\r\nmqdeck serve: %s\r\n", why)
	s.logf("session %d: %s %s left: %s", e.id, decode.Safe(id.User), id.Key, why)
	_ = sess.Exit(0)
}

// sessionConfig is the console of one session: the shared store, its own
// theme from the session's environment, and actions under its identity
// and role.
func (s *Server) sessionConfig(id Identity, sub *console.Sub, environ []string) console.Config {
	cfg := s.cfg.Console
	cfg.Store = s.hub.Store()
	cfg.Shared = s.hub.Shared(sub)
	cfg.Source = console.Source{}
	cfg.NoColor = cfg.NoColor || hasEnv(environ, "NO_COLOR")
	a := cfg.Actions
	a.AuditPath = ""
	a.Audit = s.cfg.Audit.For(id.User, id.Key)
	a.By = id.String()
	a.Publisher = rolePublisher{role: id.Role, next: a.Publisher}
	if id.Role != RoleOperator {
		cfg.Conn.ReadOnly = true // the status bar says READ-ONLY
		who, retry := "role viewer", "only operators reconnect the broker"
		if s.cfg.ReadOnly {
			who, retry = "serve --readonly", "sessions do not reconnect the broker"
		}
		cfg.RetryNow = nil // reconnecting is everyone's connection: operators only
		cfg.RetryRefused = who + ": " + retry
		a.ReadOnly = true
		// Short enough to be read whole after the longest action title
		// ("Update configuration") on an 80-column status line.
		a.Off = who + ": nothing is published"
		a.Ack = actions.AckClient{} // no GraphQL call either
	}
	cfg.Actions = a
	return cfg
}

// forward wakes the session's program when the store moved on, at most
// every frameEvery. Send waits while the program is busy (a client that
// does not read holds its program up): only this goroutine waits, never
// the hub or another session.
func (s *Server) forward(ctx context.Context, p *tea.Program, sub *console.Sub, e *entry) {
	t := time.NewTimer(0)
	defer t.Stop()
	first := true // the connection's state and the drops before any new data
	for {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-sub.Notify():
			}
		}
		first = false
		p.Send(s.hub.Changed())
		e.frames.Add(1)
		t.Reset(frameEvery)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchIdle ends the session after IdleTimeout without a key or a click.
func (s *Server) watchIdle(ctx context.Context, e *entry, stop func(string)) {
	every := min(max(s.cfg.IdleTimeout/4, 10*time.Millisecond), 5*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if e.idle(s.cfg.Now()) >= s.cfg.IdleTimeout {
				stop(fmt.Sprintf("no key pressed for %s (--idle-timeout): disconnected", s.cfg.IdleTimeout))
				return
			}
		}
	}
}

// command runs a command session: `who` lists the sessions (operators).
func (s *Server) command(sess ssh.Session, id Identity, cmd []string) int {
	switch strings.Join(cmd, " ") {
	case "who":
		// A key of --operator-keys may list the sessions under --readonly
		// too: it only makes everyone a viewer of the fleet.
		if roleOf(sess, keyRoleExt) != RoleOperator {
			fmt.Fprint(sess.Stderr(), "who: operators only (keys in --operator-keys)\r\n")
			return 1
		}
		fmt.Fprint(sess, WhoTable(s.reg.list(), s.cfg.Now()))
		return 0
	}
	fmt.Fprintf(sess.Stderr(), "mqdeck serve: unknown command %q; connect without one for the console, or run `who`\r\n", decode.Safe(strings.Join(cmd, " ")))
	return 2
}

func hasEnv(environ []string, name string) bool {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name && v != "" {
			return true
		}
	}
	return false
}

// sessionPanic handles a panic (a bug) in the session's console: it is
// logged once, with the session's secrets blanked and made terminal-safe
// (Bubble Tea's own handler would print it as it is on serve's stderr),
// and the session is ended with the reason; the others go on.
func (s *Server) sessionPanic(e *entry) func(r any, stack []byte) {
	var once sync.Once
	clean := cleaner(s.cfg.Console.Redactor())
	return func(r any, stack []byte) {
		once.Do(func() {
			logWithStack(func(l string) { s.logf("%s", l) }, clean,
				fmt.Sprintf("session %d: %s %s: internal error (a bug): %s; the session is closed, mqdeck serve goes on",
					e.id, decode.Safe(e.ident.User), e.ident.Key, decode.Truncate(clean(fmt.Sprint(r)), 300)), stack)
			e.stop("internal error (a bug): this session is closed; mqdeck serve goes on, connect again")
		})
	}
}

// timed is the session's console with each screen's drawing time recorded
// (the frame budget is measured where it is spent, lock wait included),
// and a panic in it recovered for this session (crashed).
type timed struct {
	m       *console.Model
	e       *entry
	crashed func(r any, stack []byte)
}

func (t timed) Init() tea.Cmd { return t.guard(t.m.Init()) }

func (t timed) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	m = t // after a panic too: the program must keep a model until it ends
	defer func() {
		if r := recover(); r != nil {
			t.crashed(r, debug.Stack())
			cmd = nil
		}
	}()
	_, cmd = t.m.Update(msg)
	return t, t.guard(cmd)
}

// guard recovers a panic in cmd, which Bubble Tea runs on a goroutine of
// its own (a publish, say), as a panic of the session: Bubble Tea's
// handler would print it as it is on serve's stderr. A batch's commands
// are guarded each.
func (t timed) guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				t.crashed(r, debug.Stack())
				msg = nil
			}
		}()
		msg = cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			out := make(tea.BatchMsg, len(b)) // b may be the batch's own slice
			for i, c := range b {
				out[i] = t.guard(c)
			}
			return out
		}
		return msg
	}
}

func (t timed) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			t.crashed(r, debug.Stack())
			v = tea.NewView("")
		}
	}()
	start := time.Now()
	v = t.m.View()
	t.e.viewed(time.Since(start))
	return v
}
