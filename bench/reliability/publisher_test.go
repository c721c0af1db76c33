package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// Fate of one sequence number at the publisher.
const (
	fateUnsent    = iota
	fateAcked     // the broker acknowledged it (PUBACK)
	fateUncertain // sent, but no acknowledgement: it may or may not have arrived
)

// seqPublisher publishes numbered QoS 1 messages {"seq":N} with a few
// workers and records what became of each number. A publish refused as
// offline was never sent and is retried with the same number; one that
// failed after sending is marked uncertain and never repeated, so a number
// received twice can only be a redelivery by the broker.
type seqPublisher struct {
	c     mqttconn.Client
	topic string
	pad   string

	next atomic.Int64 // last number handed out

	mu     sync.Mutex
	fate   map[int64]uint8
	ackAt  map[int64]time.Time
	acked  int
	failed int
}

func newSeqPublisher(t testing.TB, broker, topic string, size int) *seqPublisher {
	t.Helper()
	c, err := mqttconn.New(mqttconn.Options{Broker: broker, Protocol: mqttconn.Protocol5,
		BackoffMax: 500 * time.Millisecond, ClientID: "reliability-pub-" + strings.ReplaceAll(t.Name(), "/", "-")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(timeout(t, 10*time.Second)); err != nil {
		t.Fatalf("publisher: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	pad := ""
	if size > 20 {
		pad = strings.Repeat("x", size-20)
	}
	return &seqPublisher{c: c, topic: topic, pad: pad, fate: map[int64]uint8{}, ackAt: map[int64]time.Time{}}
}

// payload is the message for n.
func (p *seqPublisher) payload(n int64) []byte {
	return fmt.Appendf(nil, `{"seq":%d,"pad":"%s"}`, n, p.pad)
}

// run publishes with workers goroutines until ctx ends or stop is closed.
func (p *seqPublisher) run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := p.next.Add(1)
			for ctx.Err() == nil {
				pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				r := p.c.Publish(pctx, mqttconn.PublishRequest{Topic: p.topic, Payload: p.payload(n), QoS: 1})
				cancel()
				switch r.Outcome {
				case mqttconn.OutcomeOffline:
					time.Sleep(5 * time.Millisecond) // not sent: same number again
					continue
				case mqttconn.OutcomeAcked:
					p.record(n, fateAcked)
				default:
					p.record(n, fateUncertain)
				}
				n = p.next.Add(1)
			}
			// The number this worker held but never sent stays unsent.
		}()
	}
	wg.Wait()
}

func (p *seqPublisher) record(n int64, f uint8) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fate[n] = f
	if f == fateAcked {
		p.acked++
		p.ackAt[n] = time.Now()
	} else {
		p.failed++
	}
}

// counts returns acknowledged and uncertain publishes so far.
func (p *seqPublisher) counts() (acked, uncertain int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acked, p.failed
}

// snapshot copies the fates and acknowledgement times.
func (p *seqPublisher) snapshot() (map[int64]uint8, map[int64]time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := make(map[int64]uint8, len(p.fate))
	for k, v := range p.fate {
		f[k] = v
	}
	a := make(map[int64]time.Time, len(p.ackAt))
	for k, v := range p.ackAt {
		a[k] = v
	}
	return f, a
}

// seqOf reads the sequence number of a payload ({"seq":N,...}).
func seqOf(payload string) (int64, bool) {
	var v struct {
		Seq *int64 `json:"seq"`
	}
	if json.Unmarshal([]byte(payload), &v) != nil || v.Seq == nil {
		return 0, false
	}
	return *v.Seq, true
}
