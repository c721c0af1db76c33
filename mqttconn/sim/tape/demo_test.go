package tape

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the directory of the module's go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("go.mod not found above the test directory")
	return ""
}

// TestDemoTape replays demo.tape against the built binary in tmux, at the
// tape's terminal size, and checks the screen at each "# expect:" line.
// A failure means the tape no longer shows what the program does.
func TestDemoTape(t *testing.T) {
	if testing.Short() {
		t.Skip("replays a 30-second tape")
	}
	requireTmux(t)
	root := repoRoot(t)
	f, err := os.Open(filepath.Join(root, "demo.tape"))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	// The tape's promises about itself.
	if tp.Output != "demo.gif" {
		t.Errorf("Output %q, want demo.gif", tp.Output)
	}
	cols, rows := tp.Size()
	if cols < 110 || cols > 130 || rows < 32 || rows > 40 {
		t.Errorf("terminal %dx%d, want about 120x36", cols, rows)
	}
	if d := tp.Duration(); d < 20*time.Second || d > 45*time.Second {
		t.Errorf("tape runs %v, want about 30 s", d)
	}
	var expects int
	for _, s := range tp.Steps {
		if s.Kind == Expect {
			expects++
		}
	}
	if expects < 10 {
		t.Errorf("only %d screen checks", expects)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := t.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "mqdeck"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := t.TempDir() // no user config file, no shell history
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home,
		"TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"}
	for _, s := range tp.Steps {
		if s.Kind == Require {
			if _, err := os.Stat(filepath.Join(bin, s.Text)); err != nil && lookIn(env[0], s.Text) == "" {
				t.Fatalf("tape line %d requires %s, which is not on the test's PATH", s.Line, s.Text)
			}
		}
		if s.Kind == Env {
			env = append(env, s.Name+"="+s.Text)
		}
	}
	shell := []string{"bash", "--norc", "--noprofile"}
	if sh := tp.Settings["Shell"]; sh != "" && sh != "bash" {
		t.Fatalf("Set Shell %q: the replay knows bash only", sh)
	}
	s := startSession(t, ctx, cols, rows, env, shell...)
	err = Play(ctx, s, tp, Options{ExpectWait: 8 * time.Second, OnStep: func(st Step) {
		if st.Kind == Expect {
			t.Logf("line %d: expect %s", st.Line, st.Re)
		}
	}})
	var ee *ExpectError
	if errors.As(err, &ee) {
		t.Fatalf("demo.tape is stale: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.Dead(ctx) {
		t.Fatal("the shell died: the tape ends with the console quit and the prompt back")
	}
}

// lookIn finds name in a PATH=... entry.
func lookIn(pathEnv, name string) string {
	for _, dir := range strings.Split(strings.TrimPrefix(pathEnv, "PATH="), string(os.PathListSeparator)) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}
