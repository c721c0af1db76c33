package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// memBus is a Bus that keeps what was published and delivers it to the
// subscribers whose filter matches, as a broker would (the simulator sees
// its own publishes on the filters it listens on, e.g. its /error replies).
type memBus struct {
	mu   sync.Mutex
	subs []handler
	pubs []mqttconn.Message
}

func (b *memBus) Publish(topic string, payload []byte, qos byte, retain bool, props *mqttconn.Props) error {
	m := mqttconn.Message{Topic: topic, Payload: append([]byte(nil), payload...), QoS: qos, Retain: retain, Props: props}
	b.mu.Lock()
	b.pubs = append(b.pubs, m)
	subs := append([]handler(nil), b.subs...)
	b.mu.Unlock()
	for _, h := range subs {
		if platform.Matches(h.filter, topic) {
			h.fn(m)
		}
	}
	return nil
}

func (b *memBus) Subscribe(filter string, fn func(mqttconn.Message)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, handler{filter: filter, fn: fn})
	return nil
}

// inject is an operator's publish.
func (b *memBus) inject(topic string, payload []byte, props *mqttconn.Props) {
	_ = b.Publish(topic, payload, 1, false, props)
}

// mark is a position in the publish log.
func (b *memBus) mark() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pubs)
}

// since returns what was published after mark whose topic matches filter.
func (b *memBus) since(mark int, filter string) []mqttconn.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []mqttconn.Message
	for _, m := range b.pubs[mark:] {
		if platform.Matches(filter, m.Topic) {
			out = append(out, m)
		}
	}
	return out
}

var t0 = time.Date(2025, 5, 9, 13, 28, 42, 0, time.UTC)

// newTestSim starts a simulator at t0 on a memBus.
func newTestSim(t *testing.T, cfg Config) (*Sim, *memBus) {
	t.Helper()
	bus := &memBus{}
	s := New(cfg, bus)
	if err := s.Start(t0); err != nil {
		t.Fatal(err)
	}
	s.Step(t0)
	return s, bus
}

// run steps the simulator from `from` to `to` in steps of step.
func run(s *Sim, from, to time.Time, step time.Duration) {
	for at := from; !at.After(to); at = at.Add(step) {
		s.Step(at)
	}
}

// seedJSON returns one of seed 001's example documents, compacted: the
// platform's own bytes to compare with. The fixtures live with decode's
// (decode/testdata/seeds), so a checkout without the seeds still has them.
func seedJSON(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "decode", "testdata", "seeds", name))
	if err != nil {
		t.Fatalf("seed fixture: %v", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("seed fixture %s: %v", name, err)
	}
	return buf.Bytes()
}

// keysOf lists the keys of a JSON object, recursively, in wire order, so
// two documents can be compared for shape.
func keysOf(t *testing.T, doc []byte) string {
	t.Helper()
	n, err := decode.ParseJSON(string(doc))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, doc)
	}
	var b strings.Builder
	var walk func(n decode.Node)
	walk = func(n decode.Node) {
		if n.Kind != decode.KindObject {
			return
		}
		b.WriteString("{")
		for _, f := range n.Fields {
			b.WriteString(f.Key + " ")
			walk(f.Value)
		}
		b.WriteString("}")
	}
	walk(n)
	return b.String()
}

func asMap(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, doc)
	}
	return m
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return b
}

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	naiveRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$`)
	awareRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$`)
)
