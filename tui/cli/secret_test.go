package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecretSources(t *testing.T) {
	const secret = "s3cret-Value_42"
	dir := isolate(t)
	pwFile := writeFile(t, filepath.Join(dir, "pw"), secret+"\nsecond line\n", 0o600)
	openFile := writeFile(t, filepath.Join(dir, "pw-open"), secret+"\r\n", 0o644)
	empty := writeFile(t, filepath.Join(dir, "empty"), "\n", 0o600)
	tokFile := writeFile(t, filepath.Join(dir, "tok"), "tok-"+secret+"\n", 0o600)
	t.Setenv("MY_PW", secret)
	t.Setenv("MY_TOKEN", "tok-"+secret)
	t.Setenv("EMPTY_VAR", "")

	cases := []struct {
		name         string
		flags        ConnFlags
		defaultPW    bool // MQDECK_PASSWORD set
		wantPW       string
		wantUser     string
		wantErr      string // from options
		wantCredErr  string // from the first attempt's read
		wantWarnings string
	}{
		{name: "none", wantPW: ""},
		{name: "default variable", defaultPW: true, wantPW: secret},
		{name: "env", flags: ConnFlags{PasswordEnv: "MY_PW"}, wantPW: secret},
		{name: "env beats default", flags: ConnFlags{PasswordEnv: "MY_PW"}, defaultPW: true, wantPW: secret},
		{name: "file first line", flags: ConnFlags{PasswordFile: pwFile}, wantPW: secret},
		{name: "open file warns", flags: ConnFlags{PasswordFile: openFile}, wantPW: secret, wantWarnings: "readable by others"},
		{name: "empty file", flags: ConnFlags{PasswordFile: empty}, wantErr: "empty"},
		{name: "missing file", flags: ConnFlags{PasswordFile: filepath.Join(dir, "nope")}, wantErr: "password file"},
		{name: "unset variable", flags: ConnFlags{PasswordEnv: "NOT_SET_ANYWHERE"}, wantErr: "NOT_SET_ANYWHERE is not set"},
		{name: "empty variable", flags: ConnFlags{PasswordEnv: "EMPTY_VAR"}, wantErr: "EMPTY_VAR"},
		{name: "value instead of name", flags: ConnFlags{PasswordEnv: secret + "!"}, wantErr: "NAME of an environment variable"},
		{name: "both", flags: ConnFlags{PasswordEnv: "MY_PW", PasswordFile: pwFile}, wantErr: "not both"},
		{name: "token as user name", flags: ConnFlags{TokenEnv: "MY_TOKEN"}, wantUser: "tok-" + secret},
		{name: "token and user", flags: ConnFlags{TokenEnv: "MY_TOKEN", Username: "u"}, wantErr: "drop --username"},
		{name: "token file", flags: ConnFlags{TokenFile: tokFile}, wantUser: "tok-" + secret},
		{name: "open token file warns", flags: ConnFlags{TokenFile: openFile}, wantUser: secret, wantWarnings: "token file " + openFile + " is readable by others"},
		{name: "empty token file", flags: ConnFlags{TokenFile: empty}, wantErr: "token file " + empty + ": first line is empty"},
		{name: "token command", flags: ConnFlags{TokenCommand: `sh -c 'echo "tok-$0"; echo noise >&2' ` + secret}, wantUser: "tok-" + secret},
		{name: "token command with a password", flags: ConnFlags{TokenCommand: "echo tok-" + secret, PasswordEnv: "MY_PW"}, wantUser: "tok-" + secret, wantPW: secret},
		{name: "token command failing", flags: ConnFlags{TokenCommand: `sh -c 'echo "tok-$0"; echo not logged in >&2; exit 3' ` + secret}, wantCredErr: "--token-command: sh exited with status 3: not logged in"},
		{name: "token command too slow", flags: ConnFlags{TokenCommand: "sleep 5", TokenTimeout: 200 * time.Millisecond}, wantCredErr: "gave no token within 200ms"},
		{name: "token command missing", flags: ConnFlags{TokenCommand: "/nonexistent/drg token"}, wantCredErr: "/nonexistent/drg"},
		{name: "token command unterminated quote", flags: ConnFlags{TokenCommand: "drg 'token"}, wantErr: "unterminated ' quote"},
		{name: "two token sources", flags: ConnFlags{TokenEnv: "MY_TOKEN", TokenFile: tokFile}, wantErr: "one of --token-env, --token-file and --token-command"},
		{name: "token file and user", flags: ConnFlags{TokenFile: tokFile, Username: "u"}, wantErr: "drop --username"},
		{name: "user and password", flags: ConnFlags{Username: "u", PasswordEnv: "MY_PW"}, wantUser: "u", wantPW: secret},
		{name: "cert without key", flags: ConnFlags{Cert: "c.pem"}, wantErr: "--cert and --key"},
		{name: "will payload alone", flags: ConnFlags{WillPayload: "x"}, wantErr: "--will-topic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.defaultPW {
				t.Setenv(defaultPasswordEnv, secret)
			} else {
				os.Unsetenv(defaultPasswordEnv)
			}
			f := tc.flags
			f.Broker, f.ConnectTimeout, f.Buffer = "mqtt://127.0.0.1:1", 1, 1
			var warnings []string
			o, err := f.options(func(s string) { warnings = append(warnings, s) })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cr, err := o.Credentials.Credentials(context.Background())
			if tc.wantCredErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantCredErr) || strings.Contains(err.Error(), secret) {
					t.Fatalf("error %v, want %q and not the secret", err, tc.wantCredErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cr.Password != tc.wantPW || cr.Username != tc.wantUser || cr.UsernameSecret != (f.TokenEnv+f.TokenFile+f.TokenCommand != "") {
				t.Errorf("password/user not as expected (user %q, secret %t)", cr.Username, cr.UsernameSecret)
			}
			joined := strings.Join(warnings, "\n")
			if tc.wantWarnings != "" && !strings.Contains(joined, tc.wantWarnings) {
				t.Errorf("warnings %q, want %q", joined, tc.wantWarnings)
			}
			if strings.Contains(joined, secret) {
				t.Errorf("a warning shows the secret")
			}
		})
	}
}
