package tape

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Session is a detached tmux session on its own server socket, so tests
// never touch a user's tmux.
type Session struct {
	tmux   string
	socket string
	name   string
}

// ErrNoTmux says tmux is not installed.
var ErrNoTmux = errors.New("tmux not found on PATH")

// StartSession starts `shell` in a detached session of cols x rows in dir,
// with env added to the environment.
func StartSession(ctx context.Context, cols, rows int, dir string, env []string, shell ...string) (*Session, error) {
	bin, err := exec.LookPath("tmux")
	if err != nil {
		return nil, ErrNoTmux
	}
	sockDir, err := os.MkdirTemp("", "mqdeck-tape-")
	if err != nil {
		return nil, fmt.Errorf("tape: socket dir: %w", err)
	}
	s := &Session{tmux: bin, socket: filepath.Join(sockDir, "tmux.sock"), name: "tape"}
	args := []string{"-S", s.socket, "-f", "/dev/null", "new-session", "-d", "-s", s.name,
		"-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), "-c", dir}
	// The environment goes through env(1) on the command line: tmux's own
	// -e does not reach the pane's PATH on every version.
	if len(env) > 0 {
		args = append(append(append(args, "env"), env...), shell...)
	} else {
		args = append(args, shell...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(sockDir)
		return nil, fmt.Errorf("tape: tmux new-session: %w: %s", err, out)
	}
	// A session that outlives its command would hide a crash; keep the pane
	// so its last screen can be read.
	_ = s.run(ctx, "set-option", "-t", s.name, "remain-on-exit", "on")
	return s, nil
}

func (s *Session) run(ctx context.Context, args ...string) error {
	full := append([]string{"-S", s.socket}, args...)
	out, err := exec.CommandContext(ctx, s.tmux, full...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// SendKeys sends tmux key names (Enter, C-c, Up, ...).
func (s *Session) SendKeys(ctx context.Context, keys ...string) error {
	return s.run(ctx, append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// SendText types text literally.
func (s *Session) SendText(ctx context.Context, text string) error {
	return s.run(ctx, "send-keys", "-t", s.name, "-l", text)
}

// Capture returns the visible screen as text.
func (s *Session) Capture(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, s.tmux, "-S", s.socket, "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		return "", fmt.Errorf("tmux capture-pane: %w", err)
	}
	return string(out), nil
}

// Size reports the pane's size in cells.
func (s *Session) Size(ctx context.Context) (cols, rows int, err error) {
	out, err := exec.CommandContext(ctx, s.tmux, "-S", s.socket, "display-message", "-p", "-t", s.name, "#{pane_width} #{pane_height}").Output()
	if err != nil {
		return 0, 0, fmt.Errorf("tmux display-message: %w", err)
	}
	if _, err := fmt.Sscanf(string(out), "%d %d", &cols, &rows); err != nil {
		return 0, 0, fmt.Errorf("tmux size %q: %w", out, err)
	}
	return cols, rows, nil
}

// Dead reports whether the pane's command has exited.
func (s *Session) Dead(ctx context.Context) bool {
	out, err := exec.CommandContext(ctx, s.tmux, "-S", s.socket, "display-message", "-p", "-t", s.name, "#{pane_dead}").Output()
	return err != nil || strings.TrimSpace(string(out)) == "1"
}

// Close kills the session and its server.
func (s *Session) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.run(ctx, "kill-server")
	_ = os.RemoveAll(filepath.Dir(s.socket))
}

// ExpectError is a screen that did not show what the tape expects.
type ExpectError struct {
	Line   int
	Want   string
	Screen string
}

func (e *ExpectError) Error() string {
	return fmt.Sprintf("tape line %d: screen never matched %q; last screen:\n%s", e.Line, e.Want, e.Screen)
}

// Options tune Play.
type Options struct {
	// ExpectWait bounds how long an expectation may take to come true.
	ExpectWait time.Duration
	// OnStep, when set, is called before each step (for logging).
	OnStep func(Step)
}

// Play runs the tape's steps in the session: Type and keys are sent, Sleep
// sleeps, expectations and Wait poll the screen. Output, Set, Require,
// Screenshot, Env, Hide and Show change nothing on a terminal that is not
// being recorded (Require and Env are the caller's business: they shape
// the environment the session starts in).
func Play(ctx context.Context, s *Session, t *Tape, o Options) error {
	if o.ExpectWait <= 0 {
		o.ExpectWait = 5 * time.Second
	}
	speed := t.TypingSpeed()
	for _, st := range t.Steps {
		if o.OnStep != nil {
			o.OnStep(st)
		}
		var err error
		switch st.Kind {
		case Type:
			per := speed
			if st.Delay > 0 {
				per = st.Delay
			}
			for _, r := range st.Text {
				if err = s.SendText(ctx, string(r)); err != nil {
					break
				}
				err = sleep(ctx, per)
			}
		case Key:
			for i := 0; i < st.Repeat && err == nil; i++ {
				if err = s.SendKeys(ctx, st.Keys...); err == nil && st.Delay > 0 {
					err = sleep(ctx, st.Delay)
				}
			}
		case Sleep:
			err = sleep(ctx, st.Delay)
		case Expect:
			err = waitFor(ctx, s, st, o.ExpectWait)
		case Wait:
			err = waitFor(ctx, s, st, st.Delay)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitFor polls the screen until st.Re matches it (Wait+Line: the last
// non-empty line), for at most wait.
func waitFor(ctx context.Context, s *Session, st Step, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	var screen string
	for i := 0; ; i++ {
		var err error
		if screen, err = s.Capture(ctx); err != nil {
			return err
		}
		text := screen
		if st.Name == "Wait+Line" || (st.Kind == Wait && st.Name == "Wait") {
			text = lastLine(screen)
		}
		if st.Re.MatchString(text) {
			return nil
		}
		if time.Now().After(deadline) {
			return &ExpectError{Line: st.Line, Want: st.Re.String(), Screen: screen}
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}
