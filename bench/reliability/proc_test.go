package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
)

// logLine is the part of a `mqdeck log` line these tests read.
type logLine struct {
	Topic      string `json:"topic"`
	QoS        int    `json:"qos"`
	Dup        bool   `json:"dup"`
	Payload    string `json:"payload"`
	PayloadB64 string `json:"payload_b64"`
}

// stamped is a line of text with the moment it was read.
type stamped struct {
	at   time.Time
	text string
}

// proc is a running mqdeck process whose stdout and stderr are read line by
// line as they come (stdout can also be left unread: see startStuck).
type proc struct {
	t     testing.TB
	cmd   *exec.Cmd
	done  chan struct{}
	err   error // Wait's result, after done
	ready chan struct{}

	mu      sync.Mutex
	out     []stamped
	errs    []stamped
	changed chan struct{}
}

// startMqdeck runs the built binary with args and extra environment. The
// process is killed when the test ends if it is still running.
func startMqdeck(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startProc(t, true, env, args...)
}

// startStuck runs mqdeck with a stdout pipe that nobody reads until the
// returned function is called: a terminal or SSH link that stopped reading.
func startStuck(t testing.TB, env []string, args ...string) (*proc, func()) {
	t.Helper()
	p := startProc(t, false, env, args...)
	return p, func() { close(p.ready) }
}

func startProc(t testing.TB, readNow bool, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(mqdeckBin(), args...)
	// Only what the test gives: no MQDECK_* from the developer's shell.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir()}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan struct{}), ready: make(chan struct{}), changed: make(chan struct{}, 1)}
	if readNow {
		close(p.ready)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mqdeck: %v", err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		<-p.ready
		p.read(stdout, &p.out)
	}()
	go func() { defer readers.Done(); p.read(stderr, &p.errs) }()
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Signal(syscall.SIGCONT)
			_ = cmd.Process.Kill()
			select {
			case <-p.ready:
			default:
				close(p.ready)
			}
			<-p.done
		}
	})
	return p
}

func (p *proc) read(r io.Reader, into *[]stamped) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 32<<20)
	for sc.Scan() {
		p.mu.Lock()
		*into = append(*into, stamped{at: time.Now(), text: sc.Text()})
		p.mu.Unlock()
		p.poke()
	}
	_, _ = io.Copy(io.Discard, r) // a line past the limit: keep the pipe drained
}

func (p *proc) poke() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// stdout and stderr return copies of the lines read so far.
func (p *proc) stdout() []stamped {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]stamped(nil), p.out...)
}
func (p *proc) stderr() []stamped {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]stamped(nil), p.errs...)
}

func (p *proc) stdoutCount() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.out) }

func (p *proc) stderrText() string {
	var b strings.Builder
	for _, l := range p.stderr() {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// waitStderr waits until a stderr line contains want and returns it.
func (p *proc) waitStderr(d time.Duration, want string) (stamped, bool) {
	var found stamped
	ok := p.waitUntil(d, func() bool {
		for _, l := range p.stderr() {
			if strings.Contains(l.text, want) {
				found = l
				return true
			}
		}
		return false
	})
	return found, ok
}

// waitUntil polls cond whenever output arrives (and every 50 ms) for at
// most d, or until the process ends.
func (p *proc) waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.After(d)
	for {
		if cond() {
			return true
		}
		select {
		case <-p.changed:
		case <-time.After(50 * time.Millisecond):
		case <-p.done:
			return cond()
		case <-deadline:
			return false
		}
	}
}

// wait waits for the process to end and returns its exit code (-1 when it
// was killed by a signal or did not end within d).
func (p *proc) wait(d time.Duration) int {
	select {
	case <-p.done:
	case <-time.After(d):
		return -1
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// interrupt sends SIGINT (mqdeck flushes and exits 0).
func (p *proc) interrupt() { _ = p.cmd.Process.Signal(os.Interrupt) }

// parseLog decodes mqdeck log lines; a line that is not JSON fails the test.
func parseLog(t testing.TB, lines []stamped) []logLine {
	t.Helper()
	out := make([]logLine, 0, len(lines))
	for _, l := range lines {
		var ll logLine
		if err := json.Unmarshal([]byte(l.text), &ll); err != nil {
			t.Fatalf("mqdeck log printed a line that is not JSON (%v): %.200q", err, l.text)
		}
		out = append(out, ll)
	}
	return out
}

// threads reads the number of OS threads of a process.
func threads(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status: %w", err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("Threads:")); ok {
			return strconv.Atoi(strings.TrimSpace(string(v)))
		}
	}
	return 0, fmt.Errorf("no Threads for pid %d", pid)
}

// timeout returns a context that ends with the test or after d.
func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// needTools skips the test when a tool is missing, or fails it when
// MQDECK_REQUIRE_MOSQUITTO=1 (CI installs Mosquitto, its clients and tmux).
func needTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err == nil {
			continue
		}
		if os.Getenv(mqtttest.RequireEnv) == "1" {
			t.Fatalf("%s not on PATH and %s=1", n, mqtttest.RequireEnv)
		}
		t.Skipf("%s not on PATH: install it (apt-get install tmux mosquitto-clients)", n)
	}
}
