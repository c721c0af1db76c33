package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// lockedBuf is a buffer written by one goroutine and read by the test.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuf) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// newKey is a fresh ed25519 key.
func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorizedLine(k gossh.Signer) string {
	return string(gossh.MarshalAuthorizedKey(k.PublicKey()))
}

// rig is a running `mqdeck serve` on 127.0.0.1:0 over a store holding the
// fixed fleet: an operator key (after a malformed line in its file), a
// viewer key, and a stranger nobody listed.
type rig struct {
	srv                 *Server
	hub                 *Hub
	audit, log          *lockedBuf
	op, viewer, strange gossh.Signer
	addr                string
	dir                 string
	stop                func(t testing.TB) // ends Serve (as SIGTERM does) and waits
}

type rigOpts struct {
	publisher console.Publisher // nil: actions off
	mod       func(*Config)
}

func newRig(t testing.TB, o rigOpts) *rig {
	t.Helper()
	r := &rig{audit: &lockedBuf{}, log: &lockedBuf{}, dir: t.TempDir()}
	r.op, r.viewer, r.strange = newKey(t), newKey(t), newKey(t)
	opFile := filepath.Join(r.dir, "operators")
	viewFile := filepath.Join(r.dir, "viewers")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(opFile, "# operators\nssh-ed25519 AAAAthis-is-not-base64 broken\n"+authorizedLine(r.op))
	write(viewFile, authorizedLine(r.viewer))

	// The fixture's clock: the fleet is as fresh, and sorted, as in the
	// console's own tests.
	cfgF := fleet.DefaultConfig()
	cfgF.Now = fixture.Clock
	r.hub = NewHub(fleet.New(cfgF, platforms.Fleet()))
	r.hub.Apply(ingest.Batch{Items: fixture.FleetItems()})
	cfg := Config{
		Listen:  "127.0.0.1:0",
		HostKey: filepath.Join(r.dir, "host_key"),
		Keys:    KeyFiles{Operator: opFile, Viewer: viewFile},
		Console: console.Config{Theme: themes.Dark, Now: fixture.Clock, Actions: console.Actions{
			Publisher: o.publisher, Platform: platform.DRIVR,
			Params: platform.Params{Slug: fixture.Slug}, Timeout: 5 * time.Second}},
		Audit: actions.NewAudit(r.audit, "server", nil),
		Log:   r.log,
	}
	if o.publisher == nil {
		cfg.Console.Actions.Off = "no broker in this test"
	}
	if o.mod != nil {
		o.mod(&cfg)
	}
	srv, err := New(cfg, r.hub)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	r.srv, r.addr = srv, srv.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	var once sync.Once
	r.stop = func(t testing.TB) {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("serve did not stop within 10s")
			}
		})
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

// dial opens an SSH connection with key as user.
func (r *rig) dial(user string, key gossh.Signer) (*gossh.Client, error) {
	return r.dialAt(r.addr, user, key)
}

// command runs cmd in a session of its own (no PTY): its output, stdout
// and stderr together, and how it ended.
func (r *rig) command(t testing.TB, user string, key gossh.Signer, cmd string) ([]byte, error) {
	t.Helper()
	c, err := r.dial(user, key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return s.CombinedOutput(cmd)
}

func (r *rig) dialAt(addr, user string, key gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            user,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // the test made the server
		Timeout:         5 * time.Second,
	})
}

// term is one interactive session as a client sees it.
type term struct {
	t      testing.TB
	c      *gossh.Client
	s      *gossh.Session
	in     io.Writer
	out    *lockedBuf
	errOut *lockedBuf
	done   chan struct{}
}

// open starts a session with a PTY of w x h; read false leaves its output
// unread (a client that stopped reading).
func (r *rig) open(t testing.TB, user string, key gossh.Signer, w, h int, read bool) *term {
	t.Helper()
	return r.openAt(t, r.addr, user, key, w, h, read)
}

// openAt is open through addr (a frozenLink, say).
func (r *rig) openAt(t testing.TB, addr, user string, key gossh.Signer, w, h int, read bool) *term {
	t.Helper()
	return r.openTerm(t, addr, "xterm-256color", user, key, w, h, read)
}

// openTerm is openAt with the PTY's terminal type (its TERM).
func (r *rig) openTerm(t testing.TB, addr, termType, user string, key gossh.Signer, w, h int, read bool) *term {
	t.Helper()
	c, err := r.dialAt(addr, user, key)
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, c: c, s: s, out: &lockedBuf{}, errOut: &lockedBuf{}, done: make(chan struct{})}
	if err := s.RequestPty(termType, h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if tm.in, err = s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.Stderr = tm.errOut
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if read {
		go func() {
			defer close(tm.done)
			_, _ = io.Copy(tm.out, stdout)
		}()
	} else {
		close(tm.done)
	}
	return tm
}

// screen is everything received so far without escape sequences.
func (tm *term) screen() string { return ansi.Strip(tm.out.String()) }

// waitFor waits until the output holds want; it fails after d.
func (tm *term) waitFor(want string, d time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(tm.screen(), want) {
		if time.Now().After(deadline) {
			tail := tm.screen()
			if len(tail) > 3000 {
				tail = tail[len(tail)-3000:]
			}
			tm.t.Fatalf("no %q within %s; the output ends:\n%s", want, d, tail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mark is where the output is now; since(mark) is what came after.
func (tm *term) mark() int { return tm.out.Len() }

func (tm *term) since(mark int) string {
	s := tm.out.String()
	if mark > len(s) {
		return ""
	}
	return ansi.Strip(s[mark:])
}

// waitSince is waitFor on what arrived after mark.
func (tm *term) waitSince(mark int, want string, d time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(tm.since(mark), want) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %q within %s after the mark; since:\n%s", want, d, tm.since(mark))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types keys (raw bytes: "\r" enter, "\x1b[B" down).
func (tm *term) send(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		if _, err := io.WriteString(tm.in, k); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
		time.Sleep(30 * time.Millisecond) // one key per read: escape sequences stay whole
	}
}

// wait waits for the session to end and returns its exit status.
func (tm *term) wait(d time.Duration) (int, error) {
	errc := make(chan error, 1)
	go func() { errc <- tm.s.Wait() }()
	select {
	case err := <-errc:
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus(), nil
		}
		return 0, err
	case <-time.After(d):
		return -1, errors.New("session did not end")
	}
}

// connect starts an mqttconn client on broker for the test.
func connect(t testing.TB, broker string, subs ...mqttconn.Subscription) mqttconn.Client {
	t.Helper()
	return connectWith(t, mqttconn.Options{Broker: broker, Subscriptions: subs})
}

func connectWith(t testing.TB, o mqttconn.Options) mqttconn.Client {
	t.Helper()
	o.ConnectTimeout = 5 * time.Second
	broker := o.Broker
	c, err := mqttconn.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("connect %s: %v", broker, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// frozenLink forwards one TCP connection to the server until freeze: from
// then on nothing the server sends is read (a client whose machine or
// network froze), while what the client sends still gets through. Its
// receive buffer is small, so the server's writes block after a few frames
// rather than after the SSH window (2 MiB) of a client that only stopped
// reading its stdout.
type frozenLink struct {
	ln     net.Listener
	frozen chan struct{}
}

func newFrozenLink(t testing.TB, server string) *frozenLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &frozenLink{ln: ln, frozen: make(chan struct{})}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", server)
		if err != nil {
			_ = c.Close()
			return
		}
		_ = s.(*net.TCPConn).SetReadBuffer(4096)
		t.Cleanup(func() { _ = c.Close(); _ = s.Close() })
		go func() { _, _ = io.Copy(s, c) }()
		buf := make([]byte, 4096)
		for {
			select {
			case <-l.frozen:
				return // stop reading from the server: its writes pile up, then block
			default:
			}
			n, err := s.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return l
}

func (l *frozenLink) addr() string { return l.ln.Addr().String() }
func (l *frozenLink) freeze()      { close(l.frozen) }
