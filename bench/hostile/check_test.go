package hostile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

func TestCheckScreen(t *testing.T) {
	safe := "│ 12:00 hostile/text ␛[1;1HINJ01 │\n│ {\"name\": \"␛]2;pwned␇INJ03\"} │\n" +
		"││topic       drivr/v1/x/systems/␛[?25l│\n" + // a value wrapped at the pane's edge
		"││            INJ08                    │"
	if p := CheckScreen(safe); len(p) != 0 {
		t.Errorf("a safe screen flagged: %v", p)
	}
	for _, harmed := range []string{"INJ01 ── 1 Fleet ──", "│ 12:00    INJ11 │", "││topic  short         │\n││       INJ02         │"} {
		if p := CheckScreen(harmed); len(p) != 1 {
			t.Errorf("%q: %d problems, want 1", harmed, len(p))
		}
	}
}

func TestCheckRaw(t *testing.T) {
	if p := CheckRaw([]byte("\x1b[?1049h\x1b[1;1H\x1b[38;5;252m␛[2J␛[HINJ00\x1b[m\x1b]2;mqdeck\x07")); len(p) != 0 {
		t.Errorf("a safe stream flagged: %v", p)
	}
	for _, bad := range []string{"x\x1b[1;1HINJ01", "\x1b]2;" + Title + "\x07", "a\u009b2Jb", "\x1b]8;;http://x.invalid/\x1b\\"} {
		if p := CheckRaw([]byte(bad)); len(p) == 0 {
			t.Errorf("%q not flagged", bad)
		}
	}
}

// The console checks catch real harm: a program that prints the sweep's
// sequences raw into a tmux pane retitles it, leaves the alternate screen
// and strands its markers, and every check says so.
func TestConsoleCheckCatchesHarm(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv(mqtttest.RequireEnv) == "1" {
			t.Fatalf("tmux not on PATH and %s=1: install tmux", mqtttest.RequireEnv)
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	tm := Tmux{Socket: PrivateSocket("control"), Target: "c"}
	t.Cleanup(tm.Kill)
	script := filepath.Join(dir, "harm.sh")
	body := "printf '\\033[?1049h\\033[2J\\033[Hframe ok\\n'; read _; " +
		"printf '\\033]2;" + Title + "\\007\\033[5;1H" + Marker + "01\\033[?1049l'; sleep 30\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := tm.Start(80, 24, nil, "sh", script); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.WaitScreen(5*time.Second, "frame ok"); !ok {
		t.Fatal("control program did not start")
	}
	con, err := Watch(tm, filepath.Join(dir, "raw"), "frame ok")
	if err != nil {
		t.Fatal(err)
	}
	if p, _, err := con.Check(); err != nil || len(p) != 0 {
		t.Fatalf("before the harm: %v %v", p, err)
	}
	if err := tm.Keys("Enter"); err != nil {
		t.Fatal(err)
	}
	var found []string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if found, _, err = con.Check(); err != nil {
			t.Fatal(err)
		}
		if len(found) >= 4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	all := strings.Join(found, "\n")
	for _, want := range []string{"pane title", "alternate screen", "frame", "reached the terminal"} {
		if !strings.Contains(all, want) {
			t.Errorf("harm not caught (%s):\n%s", want, all)
		}
	}
}
