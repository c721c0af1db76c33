package serve

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func tcp(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000} }

// from= is matched against the client's address: wildcards, prefixes,
// refusals first; what serve cannot decide skips the line.
func TestFromPatterns(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		from   string
		addr   string
		allow  bool
		reason string
	}{
		{"127.0.0.1", "127.0.0.1", true, ""},
		{"127.0.0.1", "127.0.0.2", false, "is not in from="},
		{"10.0.0.0/8", "10.20.30.40", true, ""},
		{"10.0.0.0/8", "11.0.0.1", false, "is not in from="},
		{"192.168.1.*", "192.168.1.77", true, ""},
		{"192.168.1.?", "192.168.1.77", false, "is not in from="},
		{"*,!10.1.2.3", "10.1.2.3", false, "is refused by from="},
		{"*,!10.1.2.3", "10.1.2.4", true, ""},
		{"!10.0.0.0/8,10.0.0.5", "10.0.0.5", false, "is refused by from="},
		{"::1", "::1", true, ""},
		{"fd00::/8", "fd12::7", true, ""},
		{"127.0.0.1", "::ffff:127.0.0.1", true, ""}, // a v4 client on a v6 socket
	} {
		o, err := parseKeyOptions([]string{`from="` + c.from + `"`}, time.UTC)
		if err != nil {
			t.Fatalf("from=%q: %v", c.from, err)
		}
		ok, why := o.allows(tcp(c.addr), now)
		if ok != c.allow || !strings.Contains(why, c.reason) {
			t.Errorf("from=%q, client %s: %v %q; want %v %q", c.from, c.addr, ok, why, c.allow, c.reason)
		}
	}
}

func TestKeyOptionsServeCannotKeepSkipTheLine(t *testing.T) {
	for _, c := range []struct {
		opts []string
		want string // "" accepted
	}{
		{[]string{`command="/usr/bin/backup"`}, "command="},
		{[]string{"no-pty"}, "needs a terminal"},
		{[]string{"restrict"}, "needs a terminal"},
		{[]string{"restrict", "pty"}, ""},
		{[]string{"no-port-forwarding", "no-agent-forwarding", "no-X11-forwarding"}, ""},
		{[]string{"cert-authority"}, "certificates"},
		{[]string{`from="*.example.com"`}, "host name"},
		{[]string{`from="!bastion"`}, "host name"},
		{[]string{`from="10.0.0.0/33"`}, "address/prefix"},
		{[]string{`from=10.0.0.1`}, "double quotes"},
		{[]string{"frobnicate"}, "unknown option"},
		{[]string{`expiry-time="2027"`}, "YYYYMMDD"},
	} {
		_, err := parseKeyOptions(c.opts, time.UTC)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want accepted", c.opts, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want an error saying %q", c.opts, err, c.want)
		}
	}
}

func TestExpiryTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	o, err := parseKeyOptions([]string{`expiry-time="202612051300"`}, berlin) // 12:00 UTC
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := o.allows(tcp("127.0.0.1"), time.Date(2026, 12, 5, 11, 59, 59, 0, time.UTC)); !ok {
		t.Error("refused a second before it expires")
	}
	if ok, why := o.allows(tcp("127.0.0.1"), time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)); ok || !strings.Contains(why, "expired at 2026-12-05T12:00:00Z") {
		t.Errorf("at expiry: %v %q", ok, why)
	}
	z, err := parseKeyOptions([]string{`expiry-time="20261205Z"`}, berlin)
	if err != nil || !z.expires.Equal(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Z: %v %v", z.expires, err)
	}
}

// A line whose options serve cannot keep is skipped and reported, the
// others still count; a from= that refuses this client says why.
func TestAuthorizeAppliesKeyOptions(t *testing.T) {
	dir := t.TempDir()
	op, other := newKey(t), newKey(t)
	line := func(opts string, k gossh.Signer) string {
		return opts + " " + string(gossh.MarshalAuthorizedKey(k.PublicKey()))
	}
	file := filepath.Join(dir, "operators")
	content := line(`command="/bin/true"`, other) + line(`from="10.0.0.0/8"`, op) + line(`from="127.0.0.1",expiry-time="20990101"`, op)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	k := KeyFiles{Operator: file}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	role, denied, probs := k.Authorize(Login{Key: op.PublicKey(), Remote: tcp("127.0.0.1"), Now: now})
	if role != RoleOperator {
		t.Errorf("from 127.0.0.1: role %v, denied %q", role, denied)
	}
	if len(probs) != 1 || probs[0].Line != 1 || !strings.Contains(probs[0].String(), "operators:1: skipped: command=") {
		t.Errorf("problems %v", probs)
	}
	role, denied, _ = k.Authorize(Login{Key: op.PublicKey(), Remote: tcp("192.0.2.9"), Now: now})
	if role != RoleNone || len(denied) != 2 || !strings.Contains(denied[0], "operators:2: 192.0.2.9 is not in from=") {
		t.Errorf("from 192.0.2.9: role %v, denied %q", role, denied)
	}
	if role, _, _ = k.Authorize(Login{Key: other.PublicKey(), Remote: tcp("127.0.0.1"), Now: now}); role != RoleNone {
		t.Errorf("the command= key got %v", role)
	}
}

// Over a real SSH login: a key allowed only from another address is
// refused, and the log says which line and why; from this address it
// gets in.
func TestFromIsAppliedAtLogin(t *testing.T) {
	r := newRig(t, rigOpts{})
	of := r.srv.cfg.Keys.Operator
	if err := os.WriteFile(of, []byte(`from="10.9.9.9" `+authorizedLine(r.op)), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := r.dial("alice", r.op); err == nil {
		c.Close()
		t.Fatal("a key allowed from 10.9.9.9 got in from 127.0.0.1")
	}
	if want := `operators:1: 127.0.0.1 is not in from="10.9.9.9"`; !strings.Contains(r.log.String(), want) {
		t.Errorf("the refusal does not say why (%s):\n%s", want, r.log.String())
	}
	if err := os.WriteFile(of, []byte(`from="127.0.0.0/8",no-agent-forwarding `+authorizedLine(r.op)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := r.dial("alice", r.op)
	if err != nil {
		t.Fatalf("from 127.0.0.0/8: %v\n%s", err, r.log.String())
	}
	c.Close()
}
