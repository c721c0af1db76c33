package benchkit

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Console is mqdeck's console running in a tmux pane of its own server.
type Console struct {
	Tmux    Tmux
	Session string
	PID     int // the mqdeck process (the pane runs it with exec)
	ErrFile string
}

// StartConsole runs `bin args...` in a w x h pane; stderr goes to errFile.
// The pane's process is mqdeck itself (exec), so PID reads its memory.
func StartConsole(t Tmux, session string, w, h int, errFile, bin string, args ...string) (*Console, error) {
	quoted := make([]string, 0, len(args)+1)
	for _, a := range append([]string{bin}, args...) {
		quoted = append(quoted, shellQuote(a))
	}
	sh := fmt.Sprintf("exec %s 2>%s", strings.Join(quoted, " "), shellQuote(errFile))
	if err := t.NewSession(session, w, h, sh); err != nil {
		return nil, err
	}
	out, err := t.Run("display-message", "-p", "-t", session, "#{pane_pid}")
	if err != nil {
		return nil, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		return nil, fmt.Errorf("pane pid %q: %w", out, err)
	}
	return &Console{Tmux: t, Session: session, PID: pid, ErrFile: errFile}, nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Screen is the pane's text.
func (c *Console) Screen() (string, error) { return c.Tmux.Capture(c.Session) }

// Alive reports whether the process still runs.
func (c *Console) Alive() bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", c.PID))
	return err == nil
}

// Stop ends the session (and the console with it).
func (c *Console) Stop() { _, _ = c.Tmux.Run("kill-session", "-t", c.Session) }

// Memory reads VmRSS and VmHWM (peak) in MiB.
func (c *Console) Memory() (rss, peak float64, err error) {
	st, err := ProcStatus(c.PID, "VmRSS", "VmHWM")
	if err != nil {
		return 0, 0, err
	}
	return float64(st["VmRSS"]) / 1024, float64(st["VmHWM"]) / 1024, nil
}

var totalRE = regexp.MustCompile(`([0-9.]+)([kMG]?) msgs`)

// Total is the message count in the status bar (compact: 12.3k is 12300).
func (c *Console) Total() (float64, error) {
	s, err := c.Screen()
	if err != nil {
		return 0, err
	}
	return ParseTotal(s)
}

// ParseTotal reads "<n> msgs" from a captured screen.
func ParseTotal(screen string) (float64, error) {
	m := totalRE.FindStringSubmatch(screen)
	if m == nil {
		return 0, fmt.Errorf("no message count on screen")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("message count %q: %w", m[0], err)
	}
	switch m[2] {
	case "k":
		v *= 1e3
	case "M":
		v *= 1e6
	case "G":
		v *= 1e9
	}
	return v, nil
}

// WaitScreen polls the screen until ok accepts it or the time is up.
func (c *Console) WaitScreen(limit time.Duration, ok func(string) bool) (string, error) {
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		s, err := c.Screen()
		if err == nil {
			last = s
			if ok(s) {
				return s, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return last, fmt.Errorf("screen not as expected after %v", limit)
}
