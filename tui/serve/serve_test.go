package serve

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

const (
	down    = "\x1b[B"
	enter   = "\r"
	sysName = "Energy Ma" // the fleet row (the name is cut in its middle at 120x40)
)

// Only listed keys get in: a stranger is refused at the handshake; a
// malformed line of a key file is reported and skipped, and the key after
// it still counts; a session without a PTY is told why and ends.
func TestKeysDecideWhoGetsIn(t *testing.T) {
	r := newRig(t, rigOpts{})
	if _, err := r.dial("mallory", r.strange); err == nil {
		t.Fatal("a key in no key file got in")
	}
	if !strings.Contains(r.log.String(), "refused mallory key "+Fingerprint(r.strange.PublicKey())) {
		t.Errorf("the refusal is not logged with the key:\n%s", r.log.String())
	}
	if !strings.Contains(r.log.String(), "operators:2: skipped") {
		t.Errorf("the malformed line is not reported:\n%s", r.log.String())
	}

	op := r.open(t, "alice", r.op, 120, 40, true)
	op.waitFor(sysName, 10*time.Second)
	vw := r.open(t, "bob", r.viewer, 80, 24, true)
	vw.waitFor(sysName, 10*time.Second)

	c, err := r.dial("carol", r.op)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuf
	s.Stderr = &stderr
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	err = s.Wait()
	if !strings.Contains(stderr.String(), "needs a terminal") {
		t.Errorf("no-PTY session: %v, stderr %q", err, stderr.String())
	}
	var ee interface{ ExitStatus() int }
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Errorf("no-PTY session ended with %v, want exit status 1", err)
	}

	// The host key was created, readable by its owner only.
	fi, err := os.Stat(filepath.Join(r.dir, "host_key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key: %v, mode %v", err, fi.Mode())
	}
}

// Without a key file serve does not start.
func TestNoKeyFileNoServer(t *testing.T) {
	_, err := New(Config{HostKey: filepath.Join(t.TempDir(), "k")}, NewHub(fixture.Store()))
	if !errors.Is(err, ErrNoKeyFiles) {
		t.Fatalf("New without key files: %v", err)
	}
	_, err = New(Config{HostKey: filepath.Join(t.TempDir(), "k"), Keys: KeyFiles{Viewer: "/nonexistent/keys"}}, NewHub(fixture.Store()))
	if err == nil {
		t.Fatal("an unreadable key file was accepted")
	}
}

// A key file is read at each login: a key added after the start gets in,
// one removed no longer does.
func TestKeyFilesReadAtEachLogin(t *testing.T) {
	r := newRig(t, rigOpts{})
	if _, err := r.dial("dave", r.strange); err == nil {
		t.Fatal("stranger got in")
	}
	vf := r.srv.cfg.Keys.Viewer
	if err := os.WriteFile(vf, []byte(authorizedLine(r.strange)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := r.dial("dave", r.strange)
	if err != nil {
		t.Fatalf("a key added to the file was refused: %v", err)
	}
	c.Close()
	if _, err := r.dial("bob", r.viewer); err == nil {
		t.Fatal("a key removed from the file still got in")
	}
}

// Roles are enforced where actions publish: the viewer's trigger is
// refused with the reason on screen, the operator's reaches Mosquitto, and
// a subscriber on # sees only the operator's. Every audit line names the
// operator and the key's fingerprint, and so does the action's row.
func TestViewerRefusedOperatorPublishes(t *testing.T) {
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	pub := connect(t, mq.URL())
	watch := connect(t, mq.URL(), mqttconn.Subscription{Filter: "#"})
	var mu sync.Mutex
	var inputs []string
	go func() {
		for m := range watch.Messages() {
			if strings.Contains(m.Topic, "/input/") {
				mu.Lock()
				inputs = append(inputs, m.Topic)
				mu.Unlock()
			}
		}
	}()
	seen := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), inputs...)
	}

	r := newRig(t, rigOpts{publisher: pub})
	vw := r.open(t, "bob", r.viewer, 120, 40, true)
	vw.waitFor(sysName, 10*time.Second)
	m := vw.mark()
	vw.send("1", "g", down, "t")
	vw.waitSince(m, "role viewer", 5*time.Second)
	// Even a publish that got past the keys stops at the role's publisher.
	res := rolePublisher{role: RoleViewer, next: pub}.Publish(context.Background(),
		mqttconn.PublishRequest{Topic: "drivr/v1/company-example/input/event/s/x/json", Payload: []byte("{}"), QoS: 1})
	if res.Outcome != mqttconn.OutcomeReadOnly || res.Reason != ViewerRefusal {
		t.Fatalf("viewer publish: %+v", res)
	}

	op := r.open(t, "alice", r.op, 120, 40, true)
	op.waitFor(sysName, 10*time.Second)
	op.send("1", "g", down, "t")
	op.waitFor("Trigger event", 5*time.Second)
	op.send(enter)
	op.waitFor("Confirm trigger event", 5*time.Second)
	m = op.mark()
	op.send("y")
	op.waitSince(m, "#1", 5*time.Second)

	deadline := time.Now().Add(10 * time.Second)
	for len(seen()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything else published would be in by now
	if got := seen(); len(got) != 1 || !strings.Contains(got[0], "/input/event/s/"+fixture.System) {
		t.Fatalf("the broker saw %v, want only the operator's trigger", got)
	}

	// The action's row names alice.
	m = op.mark()
	op.send("7")
	op.waitSince(m, "alice: ", 5*time.Second)

	fp := Fingerprint(r.op.PublicKey())
	lines := strings.Split(strings.TrimSpace(r.audit.String()), "\n")
	if len(lines) < 2 {
		t.Fatalf("audit: %q", r.audit.String())
	}
	for _, l := range lines {
		var rec actions.AuditRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Operator != "alice" || rec.Key != fp {
			t.Errorf("audit line without alice's identity (%s): %s", fp, l)
		}
	}
}

// --readonly makes the operator a viewer too.
func TestReadOnlyMakesEveryoneAViewer(t *testing.T) {
	r := newRig(t, rigOpts{publisher: rolePublisher{role: RoleOperator}, mod: func(c *Config) { c.ReadOnly = true }})
	op := r.open(t, "alice", r.op, 120, 40, true)
	op.waitFor(sysName, 10*time.Second)
	m := op.mark()
	op.send("1", "g", down, "t")
	op.waitSince(m, "--readonly: nothing is published", 5*time.Second)
	if r.audit.Len() != 0 {
		t.Fatalf("audit: %s", r.audit.String())
	}
}

// who lists the sessions for an operator (user, role, key, since, idle);
// a viewer may not; past --max-sessions a session is refused with the
// reason.
func TestWhoAndMaxSessions(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) { c.MaxSessions = 2 }})
	a := r.open(t, "alice", r.op, 100, 30, true)
	b := r.open(t, "bob", r.viewer, 100, 30, true)
	a.waitFor(sysName, 10*time.Second)
	b.waitFor(sysName, 10*time.Second)

	third := r.open(t, "alice", r.op, 100, 30, true)
	if code, err := third.wait(10 * time.Second); err != nil || code != 1 {
		t.Fatalf("third session: exit %d, %v", code, err)
	}
	if !strings.Contains(third.errOut.String(), "--max-sessions 2") {
		t.Errorf("refusal: %q", third.errOut.String())
	}

	c, err := r.dial("alice", r.op)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Output("who")
	if err != nil {
		t.Fatalf("who: %v", err)
	}
	who := string(out)
	for _, want := range []string{"alice", "operator", Fingerprint(r.op.PublicKey()), "bob", "viewer", Fingerprint(r.viewer.PublicKey()), "2 session(s)"} {
		if !strings.Contains(who, want) {
			t.Errorf("who lacks %q:\n%s", want, who)
		}
	}
	if out, err := r.command(t, "bob", r.viewer, "who"); err == nil || !strings.Contains(string(out), "operators only") {
		t.Errorf("a viewer's who: %v %q", err, out)
	}
}

// A session without a key press for --idle-timeout is told and ended.
func TestIdleTimeout(t *testing.T) {
	r := newRig(t, rigOpts{mod: func(c *Config) { c.IdleTimeout = 700 * time.Millisecond }})
	a := r.open(t, "alice", r.op, 100, 30, true)
	a.waitFor(sysName, 10*time.Second)
	if code, err := a.wait(10 * time.Second); err != nil || code != 0 {
		t.Fatalf("idle session: exit %d, %v", code, err)
	}
	a.waitFor("no key pressed for 700ms", time.Second)
	deadline := time.Now().Add(2 * time.Second)
	for len(r.srv.Who()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(r.srv.Who()); n != 0 {
		t.Errorf("%d sessions left in the registry", n)
	}
}

// SIGTERM (the context ending) tells every session why and ends it.
func TestShutdownTellsEverySession(t *testing.T) {
	r := newRig(t, rigOpts{})
	a := r.open(t, "alice", r.op, 100, 30, true)
	b := r.open(t, "bob", r.viewer, 100, 30, true)
	a.waitFor(sysName, 10*time.Second)
	b.waitFor(sysName, 10*time.Second)
	r.stop(t)
	for _, tm := range []*term{a, b} {
		if _, err := tm.wait(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		tm.waitFor("mqdeck serve: shutting down", time.Second)
	}
}
