package hostile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Tmux drives one session on a private tmux server (-L Socket), so the
// sweep never touches anyone else's tmux.
type Tmux struct {
	Socket string // tmux -L name
	Target string // session name
}

func (t Tmux) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tmux", append([]string{"-L", t.Socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %w: %s", args[0], err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// Start runs argv (no shell) in a new detached session of w x h with env
// added. The pane stays after the program ends, so a crash leaves its last
// screen and exit status to read.
func (t Tmux) Start(w, h int, env []string, argv ...string) error {
	args := []string{"new-session", "-d", "-s", t.Target, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	if _, err := t.run(append(args, argv...)...); err != nil {
		return err
	}
	_, err := t.run("set-option", "-t", t.Target, "remain-on-exit", "on")
	return err
}

// Kill ends the private tmux server and everything in it.
func (t Tmux) Kill() { _, _ = t.run("kill-server") }

// Display returns a format (e.g. "#{pane_title}") for the session's pane.
func (t Tmux) Display(format string) (string, error) {
	out, err := t.run("display-message", "-p", "-t", t.Target, format)
	return strings.TrimRight(out, "\n"), err
}

// Title is the pane title a program can set with OSC 0/2.
func (t Tmux) Title() (string, error) { return t.Display("#{pane_title}") }

// PID is the process running in the pane.
func (t Tmux) PID() (int, error) {
	s, err := t.Display("#{pane_pid}")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// Dead says whether the pane's program ended, with its exit status.
func (t Tmux) Dead() (bool, string, error) {
	s, err := t.Display("#{pane_dead} #{pane_dead_status}")
	if err != nil {
		return false, "", err
	}
	dead, status, _ := strings.Cut(s, " ")
	return dead == "1", status, nil
}

// AltScreen says whether the pane shows the alternate screen.
func (t Tmux) AltScreen() (bool, error) {
	s, err := t.Display("#{alternate_on}")
	return s == "1", err
}

// Capture returns the visible screen as text.
func (t Tmux) Capture() (string, error) { return t.run("capture-pane", "-p", "-t", t.Target) }

// CaptureAll returns the scrollback and the screen as text.
func (t Tmux) CaptureAll() (string, error) {
	return t.run("capture-pane", "-p", "-S", "-", "-t", t.Target)
}

// Keys sends tmux key names (e.g. "j", "Enter", "Escape", "C-c").
func (t Tmux) Keys(keys ...string) error {
	_, err := t.run(append([]string{"send-keys", "-t", t.Target}, keys...)...)
	return err
}

// PipeTo appends everything the program writes to its terminal to path:
// the raw byte stream, escape sequences included.
func (t Tmux) PipeTo(path string) error {
	_, err := t.run("pipe-pane", "-o", "-t", t.Target, "cat >> "+shellQuote(path))
	return err
}

// WaitScreen polls the screen until it contains want, for at most d.
func (t Tmux) WaitScreen(d time.Duration, want string) (string, bool) {
	deadline := time.Now().Add(d)
	for {
		s, err := t.Capture()
		if err == nil && strings.Contains(s, want) {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// RSSKB reads a process's resident set size in kB (Linux /proc).
func RSSKB(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read status: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				return strconv.Atoi(f[0])
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
