package serve

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// waitLog waits until serve's log matches re; it fails after d.
func (r *rig) waitLog(t *testing.T, re string, d time.Duration) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(d)
	for !rx.MatchString(r.log.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("serve's log has no %q within %s:\n%s", re, d, r.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// refusal is the status line's text after prefix, as far as its ellipsis
// (a cut) or the line's end, once one of them or want has arrived.
func refusal(tm *term, mark int, prefix, want string) string {
	tm.t.Helper()
	tm.waitSince(mark, prefix, 5*time.Second)
	var s string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s = tm.since(mark)
		s = s[strings.Index(s, prefix)+len(prefix):]
		if strings.Contains(s, "…") || strings.Contains(s, want) {
			break
		}
	}
	if i := strings.IndexAny(s, "…\r\n"); i >= 0 {
		if strings.HasPrefix(s[i:], "…") {
			return s[:i+len("…")]
		}
		return s[:i]
	}
	return s[:min(len(s), 80)]
}

// A viewer's refusal is read whole on an 80-column status line: what
// matters ("nothing is published") came last and was cut off.
func TestViewerRefusalFitsIn80Columns(t *testing.T) {
	r := newRig(t, rigOpts{publisher: rolePublisher{role: RoleOperator}})
	vw := r.open(t, "bob", r.viewer, 80, 24, true)
	vw.waitFor(sysName, 10*time.Second)
	m := vw.mark()
	vw.send("1", "g", down, "t")
	if got := refusal(vw, m, "Trigger event: actions are off: ", "nothing is published"); strings.Contains(got, "…") || !strings.Contains(got, "nothing is published") {
		t.Errorf("a viewer's refusal at 80 columns reads %q", got)
	}

	ro := newRig(t, rigOpts{publisher: rolePublisher{role: RoleOperator}, mod: func(c *Config) { c.ReadOnly = true }})
	op := ro.open(t, "alice", ro.op, 80, 24, true)
	op.waitFor(sysName, 10*time.Second)
	m = op.mark()
	op.send("1", "g", down, "t")
	if got := refusal(op, m, "Trigger event: actions are off: ", "--readonly: nothing is published"); strings.Contains(got, "…") || !strings.Contains(got, "--readonly: nothing is published") {
		t.Errorf("a refusal under --readonly at 80 columns reads %q", got)
	}
	if ro.audit.Len() != 0 || r.audit.Len() != 0 {
		t.Fatalf("audit: %s %s", r.audit.String(), ro.audit.String())
	}
}

// A viewer's R (reconnect the broker now) says why it does nothing,
// instead of nothing; an operator's is no refusal.
func TestViewerRetryIsRefusedInWords(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) { c.Console.RetryNow = func() bool { return false } }})
	vw := r.open(t, "bob", r.viewer, 100, 30, true)
	vw.waitFor(sysName, 10*time.Second)
	m := vw.mark()
	vw.send("R")
	vw.waitSince(m, "only operators reconnect", 5*time.Second)

	op := r.open(t, "alice", r.op, 100, 30, true)
	op.waitFor(sysName, 10*time.Second)
	m = op.mark()
	op.send("R")
	op.waitSince(m, "nothing to retry", 5*time.Second) // connected: no wait to end
}

// Under --readonly a key of --operator-keys still lists the sessions (it
// shows as a viewer); a viewer's key still may not.
func TestReadOnlyOperatorKeyRunsWho(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) { c.ReadOnly = true }})
	a := r.open(t, "alice", r.op, 100, 30, true)
	a.waitFor(sysName, 10*time.Second)

	out, err := r.command(t, "alice", r.op, "who")
	if err != nil {
		t.Fatalf("who with an operator's key under --readonly: %v %q", err, out)
	}
	if !regexp.MustCompile(`alice +viewer +` + regexp.QuoteMeta(Fingerprint(r.op.PublicKey()))).Match(out) {
		t.Errorf("who does not list alice as a viewer:\n%s", out)
	}

	if out, err := r.command(t, "bob", r.viewer, "who"); err == nil || !strings.Contains(string(out), "operators only") {
		t.Errorf("a viewer's who: %v %q", err, out)
	}
}

// Every login reaches serve's log, a command's too (who ran it, from
// where, how it ended), and refusals say where they came from.
func TestCommandsAndRefusalsAreLogged(t *testing.T) {
	r := newRig(t, rigOpts{})
	run := func(user string, key gossh.Signer, cmd string) {
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
		if cmd == "" {
			_ = s.Shell()
			_ = s.Wait()
			return
		}
		_, _ = s.CombinedOutput(cmd)
	}
	run("alice", r.op, "who")
	r.waitLog(t, `alice `+regexp.QuoteMeta(Fingerprint(r.op.PublicKey()))+` as operator from 127\.0\.0\.1:\d+ ran "who": exit 0`, 5*time.Second)
	run("bob", r.viewer, "who")
	r.waitLog(t, `bob \S+ as viewer from 127\.0\.0\.1:\d+ ran "who": exit 1`, 5*time.Second)
	run("bob", r.viewer, "rm -rf /")
	r.waitLog(t, `bob \S+ as viewer from 127\.0\.0\.1:\d+ ran "rm -rf /": exit 2`, 5*time.Second)
	run("carol", r.op, "") // no PTY
	r.waitLog(t, `refused carol \S+ from 127\.0\.0\.1:\d+: no PTY`, 5*time.Second)
}

// The key files are read when serve starts, so a malformed line is in the
// log before anyone tries to log in, with how many keys each role has; a
// start where nobody could log in says so.
func TestKeyFilesSurveyedAtStart(t *testing.T) {
	r := newRig(t, rigOpts{})
	r.waitLog(t, `operator keys: 1 in \S+operators`, 5*time.Second)
	r.waitLog(t, `viewer keys: 1 in \S+viewers`, 5*time.Second)
	r.waitLog(t, `key file \S+operators:2: skipped: not an authorized_keys line`, 5*time.Second)
	if strings.Contains(r.log.String(), "nobody can log in") {
		t.Errorf("warned with keys in the files:\n%s", r.log.String())
	}

	empty := newRig(t, rigOpts{mod: func(c *Config) {
		for _, p := range []string{c.Keys.Operator, c.Keys.Viewer} {
			if err := os.WriteFile(p, []byte("# nobody yet\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}})
	empty.waitLog(t, `no usable key in the key files: nobody can log in`, 5*time.Second)
}

// A client with TERM=dumb still sees which row is selected: the session
// draws in the mono theme with text attributes (reverse video) instead of
// stripping them all.
func TestDumbTerminalShowsTheSelection(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) { c.Console.Theme = themes.Auto }})
	tm := r.openTerm(t, r.addr, "dumb", "bob", r.viewer, 80, 24, true)
	tm.waitFor(sysName, 10*time.Second)
	reverse := regexp.MustCompile(`\x1b\[(?:\d+;)*7(?:;\d+)*m`)
	deadline := time.Now().Add(5 * time.Second)
	for !reverse.MatchString(tm.out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("TERM=dumb: no reverse video (the selection) in %d bytes of output", tm.out.Len())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if regexp.MustCompile(`\x1b\[(?:\d+;)*(?:3[0-9]|4[0-9]|38;5;\d+|48;5;\d+)(?:;\d+)*m`).MatchString(tm.out.String()) {
		t.Errorf("TERM=dumb got colours")
	}
}

// A key file anyone may write lets anyone make themselves an operator: it
// grants nothing and says why, at start and at each login. A host key
// others can read is reported at start.
func TestKeyFileWritableByAnyoneGrantsNothing(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) {
		if err := os.Chmod(c.Keys.Viewer, 0o666); err != nil {
			t.Fatal(err)
		}
	}})
	r.waitLog(t, `key file \S+viewers: skipped: writable by anyone \(mode 0666\)`, 5*time.Second)
	if _, err := r.dial("bob", r.viewer); err == nil {
		t.Fatal("a key in a file anyone may write got in")
	}
	if err := os.Chmod(r.srv.cfg.Keys.Viewer, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := r.dial("bob", r.viewer)
	if err != nil {
		t.Fatalf("refused once the file is 0644: %v", err)
	}
	c.Close()

	hk := filepath.Join(t.TempDir(), "host_key")
	if _, err := New(Config{HostKey: hk, Keys: r.srv.cfg.Keys}, NewHub(fixture.Store())); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(hk, 0o644); err != nil {
		t.Fatal(err)
	}
	var log lockedBuf
	if _, err := New(Config{HostKey: hk, Keys: r.srv.cfg.Keys, Log: &log}, NewHub(fixture.Store())); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "is open to others (mode 0644)") {
		t.Errorf("a host key others can read is not reported:\n%s", log.String())
	}
}

// A key file's bad line is logged once (at start), not again before each
// login; when the file's problems change they are logged again.
func TestKeyFileProblemsLoggedWhenTheyChange(t *testing.T) {
	r := newRig(t, rigOpts{})
	r.waitLog(t, `operators:2: skipped`, 5*time.Second)
	for _, k := range []struct {
		user string
		key  gossh.Signer
	}{{"alice", r.op}, {"bob", r.viewer}, {"alice", r.op}} {
		c, err := r.dial(k.user, k.key)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if n := strings.Count(r.log.String(), "operators:2: skipped"); n != 1 {
		t.Errorf("the bad line was logged %d times over three logins:\n%s", n, r.log.String())
	}
	f, err := os.OpenFile(r.srv.cfg.Keys.Operator, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("ssh-rsa nonsense\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c, err := r.dial("alice", r.op)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	r.waitLog(t, `operators:4: skipped`, 5*time.Second)
	if n := strings.Count(r.log.String(), "operators:2: skipped"); n != 2 {
		t.Errorf("after the file changed the bad lines were not all logged again (%d):\n%s", n, r.log.String())
	}
}

// A bug in one session's console (a panic while it holds the store's read
// lock) ends that session only: the lock is let go, so the ingest and the
// other sessions go on; the log has the panic with the session's secrets
// blanked, and the session is told.
func TestSessionPanicEndsThatSessionOnly(t *testing.T) {
	const secret = "hunter2-broker-password"
	r := newRig(t, rigOpts{mod: func(c *Config) {
		c.Console.Redact = []string{secret}
		c.Console.RetryNow = func() bool { panic("retry broke holding " + secret) } // R, under the read lock
	}})
	bob := r.open(t, "bob", r.viewer, 100, 30, true)
	bob.waitFor(sysName, 10*time.Second)
	alice := r.open(t, "alice", r.op, 100, 30, true)
	alice.waitFor(sysName, 10*time.Second)
	alice.send("R")
	if _, err := alice.wait(10 * time.Second); err != nil {
		t.Fatalf("alice's session after the panic: %v", err)
	}
	alice.waitFor("internal error", time.Second)

	applied := make(chan struct{})
	go func() {
		r.hub.Apply(ingest.Batch{Items: fixture.FleetItems()})
		close(applied)
	}()
	select {
	case <-applied:
	case <-time.After(5 * time.Second):
		t.Fatal("the ingest cannot apply a batch after a session's panic: the store's lock was left held")
	}
	m := bob.mark()
	bob.send("2")
	bob.waitSince(m, "2 Events", 5*time.Second)

	r.waitLog(t, `session \d+: alice \S+: internal error \(a bug\): retry broke holding \[redacted\]`, 5*time.Second)
	if strings.Contains(r.log.String(), secret) {
		t.Errorf("the log has the secret:\n%s", r.log.String())
	}
}

// A key gets the console and `who`, nothing more: no port forwarding
// either way (a viewer must not reach the broker through serve's host)
// and no subsystem (sftp).
func TestNoForwardingNoSubsystem(t *testing.T) {
	r := newRig(t, rigOpts{})
	c, err := r.dial("bob", r.viewer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if conn, err := c.Dial("tcp", r.addr); err == nil {
		conn.Close()
		t.Error("a local forwarding (ssh -L) was opened")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("a remote forwarding (ssh -R) was opened")
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Error("the sftp subsystem was granted")
	}
}

// panicPublisher is a broker connection with a bug: it panics holding a
// secret.
type panicPublisher struct{ secret string }

func (p panicPublisher) Publish(context.Context, mqttconn.PublishRequest) mqttconn.PublishResult {
	panic("publish broke holding " + p.secret)
}

// A panic in a command the console runs on its own goroutine (a publish)
// is the session's too: logged with the secret blanked, the session
// ended, the others go on.
func TestSessionCommandPanicIsTheSessions(t *testing.T) {
	const secret = "hunter2-broker-password"
	r := newRig(t, rigOpts{publisher: panicPublisher{secret}, mod: func(c *Config) { c.Console.Redact = []string{secret} }})
	bob := r.open(t, "bob", r.viewer, 100, 30, true)
	bob.waitFor(sysName, 10*time.Second)
	alice := r.open(t, "alice", r.op, 120, 40, true)
	alice.waitFor(sysName, 10*time.Second)
	alice.send("1", "g", down, "t")
	alice.waitFor("Trigger event", 5*time.Second)
	alice.send(enter)
	alice.waitFor("Confirm trigger event", 5*time.Second)
	alice.send("y")
	// The session ends; its goodbye may not arrive: the publish never
	// answers, and the session waits for it past leaveGrace.
	if code, err := alice.wait(20 * time.Second); code == -1 {
		t.Fatalf("alice's session after the panic: %v", err)
	}
	r.waitLog(t, `session \d+: alice \S+: internal error \(a bug\): publish broke holding \[redacted\]`, 5*time.Second)
	if strings.Contains(r.log.String(), secret) {
		t.Errorf("the log has the secret:\n%s", r.log.String())
	}
	m := bob.mark()
	bob.send("2")
	bob.waitSince(m, "2 Events", 5*time.Second)
}
