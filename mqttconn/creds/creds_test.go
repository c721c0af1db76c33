package creds

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSplitArgs(t *testing.T) {
	cases := map[string][]string{
		`drg whoami --token`:              {"drg", "whoami", "--token"},
		`  a   b  `:                       {"a", "b"},
		`sh -c 'echo "$T" | tr -d x'`:     {"sh", "-c", `echo "$T" | tr -d x`},
		`a "b c" d`:                       {"a", "b c", "d"},
		`a "say \"hi\" \\ \n"`:            {"a", `say "hi" \ \n`},
		`a\ b c`:                          {"a b", "c"},
		`x'y'"z"`:                         {"xyz"},
		`a '' b`:                          {"a", "", "b"},
		`/opt/My\ Tools/token --aud=mqtt`: {"/opt/My Tools/token", "--aud=mqtt"},
	}
	for in, want := range cases {
		got, err := SplitArgs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`a 'b`, `a "b`, `a \`} {
		if _, err := SplitArgs(bad); err == nil {
			t.Errorf("SplitArgs(%q): want an error", bad)
		}
	}
}

// The command is read at every call: a token that changed between two
// attempts is the one sent. Failures give the exit status and the last
// stderr line, never stdout, and bounded in time.
func TestCommandSource(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "token")
	if err := os.WriteFile(state, []byte("tok-one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := Command("--token-command", "cat "+state, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Token: src}
	for _, want := range []string{"tok-one", "tok-two"} {
		if err := os.WriteFile(state, []byte(want+"\nignored second line\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cr, err := p.Credentials(context.Background())
		if err != nil || cr.Username != want || !cr.UsernameSecret {
			t.Fatalf("got %q (secret %t), %v; want %q", cr.Username, cr.UsernameSecret, err, want)
		}
	}
	if seen := p.Seen(); !slices.Equal(seen, []string{"tok-one", "tok-two"}) {
		t.Errorf("seen %q", seen)
	}
	if d := p.Describe(); d != "--token-command (cat)" {
		t.Errorf("describe %q", d)
	}

	// A failing command that prints an old token on stderr and a new one on
	// stdout: the old one is scrubbed, the new one never read.
	fail, _ := Command("--token-command", `sh -c 'echo tok-new; echo "refresh failed for tok-two" >&2; echo "error: not logged in" >&2; exit 4'`, 0)
	p.Token = fail
	_, err = p.Credentials(context.Background())
	if err == nil || err.Error() != "--token-command: sh exited with status 4: error: not logged in" {
		t.Errorf("failure: %v", err)
	}
	fail, _ = Command("--token-command", `sh -c 'echo "bad tok-two" >&2; exit 1'`, 0)
	p.Token = fail
	if _, err = p.Credentials(context.Background()); err == nil || strings.Contains(err.Error(), "tok-two") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("a known token on stderr: %v", err)
	}

	slow, _ := Command("--token-command", `sh -c 'echo working >&2; sleep 30'`, 300*time.Millisecond)
	start := time.Now()
	_, err = slow.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gave no token within 300ms: working") {
		t.Errorf("timeout: %v", err)
	}
	if el := time.Since(start); el > waitDelay+2*time.Second {
		t.Errorf("the timeout took %s", el)
	}

	empty, _ := Command("--token-command", "true", 0)
	if _, err := empty.Read(context.Background()); err == nil || !strings.Contains(err.Error(), "printed no token") {
		t.Errorf("empty output: %v", err)
	}
	if _, err := Command("--token-command", "  ", 0); err == nil {
		t.Error("an empty command must be refused")
	}
}

func TestFileSourceRereadsAndWarnsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	var warnings []string
	src := File("--password-file", path, func(s string) { warnings = append(warnings, s) })
	if _, err := src.Read(context.Background()); err == nil || !strings.Contains(err.Error(), "password file") {
		t.Errorf("missing file: %v", err)
	}
	for _, v := range []string{"first-secret", "second-secret"} {
		if err := os.WriteFile(path, []byte(v+"\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := src.Read(context.Background())
		if err != nil || got != v {
			t.Fatalf("read %q, %v; want %q", got, err, v)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "password file "+path+" is readable by others") {
		t.Errorf("warnings %q", warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w, "secret") {
			t.Errorf("a warning shows the content: %q", w)
		}
	}
}
