package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// tmuxTerm is a private tmux server running one mqdeck in a pane of a fixed
// size, read back with capture-pane.
type tmuxTerm struct {
	t       *testing.T
	bin     string
	socket  string
	conf    string
	env     []string
	started string // file the pane's shell writes its pid (mqdeck's once it execs), the time and its schedstat to, just before it execs mqdeck
	status  string // file the pane's shell writes mqdeck's exit status to
}

// newTmux starts `mqdeck args...` in a width x height pane. Without tmux the
// test is skipped, or fails when MQDECK_REQUIRE_MOSQUITTO=1 (CI installs it).
func newTmux(t *testing.T, width, height int, args ...string) *tmuxTerm {
	t.Helper()
	return newTmuxCmd(t, width, height, append([]string{mqdeckBin}, args...)...)
}

// newTmuxCmd is newTmux for any program: argv[0] is what runs (ssh, say).
func newTmuxCmd(t *testing.T, width, height int, argv ...string) *tmuxTerm {
	t.Helper()
	bin, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv(mqtttest.RequireEnv) == "1" {
			t.Fatalf("tmux not on PATH and %s=1: install tmux", mqtttest.RequireEnv)
		}
		t.Skip("tmux not on PATH: install tmux to run the console end to end")
	}
	dir := t.TempDir()
	tm := &tmuxTerm{t: t, bin: bin, socket: fmt.Sprintf("mqdeck-test-%d-%d", os.Getpid(), time.Now().UnixNano()),
		conf: filepath.Join(dir, "tmux.conf"), started: filepath.Join(dir, "started"), status: filepath.Join(dir, "status"), env: append(testEnv(t), "TERM=xterm-256color")}
	// The pane stays after mqdeck exits (its last screen is read); no
	// status line, so the pane is the whole size; /bin/sh runs the command
	// line below whatever the user's $SHELL is.
	if err := os.WriteFile(tm.conf, []byte("set -g remain-on-exit on\nset -g status off\nset -g default-shell /bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, 0, len(argv))
	for _, a := range argv {
		quoted = append(quoted, shellQuote(a))
	}
	// The shell records the exit status. tmux's own pane_dead_status can
	// stay empty for good: Debian's tmux 3.3a resets SIGCHLD to SIG_DFL
	// while libutempter's helper clears the pane's utmp record, which it
	// starts when the pty closes, just as mqdeck exits; that SIGCHLD is
	// dropped and tmux leaves mqdeck a zombie until some other child ends
	// (seen with strace; 1 run in 15-30 under load).
	// An inner shell records which process mqdeck is and when it started,
	// then becomes mqdeck: tmux's server and the shells take their own time
	// first, which is not mqdeck's.
	stamp := "echo $$ $(date +%s%N) $(cat /proc/$$/schedstat 2>/dev/null) > " + shellQuote(tm.started) + `; exec "$0" "$@"`
	command := "sh -c " + shellQuote(stamp) + " " + strings.Join(quoted, " ") + "; echo $? > " + shellQuote(tm.status)
	t.Cleanup(func() {
		_, _ = tm.run("kill-server")
		// tmux leaves the socket file behind: $TMUX_TMPDIR (else /tmp)/tmux-UID/NAME.
		dir := os.Getenv("TMUX_TMPDIR")
		if dir == "" {
			dir = "/tmp"
		}
		_ = os.Remove(filepath.Join(dir, fmt.Sprintf("tmux-%d", os.Getuid()), tm.socket))
	})
	if out, err := tm.run("new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), command); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	return tm
}

func (tm *tmuxTerm) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tm.bin, append([]string{"-L", tm.socket, "-f", tm.conf}, args...)...)
	cmd.Env = tm.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startedAt is mqdeck's process id, when the pane's shell exec'd it, and
// how long that shell had waited for a core by then (Linux; 0 elsewhere).
func (tm *tmuxTerm) startedAt() (pid int, at time.Time, waited time.Duration) {
	tm.t.Helper()
	b, err := os.ReadFile(tm.started)
	f := strings.Fields(string(b))
	if err != nil || len(f) < 2 {
		tm.t.Fatalf("when mqdeck started: %v %q", err, b)
	}
	pid, perr := strconv.Atoi(f[0])
	ns, terr := strconv.ParseInt(f[1], 10, 64)
	if perr != nil || terr != nil {
		tm.t.Fatalf("when mqdeck started: %q", b)
	}
	if len(f) >= 4 {
		w, _ := strconv.ParseInt(f[3], 10, 64)
		waited = time.Duration(w)
	}
	return pid, time.Unix(0, ns), waited
}

// runQueueWait is the longest any one of pid's threads has waited, ready to
// run, for a core (Linux's schedstat; 0 elsewhere), less what the main
// thread waited before it became mqdeck (the shell's: more than 0.2 s in
// a run at load 6). Every wait of a thread is time the whole process may have been held
// up by others' work, so a thread's is the most that can be discounted
// without discounting a pause of mqdeck's own: a sleeping thread is not
// waiting for a core.
func runQueueWait(pid int, before time.Duration) time.Duration {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var most time.Duration
	for _, name := range files {
		b, err := os.ReadFile(name)
		f := strings.Fields(string(b))
		if err != nil || len(f) < 2 {
			continue
		}
		ns, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		w := time.Duration(ns)
		if filepath.Base(filepath.Dir(name)) == strconv.Itoa(pid) {
			w -= before
		}
		most = max(most, w)
	}
	return most
}

// screen is the pane's text now.
func (tm *tmuxTerm) screen() string {
	out, err := tm.run("capture-pane", "-p", "-t", "main")
	if err != nil {
		return "capture-pane: " + err.Error() + ": " + out
	}
	return out
}

// waitScreen polls until every want is on screen.
func (tm *tmuxTerm) waitScreen(timeout time.Duration, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("after %s the screen does not show %q:\n%s", timeout, missing, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	if out, err := tm.run(append([]string{"send-keys", "-t", "main"}, keys...)...); err != nil {
		tm.t.Fatalf("send-keys: %v: %s", err, out)
	}
}

// exited waits for mqdeck to end and returns its exit status (128+N for
// a signal N).
func (tm *tmuxTerm) exited(timeout time.Duration) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if b, err := os.ReadFile(tm.status); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return string(bytes.TrimSpace(b))
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("mqdeck still running after %s:\n%s", timeout, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// publishSeed sends the seed messages with mosquitto_pub, a client nobody
// here wrote; without it (and not required) with mqdeck's own client.
func publishSeed(t *testing.T, url string, seed []seedMsg) {
	t.Helper()
	if _, err := exec.LookPath("mosquitto_pub"); err == nil || os.Getenv(mqtttest.RequireEnv) == "1" {
		for _, s := range seed {
			mqtttest.PubCLI(t, "-h", "127.0.0.1", "-p", port(url), "-t", s.topic, "-m", s.payload)
		}
		return
	}
	t.Log("mosquitto_pub not found: publishing with mqdeck's own client")
	c, err := mqttconn.New(mqttconn.Options{Broker: url, ConnectTimeout: 5 * time.Second})
	must(t, err)
	ctx := ctxFor(t, 10*time.Second)
	must(t, c.Start(ctx))
	defer c.Close()
	for _, s := range seed {
		if r := c.Publish(ctx, mqttconn.PublishRequest{Topic: s.topic, Payload: []byte(s.payload), QoS: 1}); r.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("publish %s: %+v", s.topic, r)
		}
	}
}

// TestConsoleShowsSeedEvents runs the console under tmux against the
// embedded broker; a real client publishes the DRIVR event and error
// examples of seed 001 and the screen shows them.
func TestConsoleShowsSeedEvents(t *testing.T) {
	b := mqtttest.EmbeddedBroker(t)
	tm := newTmux(t, 120, 40, "--broker", b.URL(), "--platform", "drivr", "--slug", seedSlug, "--theme", "mono")
	tm.waitScreen(10*time.Second, "connected")
	publishSeed(t, b.URL(), drivrSeed())
	screen := tm.waitScreen(10*time.Second, "energy-overl", "smart-meter", "ACTIVE", "SOME_DATA_I")
	t.Logf("120x40 after the seed:\n%s", screen)
	for _, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 120 {
			t.Errorf("a line is %d runes wide: %q", w, line)
		}
	}
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q after q", status)
	}
}

// TestDemoShowsSystemsQuickly: `mqdeck demo` shows the simulated systems
// within 2 s of starting (issue 7). mqdeck needs ~0.15-0.25 s of CPU for it
// (schedstat at load 11): the rest of a run's time under load is waiting
// for a core. Counted from tmux's start, as it was, the test failed 1 run
// in 40 at load 11-14 (3.9 s; 0.5-1.7 s in the others), and at load 16
// the first frame came 2.2 s after the exec. So it counts from the exec and
// leaves out the longest wait of one mqdeck thread for a core (0.03-1.55 s
// in 50 runs at load 6-7, 0.17-0.8 s left); a pause of mqdeck's own, a
// sleep or a timer, is never such a wait (a 2.5 s sleep before the console
// fails it), and on a quiet machine there is little to leave out.
func TestDemoShowsSystemsQuickly(t *testing.T) {
	tm := newTmux(t, 120, 40, "demo", "--theme", "mono")
	screen := tm.waitScreen(10*time.Second, "12 systems", "online")
	pid, started, before := tm.startedAt()
	wall := time.Since(started)
	waited := runQueueWait(pid, before)
	took := wall - waited
	t.Logf("systems on screen %s after the exec, %s of it one thread's wait for a core: %s",
		wall.Round(time.Millisecond), waited.Round(time.Millisecond), took.Round(time.Millisecond))
	if took > 2*time.Second {
		t.Errorf("demo took %s to show its systems (%s, less %s waiting for a core), want under 2 s:\n%s", took, wall, waited, screen)
	}
	tm.keys("q")
	if status := tm.exited(5 * time.Second); status != "0" {
		t.Errorf("exit status %q after q", status)
	}
}

// TestConsoleConnectFailureLeavesTerminal: a console that cannot connect
// says why in one line and never takes over the screen.
func TestConsoleConnectFailureLeavesTerminal(t *testing.T) {
	url := fmt.Sprintf("mqtt://127.0.0.1:%d", mqtttest.FreePort(t))
	p := runMQDeck(t, 10*time.Second, testEnv(t), "--broker", url, "--connect-timeout", "2s")
	oneFailureLine(t, p, 2*time.Second, "connection refused")
}
