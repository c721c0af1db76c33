package benchkit

import (
	"fmt"
	"os/exec"
	"strings"
)

// Tmux drives panes on a private server (-L socket), so a run never
// touches the user's sessions.
type Tmux struct {
	Socket string
}

func (t Tmux) cmd(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", t.Socket, "-f", "/dev/null"}, args...)...)
}

// Run runs one tmux command and returns its output.
func (t Tmux) Run(args ...string) (string, error) {
	out, err := t.cmd(args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("tmux %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// NewSession starts a detached w x h session running the shell command.
func (t Tmux) NewSession(name string, w, h int, shellCmd string) error {
	_, err := t.Run("new-session", "-d", "-s", name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shellCmd)
	return err
}

// Capture returns the visible text of the session's pane.
func (t Tmux) Capture(name string) (string, error) {
	return t.Run("capture-pane", "-p", "-t", name)
}

// SendKeys sends tmux key names (e.g. "j", "Tab", "C-c").
func (t Tmux) SendKeys(name string, keys ...string) error {
	_, err := t.Run(append([]string{"send-keys", "-t", name}, keys...)...)
	return err
}

// Kill ends the private server and everything in it.
func (t Tmux) Kill() {
	_ = t.cmd("kill-server").Run()
}

// Available reports whether tmux is on PATH.
func Available() bool {
	_, err := exec.LookPath("tmux")
	return err == nil
}
