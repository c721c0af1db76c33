// Package benchkit holds what mqdeck's performance programs share: a
// Mosquitto launcher that says when a client has subscribed, a raw MQTT
// publisher that is never the bottleneck, process memory readings, tmux
// panes and medians. Nothing here runs in `go test ./...` beyond quick
// unit tests.
package benchkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Mosquitto is a broker started for one benchmark session on a free
// loopback port. Its log reports every SUBSCRIBE, which is how a run knows
// a subscriber is ready before the flood starts.
type Mosquitto struct {
	Port int
	cmd  *exec.Cmd
	dir  string

	mu     sync.Mutex
	subs   map[string]int // client id -> filters subscribed
	wake   chan struct{}
	exited chan struct{}
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartMosquitto runs the mosquitto binary with a generated config: one
// listener on 127.0.0.1, anonymous, no persistence, and no cap on queued
// QoS 0 messages (Mosquitto otherwise drops QoS 0 for a subscriber more
// than 1000 packets behind, which would measure the broker's policy, not
// the subscriber). extra lines are appended to the config.
func StartMosquitto(dir string, extra ...string) (*Mosquitto, error) {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/mosquitto"); e != nil {
			return nil, fmt.Errorf("mosquitto not found (apt-get install mosquitto mosquitto-clients): %w", err)
		}
		bin = "/usr/sbin/mosquitto"
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	conf := []string{
		fmt.Sprintf("listener %d 127.0.0.1", port),
		"allow_anonymous true",
		"persistence false",
		"max_queued_messages 0",
		"log_dest stderr",
		"log_type error",
		"log_type warning",
		"log_type subscribe",
		"log_timestamp false",
	}
	conf = append(conf, extra...)
	path := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("mosquitto config: %w", err)
	}
	cmd := exec.Command(bin, "-c", path)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("mosquitto: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mosquitto: %w", err)
	}
	m := &Mosquitto{Port: port, cmd: cmd, dir: dir, subs: map[string]int{}, wake: make(chan struct{}), exited: make(chan struct{})}
	go m.readLog(stderr)
	go func() { _ = cmd.Wait(); close(m.exited) }()
	if err := waitListening(port, 5*time.Second, m.exited); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

// URL is the broker's address for mqdeck.
func (m *Mosquitto) URL() string { return fmt.Sprintf("mqtt://127.0.0.1:%d", m.Port) }

// Addr is host:port.
func (m *Mosquitto) Addr() string { return fmt.Sprintf("127.0.0.1:%d", m.Port) }

// PID of the broker (to read its memory).
func (m *Mosquitto) PID() int { return m.cmd.Process.Pid }

// Stop ends the broker and waits for it.
func (m *Mosquitto) Stop() {
	_ = m.cmd.Process.Kill()
	<-m.exited
}

// readLog counts the subscribe lines: "<client id> <qos> <filter>".
func (m *Mosquitto) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || len(f[1]) != 1 || f[1][0] < '0' || f[1][0] > '2' {
			continue
		}
		m.mu.Lock()
		m.subs[f[0]]++
		close(m.wake)
		m.wake = make(chan struct{})
		m.mu.Unlock()
	}
}

// ResetSubscribed forgets what a client id subscribed (before a new run
// reuses the id).
func (m *Mosquitto) ResetSubscribed(clientID string) {
	m.mu.Lock()
	delete(m.subs, clientID)
	m.mu.Unlock()
}

// WaitSubscribed returns once clientID has subscribed to at least n
// filters. Mosquitto is single-threaded and logs a filter as it adds it, so
// anything published after this returns reaches the subscriber.
func (m *Mosquitto) WaitSubscribed(ctx context.Context, clientID string, n int) error {
	for {
		m.mu.Lock()
		got, wake := m.subs[clientID], m.wake
		m.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to subscribe (%d of %d filters): %w", clientID, got, n, ctx.Err())
		case <-m.exited:
			return errors.New("mosquitto exited")
		case <-wake:
		}
	}
}

func waitListening(port int, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("mosquitto exited at start (is the port taken?)")
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("mosquitto not listening on %d after %v", port, limit)
}
