package serve

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// gate holds a publish until it is opened: the broker's answer is still
// on its way when the operator leaves.
type gate struct {
	next    mqttconn.Client
	entered chan struct{}
	open    chan struct{}
}

func (g gate) Publish(ctx context.Context, req mqttconn.PublishRequest) mqttconn.PublishResult {
	close(g.entered)
	<-g.open
	return g.next.Publish(ctx, req)
}

// An operator who quits while an action is being published still gets its
// answer audited, under their identity: the session settles its publishes
// before it ends (the answer used to be dropped with the program).
func TestPublishInFlightAtQuitIsAudited(t *testing.T) {
	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	g := gate{next: connect(t, mq.URL()), entered: make(chan struct{}), open: make(chan struct{})}
	r := newRig(t, rigOpts{publisher: g})
	op := r.open(t, "alice", r.op, 120, 40, true)
	op.waitFor(sysName, 10*time.Second)
	op.send("1", "g", down, "t")
	op.waitFor("Trigger event", 5*time.Second)
	op.send(enter)
	op.waitFor("Confirm trigger event", 5*time.Second)
	op.send("y")
	select {
	case <-g.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the publish never started")
	}
	op.send("q")                       // leaves while the broker's answer is pending
	time.Sleep(500 * time.Millisecond) // the program has ended by now
	close(g.open)
	if _, err := op.wait(10 * time.Second); err != nil && strings.Contains(err.Error(), "did not end") {
		t.Fatalf("the session did not end once its publish was answered: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var outcomes []string
	for time.Now().Before(deadline) {
		outcomes = outcomes[:0]
		for _, l := range strings.Split(strings.TrimSpace(r.audit.String()), "\n") {
			var rec actions.AuditRecord
			if l == "" || json.Unmarshal([]byte(l), &rec) != nil {
				continue
			}
			if rec.Operator != "alice" || rec.Key != Fingerprint(r.op.PublicKey()) {
				t.Fatalf("audit line without alice's identity: %s", l)
			}
			outcomes = append(outcomes, rec.Outcome)
		}
		if len(outcomes) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(outcomes) < 2 || outcomes[len(outcomes)-1] != "acked" {
		t.Fatalf("audit outcomes %v: the answer of the publish in flight at quit is missing", outcomes)
	}
}
