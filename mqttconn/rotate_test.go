package mqttconn_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/creds"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// rotation is one way an operator keeps a secret that changes.
type rotation struct {
	name string
	// source returns the credential source reading state (a file the
	// test rewrites to rotate the secret).
	source func(t *testing.T, state string) mqttconn.CredentialSource
	// users is the broker's password file for a secret.
	users func(secret string) map[string]string
	// pub is the user and password for mosquitto_pub with a secret.
	pub func(secret string) (string, string)
	// rereads is how the refusal names the sources read again.
	rereads string
}

// tokenPassword: Mosquitto's password file cannot accept a user name
// alone, so the token tests pair the token (the user name, as Drogue Cloud
// takes it) with a fixed password.
const tokenPassword = "fixed-pw"

func rotations(dir string) []rotation {
	pwFile := filepath.Join(dir, "pw")
	fixed := func(t *testing.T) creds.Source {
		if err := os.WriteFile(pwFile, []byte(tokenPassword+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return creds.File("--password-file", pwFile, nil)
	}
	return []rotation{
		{
			name: "password-file",
			source: func(t *testing.T, state string) mqttconn.CredentialSource {
				return &creds.Provider{Username: "operator", Password: creds.File("--password-file", state, nil)}
			},
			users:   func(s string) map[string]string { return map[string]string{"operator": s} },
			pub:     func(s string) (string, string) { return "operator", s },
			rereads: "re-reading --password-file " + "STATE",
		},
		{
			name: "token-file",
			source: func(t *testing.T, state string) mqttconn.CredentialSource {
				return &creds.Provider{Token: creds.File("--token-file", state, nil), Password: fixed(t)}
			},
			users:   func(s string) map[string]string { return map[string]string{s: tokenPassword} },
			pub:     func(s string) (string, string) { return s, tokenPassword },
			rereads: "re-reading --token-file STATE and --password-file",
		},
		{
			name: "token-command",
			source: func(t *testing.T, state string) mqttconn.CredentialSource {
				src, err := creds.Command("--token-command", "sh -c 'cat \"$0\"' "+state, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				return &creds.Provider{Token: src, Password: fixed(t)}
			},
			users:   func(s string) map[string]string { return map[string]string{s: tokenPassword} },
			pub:     func(s string) (string, string) { return s, tokenPassword },
			rereads: "re-reading --token-command (sh) and --password-file",
		},
	}
}

// A secret rotated on the broker (restarted with only the new one) and in
// its source: the client's attempts are refused and say so, naming what is
// read again; once the source holds the new secret the client reconnects by
// itself, subscribes again and messages flow. No restart of the client.
func TestMosquittoRotatedCredentials(t *testing.T) {
	for _, r := range rotations(t.TempDir()) {
		for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
			t.Run(r.name+"/"+string(p), func(t *testing.T) {
				t.Parallel()
				const oldSecret, newSecret = "secret-one-Ab3", "secret-two-Cd4"
				dir := t.TempDir()
				state := filepath.Join(dir, "state")
				write := func(v string) {
					if err := os.WriteFile(state, []byte(v+"\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				write(oldSecret)
				m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Users: r.users(oldSecret)})
				port := strconv.Itoa(m.Port)
				c, rec := start(t, mqttconn.Options{Broker: m.URL(), Protocol: p, BackoffMax: time.Second,
					Credentials: r.source(t, state), Subscriptions: []mqttconn.Subscription{{Filter: "rot/#", QoS: 1}}})
				pub := func(secret, msg string) {
					t.Helper()
					u, pw := r.pub(secret)
					mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port, "-u", u, "-P", pw, "-q", "1", "-t", "rot/x", "-m", msg)
					if got := next(t, c, 10*time.Second); string(got.Payload) != msg {
						t.Fatalf("got %q, want %q", got.Payload, msg)
					}
				}
				pub(oldSecret, "before")

				m.SetUsers(r.users(newSecret))
				m.Restart()
				want := strings.ReplaceAll(r.rereads, "STATE", state)
				rec.waitFor(t, 20*time.Second, "a refusal that says the credentials are read again", func(st []mqttconn.State, _ [][]mqttconn.SubResult) bool {
					for _, s := range st {
						if s.Kind == mqttconn.StateReconnecting && s.Err != nil && errors.Is(s.Err, mqttconn.ErrNotAuthorized) &&
							strings.Contains(s.Err.Error(), "credentials refused") && strings.Contains(s.Err.Error(), want) {
							t.Logf("refused: %s", s.Err)
							return true
						}
					}
					return false
				})
				write(newSecret)
				rec.waitFor(t, 20*time.Second, "reconnected with the new secret", func(st []mqttconn.State, subs [][]mqttconn.SubResult) bool {
					return countKind(st, mqttconn.StateConnected) == 2 && len(subs) == 2
				})
				pub(newSecret, "after")
				st, _ := rec.snapshot()
				for _, s := range st {
					if s.Err != nil && (strings.Contains(s.Err.Error(), oldSecret) || strings.Contains(s.Err.Error(), newSecret)) {
						t.Errorf("a state shows a secret: %v", s.Err)
					}
				}
			})
		}
	}
}

// A client certificate and key replaced on disk are used at the next
// attempt: the broker first trusts two client CAs, then restarts trusting
// only the new one, so only the new pair gets in.
func TestMosquittoRotatedClientCertificate(t *testing.T) {
	for _, p := range []mqttconn.Protocol{mqttconn.Protocol5, mqttconn.Protocol311} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			oldPKI, newPKI := mqtttest.NewPKI(t), mqtttest.NewPKI(t)
			dir := t.TempDir()
			read := func(f string) []byte {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			put := func(dst string, data ...[]byte) {
				var all []byte
				for _, d := range data {
					all = append(all, d...)
				}
				if err := os.WriteFile(dst, all, 0o644); err != nil { // the broker may run as its own user
					t.Fatal(err)
				}
			}
			clientCAs := filepath.Join(dir, "client-cas.pem")
			put(clientCAs, read(oldPKI.CA), read(newPKI.CA))
			cert, key := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
			put(cert, read(oldPKI.ClientCert))
			put(key, read(oldPKI.ClientKey))

			m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{RequireCertificate: true,
				TLS: &mqtttest.TLSFiles{CA: clientCAs, ServerCert: newPKI.ServerCert, ServerKey: newPKI.ServerKey}})
			c, rec := start(t, mqttconn.Options{Broker: m.TLSURL(), Protocol: p, BackoffMax: time.Second,
				CACert: newPKI.CA, Cert: cert, Key: key, Subscriptions: []mqttconn.Subscription{{Filter: "crt/#", QoS: 1}}})
			pub := func(msg string) {
				t.Helper()
				mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-q", "1", "-t", "crt/x", "-m", msg)
				if got := next(t, c, 10*time.Second); string(got.Payload) != msg {
					t.Fatalf("got %q, want %q", got.Payload, msg)
				}
			}
			pub("before")

			put(clientCAs, read(newPKI.CA)) // the old client CA is revoked
			m.Restart()
			rec.waitFor(t, 20*time.Second, "the old certificate refused, saying the files are read again", func(st []mqttconn.State, _ [][]mqttconn.SubResult) bool {
				for _, s := range st {
					if s.Kind == mqttconn.StateReconnecting && s.Err != nil && errors.Is(s.Err, mqttconn.ErrBadClientCert) &&
						strings.Contains(s.Err.Error(), "client certificate refused") && strings.Contains(s.Err.Error(), "re-reading "+cert+" and "+key) {
						t.Logf("refused: %s", s.Err)
						return true
					}
				}
				return false
			})
			put(cert, read(newPKI.ClientCert))
			put(key, read(newPKI.ClientKey))
			rec.waitFor(t, 20*time.Second, "reconnected with the new certificate", func(st []mqttconn.State, subs [][]mqttconn.SubResult) bool {
				return countKind(st, mqttconn.StateConnected) == 2 && len(subs) == 2
			})
			pub("after")
		})
	}
}
