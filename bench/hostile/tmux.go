package hostile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Tmux drives one session on a private tmux server (-L Socket), so the
// sweep never touches anyone else's tmux.
type Tmux struct {
	Socket string // tmux -L name
	Target string // session name
	// Raw, when set, is a file Start has everything the program writes to
	// its terminal appended to, from its first byte; read it after CloseRaw.
	Raw string
}

// PrivateSocket names a tmux server socket for one use: a server still
// shutting down after Kill answered the next start under a reused name
// with "server exited unexpectedly" (tests run with -count N).
func PrivateSocket(name string) string {
	return fmt.Sprintf("mqdeck-%s-%d-%d", name, os.Getpid(), time.Now().UnixNano())
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

// Start runs argv in a new detached session of w x h with env added. The
// pane stays after the program ends, so a crash leaves its last screen to
// read. A shell around argv records its exit status in a file: tmux's own
// pane_dead_status can stay empty, the program a zombie. Debian's tmux 3.3a
// clears the pane's utmp record through libutempter when the pty closes,
// and libutempter sets SIGCHLD to SIG_DFL while its helper runs; the
// program's SIGCHLD, sent as it exits a moment later, is then dropped
// (seen with strace).
func (t Tmux) Start(w, h int, env []string, argv ...string) error {
	_ = os.Remove(t.statusPath())
	args := []string{"new-session", "-d", "-s", t.Target, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	// sh -c SCRIPT NAME ARGS: NAME is $0, here the status file.
	args = append(args, "sh", "-c", `"$@"; echo $? > "$0"`, t.statusPath())
	args = append(args, argv...)
	// Chained in one command queue: the option is set before the program
	// can end.
	args = append(args, ";", "set-option", "-t", t.Target, "remain-on-exit", "on")
	if t.Raw != "" {
		// In the same queue: the pipe is there before tmux reads the
		// program's first output (a pipe-pane run after Start missed the
		// start-up sequences under load).
		_ = os.Remove(t.Raw + ".done")
		args = append(args, ";", "pipe-pane", "-t", t.Target, "cat >> "+shellQuote(t.Raw)+"; : > "+shellQuote(t.Raw+".done"))
	}
	_, err := t.run(args...)
	return err
}

// CloseRaw ends the pane, which closes the pipe Start opened to Raw, and
// waits up to d for its writer to finish: cat is a process of its own, and
// under load it was still behind when the program had ended. Call it once
// the program ended and the screen was read (tmux keeps the pipe of a dead
// pane open until the pane goes).
func (t Tmux) CloseRaw(d time.Duration) error {
	if _, err := t.run("kill-pane", "-t", t.Target); err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(t.Raw + ".done"); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the pipe to %s did not finish within %s", t.Raw, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// statusPath is where the wrapper shell writes the program's exit status.
func (t Tmux) statusPath() string {
	return filepath.Join(os.TempDir(), "mqdeck-tmux-"+t.Socket+"-"+t.Target+".status")
}

// Kill ends the private tmux server and everything in it, and removes its
// socket file, which tmux leaves behind (one per PrivateSocket).
func (t Tmux) Kill() {
	_, _ = t.run("kill-server")
	_ = os.Remove(t.statusPath())
	_ = os.Remove(SocketPath(t.Socket))
}

// SocketPath is where tmux puts the socket of "tmux -L name":
// $TMUX_TMPDIR (else /tmp), then tmux-UID.
func SocketPath(name string) string {
	dir := os.Getenv("TMUX_TMPDIR")
	if dir == "" {
		dir = "/tmp"
	}
	return filepath.Join(dir, "tmux-"+strconv.Itoa(os.Getuid()), name)
}

// Display returns a format (e.g. "#{pane_title}") for the session's pane.
func (t Tmux) Display(format string) (string, error) {
	out, err := t.run("display-message", "-p", "-t", t.Target, format)
	return strings.TrimRight(out, "\n"), err
}

// Title is the pane title a program can set with OSC 0/2.
func (t Tmux) Title() (string, error) { return t.Display("#{pane_title}") }

// PID is the program running in the pane: the child of the wrapper shell.
// It waits up to 2 s for the shell to start it.
func (t Tmux) PID() (int, error) {
	s, err := t.Display("#{pane_pid}")
	if err != nil {
		return 0, err
	}
	shell, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("pane pid %q: %w", s, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if pid := childOf(shell); pid > 0 {
			return pid, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no program under the pane's shell %d", shell)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// childOf finds a process whose parent is ppid by reading /proc (the
// kernel here has no /proc/PID/task/TID/children).
func childOf(ppid int) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name in parentheses may hold spaces: fields follow
		// the last ')': state, then ppid.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

// Dead says whether the pane's program ended, with its exit status (the
// shell's 128+N for a signal N).
func (t Tmux) Dead() (bool, string, error) {
	if b, err := os.ReadFile(t.statusPath()); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return true, string(bytes.TrimSpace(b)), nil
	}
	s, err := t.Display("#{pane_dead}")
	if err != nil {
		return false, "", err
	}
	// Dead without a status: the wrapper itself was killed.
	return s == "1", "", nil
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
