package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretSources(t *testing.T) {
	const secret = "s3cret-Value_42"
	dir := isolate(t)
	pwFile := writeFile(t, filepath.Join(dir, "pw"), secret+"\nsecond line\n", 0o600)
	openFile := writeFile(t, filepath.Join(dir, "pw-open"), secret+"\r\n", 0o644)
	empty := writeFile(t, filepath.Join(dir, "empty"), "\n", 0o600)
	t.Setenv("MY_PW", secret)
	t.Setenv("MY_TOKEN", "tok-"+secret)
	t.Setenv("EMPTY_VAR", "")

	cases := []struct {
		name         string
		flags        ConnFlags
		defaultPW    bool // MQDECK_PASSWORD set
		wantPW       string
		wantUser     string
		wantErr      string
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
			if o.Password != tc.wantPW || o.Username != tc.wantUser {
				t.Errorf("password/user not as expected (user %q)", o.Username)
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
