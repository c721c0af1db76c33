package fleet

import (
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

// feeder turns topics and payloads into Items the way the pump does:
// Route, Decode, Refine.
type feeder struct {
	t      testing.TB
	scheme platform.Scheme
	clk    *clock
}

func newFeeder(t testing.TB, name string, p platform.Params, clk *clock) *feeder {
	t.Helper()
	sc, err := platform.New(name, p)
	if err != nil {
		t.Fatalf("platform.New(%s): %v", name, err)
	}
	return &feeder{t: t, scheme: sc, clk: clk}
}

func (f *feeder) msg(topic, payload string, retain bool, props *mqttconn.Props) Item {
	m := mqttconn.Message{Topic: topic, Payload: []byte(payload), Retain: retain, Received: f.clk.now, Props: props}
	r := f.scheme.Route(topic, props)
	v := decode.Decode(m.Payload, ingest.Hints(&m, r.Encoding), decode.DefaultLimits())
	r = platform.Refine(r, &v)
	return Item{Msg: m, Route: r, Value: v}
}

func (f *feeder) item(topic, payload string) Item { return f.msg(topic, payload, false, nil) }

// testPlatforms are the platform units the store's tests apply. The units
// import fleet, so only the external test package can name them: its
// TestMain (main_test.go) sets them before any test runs.
var testPlatforms []Platform

// SetTestPlatforms is for that TestMain only.
func SetTestPlatforms(p []Platform) { testPlatforms = p }

func newTestStore(clk *clock, mut func(*Config)) *Store {
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	if mut != nil {
		mut(&cfg)
	}
	if len(testPlatforms) == 0 {
		panic("fleet tests: no platforms; TestMain in main_test.go sets them")
	}
	return New(cfg, testPlatforms)
}

// checkInvariants proves that every collection is within its cap, that
// every index and eviction list holds exactly the entities of its map, that
// the counters agree with the events, and that created = held + evicted
// (+ removed) for each collection.
func checkInvariants(t testing.TB, s *Store) {
	t.Helper()
	c := s.cfg
	caps := []struct {
		name     string
		n, limit int
	}{
		{"systems", len(s.systems), c.MaxSystems},
		{"components", len(s.comps), c.MaxComponents},
		{"series", len(s.series), c.MaxSeries},
		{"events", len(s.events), c.MaxEvents},
		{"commands", len(s.commands), c.MaxCommands},
		{"licenses", len(s.licenses), c.MaxLicenses},
		{"event models", len(s.models), c.MaxEventModels},
		{"errors", s.errors.Len(), c.MaxErrors},
		{"log", s.log.Len(), c.MaxLog},
	}
	for _, x := range caps {
		if x.n > x.limit {
			t.Fatalf("%s: %d held, cap %d", x.name, x.n, x.limit)
		}
	}
	eq := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: %d, want %d", what, got, want)
		}
	}
	eq("byName", s.byName.Len(), len(s.systems))
	eq("byState", s.byState.Len(), len(s.systems))
	eq("sysLRU", s.sysLRU.Len(), len(s.systems))
	eq("compIdx", s.compIdx.Len(), len(s.comps))
	eq("compLRU", s.compLRU.Len(), len(s.comps))
	eq("seriesIdx", s.seriesIdx.Len(), len(s.series))
	eq("seriesLRU", s.seriesLRU.Len(), len(s.series))
	eq("evByTime", s.evByTime.Len(), len(s.events))
	eq("evBySev", s.evBySev.Len(), len(s.events))
	eq("evBySys", s.evBySys.Len(), len(s.events))
	eq("event lists", s.evOpen.Len()+s.evClosed.Len(), len(s.events))
	for key, se := range s.series {
		if key != se.mkey || key != string(seriesMapKey(nil, se.Ref, se.Kind, se.Name)) {
			t.Fatalf("series %v %s filed under %q", se.Ref, se.Name, key)
		}
	}
	for key, e := range s.events {
		if key != string(eventMapKey(nil, e.Ref.Platform, e.Ref.Fleet, e.ID)) || s.Event(e.Ref.Platform, e.Ref.Fleet, e.ID) != e {
			t.Fatalf("event %s filed under %q", e.ID, key)
		}
	}
	inBuckets := 0
	for l := range s.evBucket {
		for st := range s.evBucket[l] {
			for a, b := range s.evBucket[l][st] {
				if b == nil {
					continue
				}
				inBuckets += b.Len()
				b.Ascend(0, func(k eventKey) bool {
					if int(k.sev) != l || int(k.state) != st || int(k.ack) != a || k != s.keyOfEvent(k.e) {
						t.Fatalf("event %s in bucket %d/%d/%d with key %+v", k.e.ID, l, st, a, k)
					}
					return true
				})
			}
		}
	}
	eq("event buckets", inBuckets, len(s.events))
	eq("cmdIdx", s.cmdIdx.Len(), len(s.commands))
	eq("cmdLRU", s.cmdLRU.Len(), len(s.commands))
	eq("licIdx", s.licIdx.Len(), len(s.licenses))
	eq("licLRU", s.licLRU.Len(), len(s.licenses))
	eq("modelLRU", s.modelLRU.Len(), len(s.models))

	// Every event belongs to a held system; counters match a recount.
	var all evBuckets
	perSys := map[Ref]*evBuckets{}
	for _, e := range s.events {
		sys := s.System(e.Ref)
		if sys == nil || sys != e.sys || sys.removed {
			t.Fatalf("event %s: system %v not held", e.ID, e.Ref.SystemRef())
		}
		all[e.Level][e.State][ackBucket(e)]++
		b := perSys[sys.Ref]
		if b == nil {
			b = new(evBuckets)
			perSys[sys.Ref] = b
		}
		b[e.Level][e.State][ackBucket(e)]++
	}
	if all != s.evCounts {
		t.Fatalf("event counters %v, recount %v", s.evCounts, all)
	}
	comps := map[Ref]int{}
	for _, cp := range s.comps {
		if s.System(cp.Ref) == nil {
			t.Fatalf("component %v: system not held", cp.Ref)
		}
		comps[cp.Ref.SystemRef()]++
	}
	for key, sys := range s.systems {
		ref := sys.Ref
		if key != sys.mkey || s.System(ref) != sys {
			t.Fatalf("system %v filed under %q", ref, key)
		}
		var want evBuckets
		if b := perSys[ref]; b != nil {
			want = *b
		}
		if got := sysBuckets(sys); got != want {
			t.Fatalf("system %v: counters %v, recount %v", ref, got, want)
		}
		eq("components of "+ref.System, sys.Components, comps[ref])
		if sys.Authoritative && sys.stale.list != nil {
			t.Fatalf("system %v: authoritative but in a staleness list", ref)
		}
	}
	cr, ev := s.created, s.evicted
	rm := s.removed
	eq("systems created", int(cr.Systems), len(s.systems)+int(ev.Systems)+int(rm.Systems))
	eq("components created", int(cr.Components), len(s.comps)+int(ev.Components)+int(rm.Components))
	eq("series created", int(cr.Series), len(s.series)+int(ev.Series)+int(rm.Series))
	eq("events created", int(cr.Events), len(s.events)+int(ev.Events)+int(rm.Events))
	eq("commands created", int(cr.Commands), len(s.commands)+int(ev.Commands))
	eq("licenses created", int(cr.Licenses), len(s.licenses)+int(ev.Licenses))
	eq("models created", int(cr.EventModels), len(s.models)+int(ev.EventModels))
	eq("errors created", int(s.errSeq), s.errors.Len()+int(ev.Errors))
	eq("log created", int(s.logSeq), s.log.Len()+int(ev.Log))
	if s.logBytes > c.MaxLogBytes && s.logFloor <= s.logSeq {
		t.Fatalf("log bytes %d over budget %d", s.logBytes, c.MaxLogBytes)
	}
}
