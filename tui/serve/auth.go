// Package serve is `mqdeck serve`: one broker connection, one ingest and
// one fleet store shown to any number of SSH sessions, each its own Bubble
// Tea program with its own view state. Access is by public key only, from
// authorized_keys files read at each login; the file a key is in gives its
// role, and the role is enforced where an action publishes.
package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Role is what a session may do.
type Role int

const (
	RoleNone     Role = iota // not authorized
	RoleViewer               // sees everything, publishes nothing
	RoleOperator             // may act
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleOperator:
		return "operator"
	}
	return "none"
}

// KeyFiles are the authorized_keys files of each role. A key in both is
// an operator.
type KeyFiles struct {
	Operator string
	Viewer   string
}

// ErrNoKeyFiles: serve never runs without a key file (no anonymous access).
var ErrNoKeyFiles = errors.New("no key file: give --operator-keys and/or --viewer-keys (authorized_keys format); there is no anonymous, password or keyboard-interactive login")

// Check refuses a configuration that would let nobody in, or a file that
// cannot be read now.
func (k KeyFiles) Check() error {
	if k.Operator == "" && k.Viewer == "" {
		return ErrNoKeyFiles
	}
	for _, p := range []string{k.Operator, k.Viewer} {
		if p == "" {
			continue
		}
		if _, err := os.ReadFile(p); err != nil {
			return fmt.Errorf("key file: %w", err)
		}
	}
	return nil
}

// Problem is a line of a key file that was skipped.
type Problem struct {
	File string
	Line int
	Err  error
}

func (p Problem) String() string {
	if p.Line == 0 { // the whole file
		return fmt.Sprintf("%s: skipped: %v", p.File, p.Err)
	}
	return fmt.Sprintf("%s:%d: skipped: %v", p.File, p.Line, p.Err)
}

// Login is who asks to come in: the key offered, from where, when.
type Login struct {
	Key    gossh.PublicKey
	Remote net.Addr
	Now    time.Time
}

// Authorize reads the key files now (they may have changed since the last
// login) and returns the login's role. Malformed lines, and lines with an
// option serve cannot keep (keyOptions), are returned as problems and
// skipped; the other lines of the file still count. An unreadable file
// grants nothing and is a problem too. denied says why lines listing the
// key did not let this login in (from=, expiry-time=).
func (k KeyFiles) Authorize(l Login) (role Role, denied []string, probs []Problem) {
	for _, f := range []struct {
		path string
		role Role
	}{{k.Viewer, RoleViewer}, {k.Operator, RoleOperator}} {
		if f.path == "" {
			continue
		}
		found, why, ps := fileHasKey(f.path, l)
		probs = append(probs, ps...)
		denied = append(denied, why...)
		if found {
			role = f.role // operator is read last: it wins
		}
	}
	return role, denied, probs
}

// fileHasKey reports whether the authorized_keys file at path lets the
// login in.
func fileHasKey(path string, l Login) (found bool, denied []string, probs []Problem) {
	want := l.Key.Marshal()
	probs = eachKey(path, func(n int, pk gossh.PublicKey, o keyOptions) {
		if !bytes.Equal(pk.Marshal(), want) {
			return
		}
		if ok, why := o.allows(l.Remote, l.Now); ok {
			found = true
		} else {
			denied = append(denied, fmt.Sprintf("%s:%d: %s", path, n, why))
		}
	})
	return found, denied, probs
}

// eachKey calls fn with each usable line of the authorized_keys file at
// path (its number, key and options) and returns the lines it skipped.
// Each line is parsed on its own: ParseAuthorizedKey given the whole file
// would pass over a bad line without saying so.
func eachKey(path string, fn func(n int, pk gossh.PublicKey, o keyOptions)) []Problem {
	data, err := os.ReadFile(path)
	if err != nil {
		return []Problem{{File: path, Err: err}}
	}
	// Anyone on the machine could add their key to a file writable by
	// others (sshd's StrictModes refuses such a file too).
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o002 != 0 {
		return []Problem{{File: path, Err: fmt.Errorf("writable by anyone (mode %04o): no key in it counts; chmod o-w", fi.Mode().Perm())}}
	}
	var probs []Problem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 16<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pk, _, opts, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			probs = append(probs, Problem{File: path, Line: n, Err: errors.New("not an authorized_keys line")})
			continue
		}
		o, err := parseKeyOptions(opts, time.Local)
		if err != nil {
			probs = append(probs, Problem{File: path, Line: n, Err: err})
			continue
		}
		fn(n, pk, o)
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{File: path, Err: fmt.Errorf("read: %w", err)})
	}
	return probs
}

// KeyCount is how many usable key lines a key file holds now.
type KeyCount struct {
	File string
	Role Role
	Keys int
}

// Survey reads the key files as a login would, for the log at start: the
// usable lines of each file and the lines a login would skip. A problem
// there would otherwise first show when someone tries to log in.
func (k KeyFiles) Survey() (counts []KeyCount, probs []Problem) {
	for _, f := range []struct {
		path string
		role Role
	}{{k.Operator, RoleOperator}, {k.Viewer, RoleViewer}} {
		if f.path == "" {
			continue
		}
		c := KeyCount{File: f.path, Role: f.role}
		probs = append(probs, eachKey(f.path, func(int, gossh.PublicKey, keyOptions) { c.Keys++ })...)
		counts = append(counts, c)
	}
	return counts, probs
}

// Fingerprint is the key's SHA256 fingerprint as OpenSSH prints it.
func Fingerprint(key gossh.PublicKey) string { return gossh.FingerprintSHA256(key) }
