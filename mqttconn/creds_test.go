package mqttconn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A token sent as the user name or a password is blanked from the errors
// the client reports (a broker's reason string may quote the user name);
// errors.Is still sees the kind. The set stays bounded however often the
// secret rotates.
func TestScrubbedErrorsAndBoundedSecrets(t *testing.T) {
	c, err := newCommon(Options{Broker: "mqtt://127.0.0.1:1", Credentials: tokenSource("eyJ-token-1")})
	if err != nil {
		t.Fatal(err)
	}
	var got []State
	c.opts.OnState = func(s State) { got = append(got, s) }
	if _, err := c.attemptCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	refused := &connackError{code: 0x87, reason: "user eyJ-token-1 is not allowed"}
	c.state(State{Kind: StateReconnecting, Err: c.retryReason(refused)})
	msg := got[0].Err.Error()
	if strings.Contains(msg, "eyJ-token-1") || !strings.Contains(msg, "[redacted]") || !errors.Is(got[0].Err, ErrNotAuthorized) {
		t.Errorf("state error %q (is not-authorized: %t)", msg, errors.Is(got[0].Err, ErrNotAuthorized))
	}
	if !strings.Contains(msg, "credentials refused") || !strings.Contains(msg, "re-reading test token at the next attempt") {
		t.Errorf("refusal not said plainly: %q", msg)
	}

	var s SecretSet
	for i := range 100 {
		s.Add(fmt.Sprintf("token-%03d", i))
	}
	s.Add("token-097") // used again: stays, as the most recent
	if l := s.List(); len(l) != maxSecrets || l[len(l)-1] != "token-097" || l[0] != "token-084" {
		t.Errorf("set %q", l)
	}
	s.Add("ab") // too short to scrub without blanking unrelated text
	if out := s.Scrub("ab token-099 token-050"); out != "ab [redacted] token-050" {
		t.Errorf("scrub %q", out)
	}
}

type tokenSource string

func (s tokenSource) Credentials(context.Context) (Credentials, error) {
	return Credentials{Username: string(s), UsernameSecret: true}, nil
}

func (tokenSource) Describe() string { return "test token" }
