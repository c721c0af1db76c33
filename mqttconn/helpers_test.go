package mqttconn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// recorder keeps every State and SubResult a client reports.
type recorder struct {
	mu     sync.Mutex
	states []mqttconn.State
	subs   [][]mqttconn.SubResult
	ping   chan struct{}
}

func newRecorder() *recorder { return &recorder{ping: make(chan struct{}, 1)} }

func (r *recorder) onState(s mqttconn.State) {
	r.mu.Lock()
	r.states = append(r.states, s)
	r.mu.Unlock()
	r.notify()
}

func (r *recorder) onSub(res []mqttconn.SubResult) {
	r.mu.Lock()
	r.subs = append(r.subs, res)
	r.mu.Unlock()
	r.notify()
}

func (r *recorder) notify() {
	select {
	case r.ping <- struct{}{}:
	default:
	}
}

func (r *recorder) snapshot() ([]mqttconn.State, [][]mqttconn.SubResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]mqttconn.State(nil), r.states...), append([][]mqttconn.SubResult(nil), r.subs...)
}

// waitFor polls cond on every report, for at most d.
func (r *recorder) waitFor(t *testing.T, d time.Duration, what string, cond func([]mqttconn.State, [][]mqttconn.SubResult) bool) {
	t.Helper()
	deadline := time.After(d)
	for {
		st, subs := r.snapshot()
		if cond(st, subs) {
			return
		}
		select {
		case <-r.ping:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waited %s for %s; states:\n%s", d, what, describeStates(st))
		}
	}
}

func describeStates(st []mqttconn.State) string {
	var b strings.Builder
	for _, s := range st {
		fmt.Fprintf(&b, "  kind=%d proto=%q retry=%s attempt=%d err=%v\n", s.Kind, s.Protocol, s.RetryIn, s.Attempt, s.Err)
	}
	return b.String()
}

func countKind(st []mqttconn.State, k mqttconn.StateKind) int {
	n := 0
	for _, s := range st {
		if s.Kind == k {
			n++
		}
	}
	return n
}

// start builds and starts a client, closed at the end of the test.
func start(t *testing.T, o mqttconn.Options) (mqttconn.Client, *recorder) {
	t.Helper()
	c, rec, err := tryStart(t, o)
	if err != nil {
		t.Fatalf("Start %s (%s): %v", o.Broker, o.Protocol, err)
	}
	return c, rec
}

func tryStart(t *testing.T, o mqttconn.Options) (mqttconn.Client, *recorder, error) {
	t.Helper()
	rec := newRecorder()
	o.OnState, o.OnSubscribe = rec.onState, rec.onSub
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	c, err := mqttconn.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	err = c.Start(context.Background())
	return c, rec, err
}

// next waits for one message.
func next(t *testing.T, c mqttconn.Client, d time.Duration) mqttconn.Message {
	t.Helper()
	select {
	case m := <-c.Messages():
		return m
	case <-time.After(d):
		t.Fatalf("no message within %s", d)
	}
	return mqttconn.Message{}
}

// none asserts that no message arrives within d.
func none(t *testing.T, c mqttconn.Client, d time.Duration) {
	t.Helper()
	select {
	case m := <-c.Messages():
		t.Fatalf("unexpected message on %q: %q", m.Topic, m.Payload)
	case <-time.After(d):
	}
}

func publish(t *testing.T, c mqttconn.Client, req mqttconn.PublishRequest) mqttconn.PublishResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Publish(ctx, req)
}

// v3OnlyPeer is a loopback server that behaves like a broker speaking only
// MQTT 3.1.1: an MQTT 5 CONNECT gets a 3.1.1 CONNACK "unacceptable protocol
// version" (refuse=true) or a bare close (refuse=false); any other CONNECT
// is forwarded byte for byte to backend (host:port of a real broker).
func v3OnlyPeer(t *testing.T, backend string, refuse bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				servePeer(conn, backend, refuse)
			}()
		}
	}()
	return "mqtt://" + ln.Addr().String()
}

func servePeer(conn net.Conn, backend string, refuse bool) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	head, body, err := readPacket(conn)
	if err != nil || head[0]>>4 != 1 || len(body) < 7 {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	if level := body[6]; level == 5 {
		if refuse {
			_, _ = conn.Write([]byte{0x20, 0x02, 0x00, 0x01})
		}
		return
	}
	up, err := net.DialTimeout("tcp", backend, 2*time.Second)
	if err != nil {
		return
	}
	defer up.Close()
	if _, err := up.Write(append(head, body...)); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, conn); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, up); done <- struct{}{} }()
	<-done
}

// readPacket reads one MQTT packet: fixed header bytes and body.
func readPacket(r io.Reader) ([]byte, []byte, error) {
	head := make([]byte, 1, 5)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, nil, err
	}
	n, mul := 0, 1
	for i := 0; i < 4; i++ {
		var b [1]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, err
		}
		head = append(head, b[0])
		n += int(b[0]&0x7f) * mul
		if b[0]&0x80 == 0 {
			body := make([]byte, n)
			_, err := io.ReadFull(r, body)
			return head, body, err
		}
		mul *= 128
	}
	return nil, nil, errors.New("bad remaining length")
}

func itoa(n int) string { return fmt.Sprint(n) }

// silentListener accepts connections and never writes.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String()
}
