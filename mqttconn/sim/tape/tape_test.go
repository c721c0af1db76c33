package tape

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sample = `# A tour.
Output demo.gif
Require mqdeck
Set Shell "bash"
Set FontSize 16
Set Width 1280
Set Height 700
Set TypingSpeed 40ms
Env MQDECK_THEME "dark"

Hide
Type "echo 'hi there'"
Enter
Show
Sleep 1.5
Type@10ms "q"
Down 3
Up@100ms 2
Ctrl+C
Alt+Enter
Shift+Tab
Ctrl+Alt+x
Backspace
PageDown
# expect: hi there
Wait+Screen@3s /\$ $/
Screenshot shot.png
Sleep 500ms
`

func TestParse(t *testing.T) {
	tp, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Output != "demo.gif" || tp.Settings["Shell"] != "bash" || tp.Settings["FontSize"] != "16" {
		t.Fatalf("settings %v output %q", tp.Settings, tp.Output)
	}
	var got []string
	for _, s := range tp.Steps {
		switch s.Kind {
		case Type:
			got = append(got, "type:"+s.Text+"@"+s.Delay.String())
		case Key:
			got = append(got, strings.Join(s.Keys, "+")+"x"+string(rune('0'+s.Repeat))+"@"+s.Delay.String())
		case Sleep:
			got = append(got, "sleep:"+s.Delay.String())
		case Expect:
			got = append(got, "expect:"+s.Re.String())
		case Wait:
			got = append(got, s.Name+":"+s.Re.String()+"@"+s.Delay.String())
		case Hide:
			got = append(got, "hide")
		case Show:
			got = append(got, "show")
		}
	}
	want := []string{"hide", "type:echo 'hi there'@0s", "Enterx1@0s", "show", "sleep:1.5s", "type:q@10ms",
		"Downx3@0s", "Upx2@100ms", "C-cx1@0s", "M-Enterx1@0s", "BTabx1@0s", "C-M-xx1@0s", "BSpacex1@0s", "NPagex1@0s",
		"expect:hi there", `Wait+Screen:\$ $@3s`, "sleep:500ms"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps\n got %q\nwant %q", got, want)
	}
	if cols, rows := tp.Size(); cols != 120 || rows != 36 {
		t.Fatalf("size %dx%d, want 120x36", cols, rows)
	}
	if tp.TypingSpeed() != 40*time.Millisecond {
		t.Fatalf("typing speed %v", tp.TypingSpeed())
	}
	// 2s of sleeps, 15 characters at 40ms, 1 at 10ms, 2 presses at 100ms.
	if d := tp.Duration(); d != 2*time.Second+15*40*time.Millisecond+10*time.Millisecond+200*time.Millisecond {
		t.Fatalf("duration %v", d)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"Typ \"x\"", "Type x", "Sleep soon", "Down -1", "Hyper+X", "Ctrl+Banana", "Set FontSize", "Wait /unclosed", "# expect: ("} {
		if _, err := Parse(strings.NewReader(bad + "\n")); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// requireTmux skips (or fails under CI) without tmux. Its probe session
// is closed at once: with remain-on-exit its server would outlive the test
// (one was found running 20 minutes after the suite).
func requireTmux(t *testing.T) {
	t.Helper()
	s, err := StartSession(context.Background(), 10, 5, t.TempDir(), nil, "true")
	if errors.Is(err, ErrNoTmux) {
		if os.Getenv("MQDECK_REQUIRE_MOSQUITTO") == "1" {
			t.Fatal("tmux missing and the CI tools are required")
		}
		t.Skip("tmux not installed")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// startSession is StartSession with the session ended when the test ends,
// passed or failed.
func startSession(t *testing.T, ctx context.Context, cols, rows int, env []string, shell ...string) *Session {
	t.Helper()
	s, err := StartSession(ctx, cols, rows, t.TempDir(), env, shell...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// tapeDirs lists the socket folders of tape sessions: one per live server.
func tapeDirs(t *testing.T) map[string]bool {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "mqdeck-tape-*"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, d := range m {
		out[d] = true
	}
	return out
}

// A test that uses tmux leaves no tmux server behind, whether it passes
// or fails.
func TestSessionsEndWithTheTest(t *testing.T) {
	before := tapeDirs(t)
	var socket string
	t.Run("probe", func(t *testing.T) { requireTmux(t) })
	t.Run("session", func(t *testing.T) {
		// t.Cleanup runs whether the test passed, failed or panicked.
		s := startSession(t, context.Background(), 20, 5, nil, "true")
		socket = s.socket
	})
	for d := range tapeDirs(t) {
		if !before[d] {
			t.Errorf("%s left behind: its tmux server outlived the test", d)
		}
	}
	if socket != "" {
		if err := exec.Command("tmux", "-S", socket, "has-session").Run(); err == nil {
			t.Errorf("the session on %s still runs after its test ended", socket)
		}
	}
}

func TestPlayInTmux(t *testing.T) {
	requireTmux(t)
	tp, err := Parse(strings.NewReader(`Set FontSize 16
Set Width 1280
Set Height 700
Set TypingSpeed 5ms
Type "echo 'tape says hi'"
Enter
# expect: (?m)^tape says hi$
Type "cat"
Enter
Type "abc"
Ctrl+C
Type "stty size"
Enter
# expect: (?m)^36 120$
Type "echo $TAPE_VAR"
Enter
# expect: (?m)^from env$
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cols, rows := tp.Size()
	s := startSession(t, ctx, cols, rows, []string{"PS1=$ ", "TAPE_VAR=from env"}, "bash", "--norc", "--noprofile")
	if c, r, err := s.Size(ctx); err != nil || c != 120 || r != 36 {
		t.Fatalf("pane %dx%d %v", c, r, err)
	}
	if err := Play(ctx, s, tp, Options{ExpectWait: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	// An expectation that never comes true fails with the screen.
	never, _ := Parse(strings.NewReader("# expect: nothing like this\n"))
	err = Play(ctx, s, never, Options{ExpectWait: 300 * time.Millisecond})
	var ee *ExpectError
	if !errors.As(err, &ee) || !strings.Contains(ee.Screen, "tape says hi") || ee.Line != 1 {
		t.Fatalf("failed expectation: %v", err)
	}
	if s.Dead(ctx) {
		t.Fatal("shell died")
	}
}
