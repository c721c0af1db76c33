package actions_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
	. "github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// brokers runs fn against the embedded broker and against Mosquitto (which
// skips, or fails with MQDECK_REQUIRE_MOSQUITTO=1, when it is missing).
func brokers(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("embedded", func(t *testing.T) { fn(t, mqtttest.Embedded(t)) })
	t.Run("mosquitto", func(t *testing.T) {
		m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
		fn(t, m.URL())
	})
}

func connect(t *testing.T, opts mqttconn.Options) mqttconn.Client {
	t.Helper()
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	c, err := mqttconn.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("connect %s: %v", opts.Broker, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// operator is what the root does with a confirmed action: track, audit,
// publish, record the result, audit again.
type operator struct {
	c     mqttconn.Client
	tr    *Tracker
	audit *Audit
	path  string
}

func newOperator(t *testing.T, c mqttconn.Client) *operator {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	au, err := OpenAudit(path, "e2e-operator")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = au.Close() })
	return &operator{c: c, tr: NewTracker(0), audit: au, path: path}
}

func (o *operator) send(t *testing.T, a Action) mqttconn.PublishResult {
	t.Helper()
	o.tr.Add(a, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := o.c.Publish(ctx, a.Request)
	o.tr.Result(a.ID, r, time.Now())
	entry, _ := o.tr.Get(a.ID)
	if err := o.audit.Write(entry); err != nil {
		t.Fatal(err)
	}
	return r
}

func (o *operator) auditLines(t *testing.T) []AuditRecord {
	t.Helper()
	raw, err := os.ReadFile(o.path)
	if err != nil {
		t.Fatal(err)
	}
	var out []AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var r AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func liveBuilder() *Builder {
	return &Builder{Platform: platform.DRIVR, Unit: platforms.Actions(platform.DRIVR), Params: platform.Params{Slug: SeedSlug}}
}

func buildEvent(t *testing.T, b *Builder, model, enc string) Action {
	t.Helper()
	f, err := b.NewForm(KindTriggerEvent, Selection{Target: Target{Fleet: SeedSlug, System: SeedSys}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(FModel, model)
	f.Set(FEncoding, enc)
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestE2ETriggeredEventReachesTopicWithExactBytes(t *testing.T) {
	brokers(t, func(t *testing.T, url string) {
		watcher := connect(t, mqttconn.Options{Broker: url, Subscriptions: []mqttconn.Subscription{
			{Filter: "drivr/v1/" + SeedSlug + "/input/#", QoS: 1}}})
		op := newOperator(t, connect(t, mqttconn.Options{Broker: url}))
		b := liveBuilder()
		for _, enc := range []string{"json", "msgpack"} {
			a := buildEvent(t, b, "energy-overload-model", enc)
			if r := op.send(t, a); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("%s: publish %+v", enc, r)
			}
			m := receive(t, watcher.Messages(), 5*time.Second)
			if m.Topic != "drivr/v1/company-example/input/event/s/"+SeedSys+"/"+enc {
				t.Fatalf("%s: topic %q", enc, m.Topic)
			}
			if !bytes.Equal(m.Payload, a.Request.Payload) {
				t.Fatalf("%s: bytes differ:\n got %x\nwant %x", enc, m.Payload, a.Request.Payload)
			}
			var doc map[string]any
			var err error
			if enc == "json" {
				err = json.Unmarshal(m.Payload, &doc)
			} else {
				err = msgpack.Unmarshal(m.Payload, &doc)
			}
			if err != nil || doc["eventModelCode"] != "energy-overload-model" || doc["time"] == nil || len(doc) != 2 {
				t.Fatalf("%s: document %v %v", enc, doc, err)
			}
		}
		lines := op.auditLines(t)
		if len(lines) != 2 || lines[0].Outcome != "acked" || lines[0].Topic != "drivr/v1/company-example/input/event/s/"+SeedSys+"/json" ||
			lines[1].Topic[len(lines[1].Topic)-7:] != "msgpack" || lines[0].Operator != "e2e-operator" || lines[0].PayloadSHA256 == "" {
			t.Errorf("audit: %+v", lines)
		}
	})
}

func receive(t *testing.T, ch <-chan mqttconn.Message, d time.Duration) mqttconn.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(d):
		t.Fatal("nothing received")
	}
	return mqttconn.Message{}
}

// TestE2EPlatformAnswersMatchedBesideTheAction runs the fleet simulator
// (answering DRIVR inputs as seed 001 does) and a console that routes and
// decodes what it receives like the pump, feeding the tracker.
func TestE2EPlatformAnswersMatchedBesideTheAction(t *testing.T) {
	brokers(t, func(t *testing.T, url string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg := sim.Config{Platforms: []string{platform.DRIVR}, Systems: 1, Rate: 0.01, Slug: SeedSlug}
		simClient := connect(t, mqttconn.Options{Broker: url, Subscriptions: sim.Subscriptions(cfg)})
		bus := sim.NewClientBus(simClient)
		s := sim.New(cfg, bus)
		go func() { _ = bus.Run(ctx) }()
		go func() { _ = s.Run(ctx) }()

		scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: SeedSlug})
		if err != nil {
			t.Fatal(err)
		}
		console := connect(t, mqttconn.Options{Broker: url, Subscriptions: scheme.Filters()})
		op := newOperator(t, console)
		b := liveBuilder()
		// The simulator is up once its retained snapshot arrives.
		first := receive(t, console.Messages(), 5*time.Second)
		if r := scheme.Route(first.Topic, first.Props); r.Platform != platform.DRIVR {
			t.Fatalf("first message %q is not DRIVR's", first.Topic)
		}

		good := buildEvent(t, b, "energy-overload-model", "json")
		bad := buildEvent(t, b, "en", "msgpack")
		for _, a := range []Action{good, bad} {
			if r := op.send(t, a); r.Outcome != mqttconn.OutcomeAcked {
				t.Fatalf("publish %+v", r)
			}
		}
		deadline := time.After(10 * time.Second)
		for {
			ge, _ := op.tr.Get(good.ID)
			be, _ := op.tr.Get(bad.ID)
			if ge.EventUUID != "" && len(be.Answers) > 0 {
				a, _ := be.LastAnswer()
				if a.Kind != AnswerPlatformError || a.Code != "SOME_DATA_INVALID" ||
					!bytes.Contains([]byte(a.Message), []byte("event_model_does_not_exist")) {
					t.Fatalf("bad action's answer: %+v", a)
				}
				if st := be.Status(); st.Word != "error SOME_DATA_INVALID" {
					t.Errorf("status %+v", st)
				}
				if st := ge.Status(); st.Tone != ToneOK || ge.Answers[0].Kind != AnswerEventCreated {
					t.Errorf("good status %+v %+v", st, ge.Answers)
				}
				for _, e := range []*Entry{ge, be} {
					if err := op.audit.Write(e); err != nil {
						t.Fatal(err)
					}
				}
				lines := op.auditLines(t)
				if last := lines[len(lines)-1]; last.Outcome != "platform_error:SOME_DATA_INVALID" || last.Code != "SOME_DATA_INVALID" {
					t.Errorf("audit %+v", last)
				}
				return
			}
			select {
			case m := <-console.Messages():
				r := scheme.Route(m.Topic, m.Props)
				v := decode.Decode(m.Payload, ingest.Hints(&m, r.Encoding), decode.DefaultLimits())
				op.tr.Observe([]fleet.Item{{Msg: m, Route: platform.Refine(r, &v), Value: v}})
			case <-deadline:
				t.Fatalf("no answers: good %+v / bad %+v", ge.Answers, be.Answers)
			}
		}
	})
}

// TestE2EReadOnlyRefusedAtTransport publishes a built action through a real
// client with ReadOnly set: the transport refuses, nothing reaches a
// subscriber, the tracker and the audit say read-only.
func TestE2EReadOnlyRefusedAtTransport(t *testing.T) {
	brokers(t, func(t *testing.T, url string) {
		watcher := connect(t, mqttconn.Options{Broker: url, Subscriptions: []mqttconn.Subscription{{Filter: "#", QoS: 1}}})
		op := newOperator(t, connect(t, mqttconn.Options{Broker: url, ReadOnly: true}))
		// Built before read-only was known to the builder: the transport is
		// the line that holds.
		a := buildEvent(t, liveBuilder(), "energy-overload-model", "json")
		if r := op.send(t, a); r.Outcome != mqttconn.OutcomeReadOnly {
			t.Fatalf("outcome %+v", r)
		}
		select {
		case m := <-watcher.Messages():
			t.Fatalf("a read-only console published %q", m.Topic)
		case <-time.After(700 * time.Millisecond):
		}
		e, _ := op.tr.Get(a.ID)
		if st := e.Status(); st.Word != "read-only, not sent" {
			t.Errorf("status %+v", st)
		}
		if lines := op.auditLines(t); len(lines) != 1 || lines[0].Outcome != "read-only" {
			t.Errorf("audit %+v", lines)
		}
	})
}
