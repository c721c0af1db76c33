package mqttconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Credentials are what one connection attempt sends in CONNECT.
type Credentials struct {
	Username string
	Password string // secret
	// UsernameSecret marks a user name that is an access token (Drogue
	// Cloud's OAuth2 token): it is scrubbed from errors like the password.
	UsernameSecret bool
}

// CredentialSource gives the credentials for one connection attempt. The
// client asks before every attempt, the first and each reconnect, so a
// password, token or token command that changed is used without a restart.
type CredentialSource interface {
	// Credentials reads the sources now. It must return when ctx ends;
	// its error names the source and never holds a secret.
	Credentials(ctx context.Context) (Credentials, error)
	// Describe names the sources for messages ("--token-file /run/token"),
	// never a value; "" when nothing is read again between attempts.
	Describe() string
}

// ErrCredentials is the ConnectError kind of an attempt that could not be
// made because a credential source failed (a token command exited 1, a
// password file or client key is missing mid-rotation).
var ErrCredentials = errors.New("credentials unavailable")

// staticCredentials is the source for Options.Username and Password.
type staticCredentials Credentials

func (s staticCredentials) Credentials(context.Context) (Credentials, error) {
	return Credentials(s), nil
}

func (staticCredentials) Describe() string { return "" }

// source is the credential source of these options.
func (o *Options) source() CredentialSource {
	if o.Credentials != nil {
		return o.Credentials
	}
	return staticCredentials{Username: o.Username, Password: o.Password}
}

// attemptCredentials reads the credentials for one attempt. A failure is a
// *ConnectError of kind ErrCredentials, so both protocols report it the way
// they report a refused connection, and the back-off goes on.
func (c *common) attemptCredentials(ctx context.Context) (Credentials, error) {
	cr, err := c.opts.source().Credentials(ctx)
	if err != nil {
		return cr, &ConnectError{Kind: ErrCredentials, Broker: c.display, Detail: c.secrets.scrub(err.Error()), Err: err}
	}
	c.secrets.add(cr.Password)
	if cr.UsernameSecret {
		c.secrets.add(cr.Username)
	}
	return cr, nil
}

// attemptTLS builds the TLS configuration for one attempt from the files as
// they are now: a CA, certificate or key replaced on disk is used at the
// next attempt. nil for plain connections.
func (c *common) attemptTLS() (*tls.Config, error) {
	tc, err := tlsConfig(&c.opts, c.broker)
	if err != nil {
		return nil, &ConnectError{Kind: ErrCredentials, Broker: c.display, Detail: err.Error(), Err: err}
	}
	return tc, nil
}

// retryReason words why a reconnect attempt failed for the "reconnecting"
// state. Refused credentials say so plainly and that the sources are read
// again, since a fixed file or command is picked up by the next attempt.
func (c *common) retryReason(err error) error {
	ce := classify(err, &c.opts, "", 0)
	detail := ce.Detail
	switch {
	case errors.Is(ce.Kind, ErrNotAuthorized):
		detail = strings.TrimPrefix(detail, "broker refused the credentials: ")
		if d := c.opts.source().Describe(); d != "" {
			return kindError{ce.Kind, fmt.Sprintf("credentials refused (%s): re-reading %s at the next attempt", detail, d)}
		}
		return kindError{ce.Kind, fmt.Sprintf("credentials refused (%s)", detail)}
	case errors.Is(ce.Kind, ErrBadClientCert) && c.opts.Cert != "":
		detail = strings.TrimPrefix(detail, "the broker does not accept this client certificate ")
		return kindError{ce.Kind, fmt.Sprintf("client certificate refused %s: re-reading %s at the next attempt", detail, c.certFiles())}
	}
	return fmt.Errorf("%w: %s", ce.Kind, detail)
}

// kindError is a message that says its kind in its own words and still
// matches it with errors.Is.
type kindError struct {
	kind error
	msg  string
}

func (e kindError) Error() string { return e.msg }
func (e kindError) Unwrap() error { return e.kind }

func (c *common) certFiles() string {
	if c.opts.Key == "" || c.opts.Key == c.opts.Cert {
		return c.opts.Cert
	}
	return c.opts.Cert + " and " + c.opts.Key
}

// scrubErr hides every secret this client has sent from an error's text (a
// broker's reason string may quote the user name, which can be a token).
func (c *common) scrubErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if s := c.secrets.scrub(msg); s != msg {
		return &scrubbedError{msg: s, err: err}
	}
	return err
}

// scrubbedError keeps errors.Is/As working while its text hides secrets.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// maxSecrets bounds the remembered secrets: a token rotated every few
// minutes for weeks must not grow memory; older ones are not sent anymore.
const maxSecrets = 16

// SecretSet remembers the latest secret values used, to scrub them from
// text that is shown, logged or written to a crash report. The zero value
// is ready; it is safe for concurrent use.
type SecretSet struct {
	mu   sync.Mutex
	vals []string
}

// Add remembers v (values shorter than 3 bytes are not worth scrubbing:
// they would blank unrelated text).
func (s *SecretSet) Add(v string) { s.add(v) }

func (s *SecretSet) add(v string) {
	if len(v) < 3 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.vals {
		if old == v {
			s.vals = append(append(s.vals[:i:i], s.vals[i+1:]...), v) // most recent last
			return
		}
	}
	if len(s.vals) == maxSecrets {
		s.vals = append(s.vals[:0:0], s.vals[1:]...)
	}
	s.vals = append(s.vals, v)
}

// List returns a copy of the remembered values.
func (s *SecretSet) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.vals...)
}

// Scrub replaces every remembered value in text with [redacted].
func (s *SecretSet) Scrub(text string) string { return s.scrub(text) }

func (s *SecretSet) scrub(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.vals {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "[redacted]")
		}
	}
	return text
}
