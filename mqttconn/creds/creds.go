// Package creds reads connection secrets from where the operator keeps
// them: an environment variable, a file, or a command that prints a fresh
// token. A Provider reads them again before every connection attempt
// (mqttconn.CredentialSource), so a rotated password, a renewed OAuth2
// token or a fixed file is used without restarting mqdeck. Errors name the
// source, never its value.
package creds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// maxFile bounds what is read from a secret file or a command's output.
const maxFile = 64 << 10

// Source reads one secret. Read is called before every connection attempt.
type Source interface {
	Read(ctx context.Context) (string, error)
	// Name is the flag and its argument for messages: "--token-file /run/t".
	Name() string
}

// Env reads the variable name each time (one code path with the others;
// the environment of a running process does not change).
func Env(flag, name string) Source { return envSource{flag: flag, name: name} }

type envSource struct{ flag, name string }

func (e envSource) Name() string { return e.flag + " " + e.name }

func (e envSource) Read(context.Context) (string, error) {
	v, ok := os.LookupEnv(e.name)
	if !ok || v == "" {
		return "", fmt.Errorf("%s: environment variable %s is not set or empty", e.flag, e.name)
	}
	return v, nil
}

// File reads the first line of path each time. A file others can read is
// still used, with a warning (through warn, at the first read only) naming
// the file and nothing of its content.
func File(flag, path string, warn func(string)) Source {
	return &fileSource{flag: flag, path: path, warn: warn}
}

type fileSource struct {
	flag, path string
	warn       func(string)
	once       sync.Once
}

func (f *fileSource) Name() string { return f.flag + " " + f.path }

func (f *fileSource) Read(context.Context) (string, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what(f.flag), err)
	}
	defer fh.Close()
	// Only the first read may warn: it happens before the console takes
	// the terminal, where a later warning on stderr would corrupt it.
	f.once.Do(func() {
		if st, err := fh.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 && f.warn != nil {
			f.warn(fmt.Sprintf("%s %s is readable by others (mode %04o); chmod 600 it", what(f.flag), f.path, st.Mode().Perm()))
		}
	})
	data, err := io.ReadAll(io.LimitReader(fh, maxFile))
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", what(f.flag), f.path, err)
	}
	line := firstLine(data)
	if line == "" {
		return "", fmt.Errorf("%s %s: %w", what(f.flag), f.path, ErrEmpty)
	}
	return line, nil
}

// ErrEmpty: a file or command gave an empty first line.
var ErrEmpty = errors.New("first line is empty")

// what names a file flag in words for warnings: "password file".
func what(flag string) string {
	return strings.ReplaceAll(strings.TrimPrefix(flag, "--"), "-", " ")
}

func firstLine(data []byte) string {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		data = data[:i]
	}
	return string(data)
}

// Provider is the mqttconn.CredentialSource of one connection: a fixed user
// name or a token source sent as the user name, and a password source.
// Every value it reads is remembered (bounded) in Seen, for scrubbing.
type Provider struct {
	Username string // fixed user name; ignored when Token is set
	Token    Source // an access token sent as the user name (Drogue Cloud)
	Password Source // nil: no password

	seen mqttconn.SecretSet
}

// Credentials reads every source now.
func (p *Provider) Credentials(ctx context.Context) (mqttconn.Credentials, error) {
	cr := mqttconn.Credentials{Username: p.Username}
	if p.Token != nil {
		tok, err := p.Token.Read(ctx)
		if err != nil {
			return mqttconn.Credentials{}, p.scrubbed(err)
		}
		p.seen.Add(tok)
		cr.Username, cr.UsernameSecret = tok, true
	}
	if p.Password != nil {
		pw, err := p.Password.Read(ctx)
		if err != nil {
			return mqttconn.Credentials{}, p.scrubbed(err)
		}
		p.seen.Add(pw)
		cr.Password = pw
	}
	return cr, nil
}

// Check reads the sources that cost nothing to read (variables and files),
// so a wrong name or path is said before connecting. A token command is
// not run here: it runs before each attempt, the first included.
func (p *Provider) Check() error {
	for _, s := range []Source{p.Token, p.Password} {
		if s == nil {
			continue
		}
		if _, ok := s.(*commandSource); ok {
			continue
		}
		v, err := s.Read(context.Background())
		if err != nil {
			return p.scrubbed(err)
		}
		p.seen.Add(v)
	}
	return nil
}

// Describe names the sources read again at each attempt, never a value.
func (p *Provider) Describe() string {
	var names []string
	for _, s := range []Source{p.Token, p.Password} {
		if s != nil {
			names = append(names, s.Name())
		}
	}
	return strings.Join(names, " and ")
}

// Seen lists the secret values read so far (the latest few), for crash
// reports and other text that must not show them.
func (p *Provider) Seen() []string { return p.seen.List() }

// scrubbed hides any secret read before from an error (a command's stderr
// could echo an old token).
func (p *Provider) scrubbed(err error) error {
	msg := err.Error()
	if s := p.seen.Scrub(msg); s != msg {
		return errors.New(s)
	}
	return err
}

var _ mqttconn.CredentialSource = (*Provider)(nil)
