package fleet

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// gen makes random but platform-shaped traffic over small id pools, so
// entities repeat, collide and get evicted.
type gen struct {
	r       *rand.Rand
	feeders map[string]*feeder
}

func newGen(t testing.TB, clk *clock, seed uint64) *gen {
	return &gen{
		r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		feeders: map[string]*feeder{
			platform.DRIVR:      newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk),
			platform.Drogue:     newFeeder(t, platform.Drogue, platform.Params{Apps: []string{"app1"}}, clk),
			platform.DevAPI:     newFeeder(t, platform.DevAPI, platform.Params{}, clk),
			platform.SmartWorks: newFeeder(t, platform.SmartWorks, platform.Params{Account: "acct"}, clk),
			platform.Generic:    newFeeder(t, platform.Generic, platform.Params{}, clk),
		},
	}
}

func (g *gen) pick(v ...string) string { return v[g.r.IntN(len(v))] }
func (g *gen) id(prefix string, n int) string {
	return fmt.Sprintf("%s%d", prefix, g.r.IntN(n))
}

func (g *gen) item() Item {
	r := g.r
	sys := g.id("sys-", 25)
	comp := g.id("comp-", 4)
	ev := g.id("ev-", 60)
	num := fmt.Sprint(r.IntN(1000) - 500)
	garbage := g.pick("", "null", "[]", "\x00\x01\xff", `{"a":`, "ACTIVE", `"RESOLVED"`, "\x81\xa1a\x01", strings.Repeat("x", r.IntN(3000)))
	d := "drivr/v1/acme/systems/" + sys
	var f *feeder
	var topic, payload string
	retain := r.IntN(4) == 0
	switch r.IntN(5) {
	case 0:
		f = g.feeders[platform.DRIVR]
		switch r.IntN(12) {
		case 0:
			topic, payload = d, fmt.Sprintf(`{"uuid":%q,"name":"Sys %s","code":"c-%s","connectionState":%q}`, sys, g.id("", 40), sys, g.pick("CONNECTED", "DISCONNECTED", "WEIRD"))
		case 1:
			topic, payload = d, "" // deletion when retained
		case 2:
			topic, payload = d+"/connectionState", g.pick("CONNECTED", "DISCONNECTED", `{"connected":true}`)
		case 3:
			topic, payload = d+"/components/"+comp, fmt.Sprintf(`{"uuid":"u-%s-%s","code":%q,"name":"C %s"}`, sys, comp, comp, comp)
		case 4, 5:
			topic = d + "/events/" + ev
			if r.IntN(2) == 0 {
				topic = d + "/components/" + comp + "/events/" + ev
			}
			payload = fmt.Sprintf(`{"uuid":%q,"time":"2025-05-%02dT10:00:00Z","status":%s,"acknowledged":%v,"eventModel":{"uuid":"m-%d","eventLevel":%q,"eventType":"RANGED","code":"code-%d"}}`,
				ev, 1+r.IntN(28), g.pick("null", `"ACTIVE"`, `"RESOLVED"`), r.IntN(2) == 0, r.IntN(6), g.pick("ERROR", "WARNING", "INFO", "SUCCESS", "bogus"), r.IntN(6))
		case 6:
			topic, payload = d+"/events/"+ev+"/state", g.pick("ACTIVE", "RESOLVED", "", "junk")
		case 7:
			topic, payload = d+"/events/"+ev+"/ack", `{"time":"2025-05-06T14:39:44Z","userUuid":"u1"}`
		case 8:
			topic, payload = d+"/datapoints/"+g.id("dp", 5), fmt.Sprintf(`{"value":%s,"unit":"V"}`, num)
		case 9:
			topic, payload = "drivr/v1/acme/input/event/s/"+sys+"/json/error", `{"code":"SOME_DATA_INVALID","stats":{"total":1,"errors":1,"imported":0},"errors":{"0":[{"code":"x","message":{"f":["bad"]}}]}}`
		case 10:
			topic, payload = "drivr/v1/acme/eventModels/m-"+g.id("", 8), `{"code":"mc","eventLevel":"ERROR"}`
		default:
			topic, payload = d+"/"+g.pick("state", "events/"+ev, "datapoints"), garbage
		}
	case 1:
		f = g.feeders[platform.Drogue]
		typ := g.pick("io.drogue.event.v1", "io.drogue.connection.v1", "io.drogue.registry.v1", "other")
		data := g.pick(`{"connected":true}`, `{"connected":false}`, `{"t":`+num+`,"n":{"x":1}}`, `7`, `"s"`)
		topic = "app/app1"
		payload = fmt.Sprintf(`{"specversion":"1.0","id":"%d","source":"s","type":%q,"subject":"ch","device":%q,"sender":%q,"application":"app1","data":%s}`, r.IntN(1e6), typ, sys, g.pick(sys, "gw"), data)
		if r.IntN(5) == 0 {
			topic, payload = "command/app1/"+sys+"/"+g.id("cmd", 3), garbage
		}
	case 2:
		f = g.feeders[platform.DevAPI]
		base := "v1/device/" + sys + "/"
		switch r.IntN(8) {
		case 0, 1:
			topic, payload = base+"telemetry", fmt.Sprintf(`{"status":%q,"override":%v,"telemetries":{"a":%s,"b":%s,"c%d":true}}`, g.pick("online", "offline", "error"), r.IntN(6) == 0, num, g.pick("null", "1", `"x"`), r.IntN(5))
		case 2:
			topic, payload = base+g.pick("commands", "command", "commands/update"), fmt.Sprintf(`{"id":%q,"status":%q,"name":"n"}`, g.id("c", 20), g.pick("pending", "in_progress", "done", "error"))
		case 3:
			topic, payload = base+g.pick("license", "license/update"), fmt.Sprintf(`[{"id":%q,"add":true,"state":"inuse"}]`, g.id("l", 10))
		case 4:
			topic, payload = base+"incidents", fmt.Sprintf(`[{"id":%q,"status":%q,"priority":%q}]`, g.id("i", 30), g.pick("active", "closed"), g.pick("critical", "low", "moderate"))
		case 5:
			topic, payload = base+g.pick("config/update", "space_info", "firmware", "update", "cloud_settings/update"), `{"name":"N","version":"1","property":"p","value":3,"x":{"y":2}}`
		default:
			topic, payload = base+g.pick("telemetry", "get", "nope/x"), garbage
		}
	case 3:
		f = g.feeders[platform.SmartWorks]
		side := g.pick("status", "set")
		base := side + "/acct/things/" + sys + "/"
		switch r.IntN(4) {
		case 0:
			topic, payload = base+"properties/temp", `{"temp":`+num+`}`
		case 1:
			topic, payload = base+"actions/reboot", fmt.Sprintf(`{"reboot":{"href":"/things/x/actions/reboot/%s","status":%q}}`, g.id("a", 10), g.pick("pending", "completed"))
		case 2:
			topic, payload = base+"events/overheat", `{"overheat":{"data":1}}`
		default:
			topic, payload = base+"data", garbage
		}
	default:
		f = g.feeders[platform.Generic]
		topic, payload = g.pick("a/b", "sensors/"+sys+"/t", "$SYS/x", "weird/\x1b[2J"), garbage
	}
	return f.msg(topic, payload, retain, nil)
}

func smallConfig(c *Config) {
	// Systems hold more than the others, so each collection reaches its own
	// cap, not only the cascade of an evicted system.
	c.MaxSystems, c.MaxComponents, c.MaxSeries, c.MaxEvents = 12, 3, 8, 9
	c.MaxCommands, c.MaxLicenses, c.MaxEventModels = 4, 3, 3
	c.MaxErrors, c.MaxLog, c.MaxLogBytes = 6, 8, 4000
	c.SeriesPoints, c.EventHistory, c.SystemHistory, c.RatePoints = 4, 3, 2, 5
	c.StaleAfter = 3 * time.Second
}

// Any sequence of messages keeps every collection within its cap, every
// index in step with its map, counters equal to a recount, and
// created = held + evicted + removed; the queries agree with brute force.
func TestPropertyBoundedAndConsistent(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		clk := &clock{now: t0}
		s := newTestStore(clk, smallConfig)
		g := newGen(t, clk, seed)
		for step := 0; step < 1500; step++ {
			batch := make([]Item, 1+g.r.IntN(8))
			for i := range batch {
				clk.advance(time.Duration(g.r.IntN(800)) * time.Millisecond)
				batch[i] = g.item()
			}
			s.Apply(batch)
			checkInvariants(t, s)
			checkQueries(t, s, g.r)
		}
		ev := s.Totals().Evicted
		if ev.Systems == 0 || ev.Events == 0 || ev.Series == 0 || ev.Log == 0 || ev.Components == 0 {
			t.Errorf("seed %d: caps never reached, the test proves little: %+v", seed, ev)
		}
	}
}

func checkQueries(t *testing.T, s *Store, r *rand.Rand) {
	t.Helper()
	now := s.cfg.Now()
	// Presence from the lists equals presence from the clock.
	for _, sys := range s.systems {
		want := PresenceUnknown
		switch {
		case sys.Conn == ConnOffline:
			want = PresenceOffline
		case !sys.Authoritative && !sys.LastSeen.IsZero() && now.Sub(sys.LastSeen) >= s.cfg.StaleAfter:
			want = PresenceStale
		case sys.Conn == ConnOnline:
			want = PresenceOnline
		}
		if got := s.PresenceOf(sys); got != want {
			t.Fatalf("%v: presence %v, clock says %v (last seen %v, now %v)", sys.Ref, got, want, sys.LastSeen, now)
		}
	}
	// Systems by state: complete and ordered.
	rows, total := s.SystemsWindow(SystemQuery{Sort: SortByState}, 0, 1000, nil)
	if total != len(s.systems) || len(rows) != total {
		t.Fatalf("systems window %d/%d of %d", len(rows), total, len(s.systems))
	}
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		pa, pb := s.PresenceOf(a), s.PresenceOf(b)
		if pa > pb || pa == pb && strings.ToLower(a.Label()) > strings.ToLower(b.Label()) {
			t.Fatalf("state order: %v %q before %v %q", pa, a.Label(), pb, b.Label())
		}
	}
	// A random event query against brute force.
	q := EventQuery{
		Order:  EventOrder(r.IntN(2)),
		Levels: LevelSet(r.IntN(32)),
		States: StateSet(r.IntN(8)),
		Ack:    AckFilter(r.IntN(3)),
	}
	if r.IntN(2) == 0 && len(rows) > 0 {
		q.Entity = rows[r.IntN(len(rows))].Ref
		if r.IntN(3) == 0 {
			q.Entity.Component = fmt.Sprintf("comp-%d", r.IntN(4))
		}
	}
	if r.IntN(4) == 0 {
		q.Text = fmt.Sprintf("code-%d", r.IntN(6))
	}
	var want []*Event
	needle := strings.ToLower(q.Text)
	for _, e := range s.events {
		if q.match(s, e, needle) {
			want = append(want, e)
		}
	}
	less := lessEvTime
	if q.Order == BySeverity {
		less = lessEvSev
	}
	sort.Slice(want, func(i, j int) bool { return less(s.keyOfEvent(want[i]), s.keyOfEvent(want[j])) })
	off := r.IntN(len(want) + 1)
	got, n := s.EventsWindow(q, off, 5, nil)
	if n != len(want) {
		t.Fatalf("events %+v: total %d, brute force %d", q, n, len(want))
	}
	for i, e := range got {
		if e != want[off+i] {
			t.Fatalf("events %+v: row %d differs", q, off+i)
		}
	}
	if len(got) != min(5, len(want)-off) {
		t.Fatalf("events window of %d rows at %d of %d", len(got), off, len(want))
	}
	c := s.EventCounts(q)
	active, unacked := 0, 0
	for _, e := range want {
		if e.State == StateActive {
			active++
		}
		if ackBucket(e) == ackNo {
			unacked++
		}
	}
	if c.Matched != len(want) || c.Active != active || c.Unacked != unacked {
		t.Fatalf("counts %+v, brute force %d/%d/%d", c, len(want), active, unacked)
	}
	// The log filtered by a topic filter against brute force.
	filter := []string{"drivr/#", "v1/device/+/telemetry", "+/+", "#", "app/app1"}[r.IntN(5)]
	var logWant []uint64
	for i := s.log.Len() - 1; i >= 0; i-- {
		if e := s.log.At(i); MatchTopic(filter, e.Item.Msg.Topic) {
			logWant = append(logWant, e.Seq)
		}
	}
	logGot, ln := s.LogWindow(LogFilter{Topic: filter}, 0, 100, nil)
	if ln != len(logWant) || len(logGot) != len(logWant) {
		t.Fatalf("log %q: %d/%d, brute force %d", filter, len(logGot), ln, len(logWant))
	}
	for i, e := range logGot {
		if e.Seq != logWant[i] {
			t.Fatalf("log %q row %d: seq %d, want %d", filter, i, e.Seq, logWant[i])
		}
	}
}

// FuzzApply feeds arbitrary payloads on every platform's topic shapes into
// a small store: nothing panics and the invariants hold.
func FuzzApply(f *testing.F) {
	f.Add(byte(0), byte(1), []byte(seedSysEvent))
	f.Add(byte(3), byte(2), []byte(seedSysError))
	f.Add(byte(7), byte(0), []byte(`{"status":"online","telemetries":{"a":1,"b":null}}`))
	f.Add(byte(9), byte(5), []byte(`[{"id":"i","status":"active"}]`))
	f.Add(byte(1), byte(9), []byte("ACTIVE"))
	f.Fuzz(func(t *testing.T, sel, id byte, payload []byte) {
		clk := &clock{now: t0}
		s := newTestStore(clk, smallConfig)
		g := newGen(t, clk, uint64(id))
		sys := fmt.Sprintf("s%d", id%9)
		topics := []struct{ p, topic string }{
			{platform.DRIVR, "drivr/v1/acme/systems/" + sys + "/events/e1"},
			{platform.DRIVR, "drivr/v1/acme/systems/" + sys + "/events/e1/state"},
			{platform.DRIVR, "drivr/v1/acme/systems/" + sys + "/events/e1/ack"},
			{platform.DRIVR, "drivr/v1/acme/input/event/s/" + sys + "/json/error"},
			{platform.DRIVR, "drivr/v1/acme/systems/" + sys},
			{platform.DRIVR, "drivr/v1/acme/systems/" + sys + "/components/c1"},
			{platform.Drogue, "app/app1"},
			{platform.DevAPI, "v1/device/" + sys + "/telemetry"},
			{platform.DevAPI, "v1/device/" + sys + "/commands/update"},
			{platform.DevAPI, "v1/device/" + sys + "/incidents"},
			{platform.DevAPI, "v1/device/" + sys + "/license"},
			{platform.SmartWorks, "status/acct/things/" + sys + "/actions/a"},
			{platform.SmartWorks, "status/acct/things/" + sys + "/events"},
		}
		pick := topics[int(sel)%len(topics)]
		for i := 0; i < 20; i++ {
			s.Apply([]Item{g.item()})
		}
		it := g.feeders[pick.p].msg(pick.topic, string(payload), sel&0x80 != 0, nil)
		s.Apply([]Item{it, it})
		checkInvariants(t, s)
	})
}
