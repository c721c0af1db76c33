package fleet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

func labels(rows []*System) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Label())
	}
	return strings.Join(out, ",")
}

// Systems sort by name or by state (offline, stale, unknown, online), the
// text filter finds name, code or id, windows page through, and
// SystemIndex follows a system as it moves.
func TestSystemsWindow(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) { c.StaleAfter = time.Minute })
	dev := newFeeder(t, platform.DevAPI, platform.Params{}, clk)
	tele := func(id, status string) Item {
		return dev.item("v1/device/"+id+"/telemetry", `{"status":"`+status+`"}`)
	}
	name := func(id, n string) Item { return dev.item("v1/device/"+id+"/update", `{"name":"`+n+`"}`) }
	s.Apply([]Item{
		tele("d1", "online"), name("d1", "Delta"),
		tele("d2", "offline"), name("d2", "alpha"),
		tele("d3", "online"), name("d3", "Charlie"),
		dev.item("v1/device/d4/get", ""), name("d4", "bravo"),
	})
	rows, total := s.SystemsWindow(SystemQuery{}, 0, 10, nil)
	if total != 4 || labels(rows) != "alpha,bravo,Charlie,Delta" {
		t.Errorf("by name: %d %s", total, labels(rows))
	}
	rows, _ = s.SystemsWindow(SystemQuery{Sort: SortByState}, 0, 10, nil)
	if labels(rows) != "alpha,bravo,Charlie,Delta" {
		// alpha offline, bravo unknown, Charlie and Delta online
		t.Errorf("by state: %s", labels(rows))
	}
	// d3 goes silent: stale sorts before unknown and online.
	clk.advance(40 * time.Second)
	s.Apply([]Item{tele("d1", "online"), dev.item("v1/device/d4/get", "")})
	clk.advance(30 * time.Second)
	v := s.Version()
	s.Refresh() // the writer's, about once a second
	if s.Version() == v {
		t.Error("Refresh moved a system and left the version")
	}
	rows, _ = s.SystemsWindow(SystemQuery{Sort: SortByState}, 0, 10, nil)
	if labels(rows) != "alpha,Charlie,bravo,Delta" {
		t.Errorf("by state with Charlie stale: %s", labels(rows))
	}
	if i, ok := s.SystemIndex(SystemQuery{Sort: SortByState}, Ref{Platform: platform.DevAPI, System: "d3"}); !ok || i != 1 {
		t.Errorf("SystemIndex(Charlie) = %d %v", i, ok)
	}
	// Windows.
	rows, total = s.SystemsWindow(SystemQuery{}, 1, 2, nil)
	if total != 4 || labels(rows) != "bravo,Charlie" {
		t.Errorf("window 1+2: %s", labels(rows))
	}
	if rows, _ = s.SystemsWindow(SystemQuery{}, 9, 2, nil); len(rows) != 0 {
		t.Errorf("window past the end: %s", labels(rows))
	}
	// Text: name (any case), id.
	rows, total = s.SystemsWindow(SystemQuery{Text: "ALP"}, 0, 10, nil)
	if total != 1 || labels(rows) != "alpha" {
		t.Errorf("text ALP: %s", labels(rows))
	}
	rows, total = s.SystemsWindow(SystemQuery{Text: "d4"}, 0, 10, nil)
	if total != 1 || labels(rows) != "bravo" {
		t.Errorf("text d4: %s", labels(rows))
	}
	// The cached filter result follows a rename.
	s.Apply([]Item{name("d4", "alpine")})
	rows, total = s.SystemsWindow(SystemQuery{Text: "alp"}, 0, 10, nil)
	if total != 2 || labels(rows) != "alpha,alpine" {
		t.Errorf("after rename: %s", labels(rows))
	}
	if i, ok := s.SystemIndex(SystemQuery{Text: "alp"}, Ref{Platform: platform.DevAPI, System: "d4"}); !ok || i != 1 {
		t.Errorf("SystemIndex in filter = %d %v", i, ok)
	}
	// Rate sparkline: d1 sent 2 messages in the first second, 1 at +40s.
	sys := s.System(Ref{Platform: platform.DevAPI, System: "d1"})
	r := sys.Rate(clk.now, nil)
	if len(r) != s.cfg.RatePoints {
		t.Fatalf("rate points %d", len(r))
	}
	sum := 0.0
	for _, v := range r {
		sum += v
	}
	if sum != 1 { // the first two are older than the 60 s window at +70s
		t.Errorf("rate window sum %v (%v)", sum, r)
	}
	checkInvariants(t, s)
}

func drivrEvent(f *feeder, sys, id, level, typ, state, at string) Item {
	return f.item("drivr/v1/acme/systems/"+sys+"/events/"+id, fmt.Sprintf(
		`{"uuid":%q,"time":%q,"status":%s,"acknowledged":false,"eventModel":{"uuid":"m-%s","eventLevel":%q,"eventType":%q,"code":"code-%s"}}`,
		id, at, state, level, level, typ, level))
}

// Events order newest first or by severity, filter by level, state, ack
// and entity, and count active and unacknowledged.
func TestEventsWindow(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, nil)
	f := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	s.Apply([]Item{
		drivrEvent(f, "s1", "e1", "INFO", "SINGLE_POINT", "null", "2025-05-01T10:00:00Z"),
		drivrEvent(f, "s1", "e2", "ERROR", "RANGED", `"ACTIVE"`, "2025-05-02T10:00:00Z"),
		drivrEvent(f, "s2", "e3", "WARNING", "RANGED", `"RESOLVED"`, "2025-05-03T10:00:00Z"),
		drivrEvent(f, "s2", "e4", "ERROR", "RANGED", `"RESOLVED"`, "2025-05-04T10:00:00Z"),
		drivrEvent(f, "s3", "e5", "SUCCESS", "SINGLE_POINT", "null", "2025-05-05T10:00:00Z"),
	})
	s.Apply([]Item{f.item("drivr/v1/acme/systems/s2/events/e4/ack", `{"time":"2025-05-04T11:00:00Z","userUuid":"u"}`)})
	ids := func(rows []*Event) string {
		var out []string
		for _, e := range rows {
			out = append(out, e.ID)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		name  string
		q     EventQuery
		off   int
		want  string
		total int
	}{
		{"newest", EventQuery{}, 0, "e5,e4,e3,e2,e1", 5},
		{"severity", EventQuery{Order: BySeverity}, 0, "e4,e2,e3,e1,e5", 5},
		{"window", EventQuery{}, 1, "e4,e3", 5},
		{"errors", EventQuery{Levels: Levels(LevelError)}, 0, "e4,e2", 2},
		{"errors+warnings", EventQuery{Levels: Levels(LevelError, LevelWarning)}, 0, "e4,e3,e2", 3},
		{"active", EventQuery{States: States(StateActive)}, 0, "e2", 1},
		{"no state", EventQuery{States: States(StateNone)}, 0, "e5,e1", 2},
		{"unacked", EventQuery{Ack: AckNo}, 0, "e5,e3,e2,e1", 4},
		{"acked", EventQuery{Ack: AckYes}, 0, "e4", 1},
		{"system s2", EventQuery{Entity: Ref{Platform: platform.DRIVR, Fleet: "acme", System: "s2"}}, 0, "e4,e3", 2},
		{"system s2 severity", EventQuery{Order: BySeverity, Entity: Ref{Platform: platform.DRIVR, Fleet: "acme", System: "s2"}}, 0, "e4,e3", 2},
		{"system s1 errors", EventQuery{Levels: Levels(LevelError), Entity: Ref{Platform: platform.DRIVR, Fleet: "acme", System: "s1"}}, 0, "e2", 1},
		{"text", EventQuery{Text: "CODE-WARN"}, 0, "e3", 1},
	}
	for _, c := range cases {
		rows, total := s.EventsWindow(c.q, c.off, len(strings.Split(c.want, ",")), nil)
		if ids(rows) != c.want || total != c.total {
			t.Errorf("%s: %s (%d), want %s (%d)", c.name, ids(rows), total, c.want, c.total)
		}
	}
	if c := s.EventCounts(EventQuery{}); c != (EventCounts{Matched: 5, Active: 1, Unacked: 4}) {
		t.Errorf("counts %+v", c)
	}
	if tot := s.Totals(); tot.ActiveEvents != 1 || tot.UnackedEvents != 4 || tot.Events != 5 {
		t.Errorf("totals %+v", tot)
	}
	// Resolving e2 moves it out of the active count and filter.
	s.Apply([]Item{f.item("drivr/v1/acme/systems/s1/events/e2/state", "RESOLVED")})
	if c := s.EventCounts(EventQuery{}); c.Active != 0 {
		t.Errorf("after resolve: %+v", c)
	}
	if sys := s.System(Ref{Platform: platform.DRIVR, Fleet: "acme", System: "s1"}); sys.ActiveEvents != 0 || sys.UnackedEvents != 2 {
		t.Errorf("system s1: active %d unacked %d", sys.ActiveEvents, sys.UnackedEvents)
	}
	checkInvariants(t, s)
}

// Active events outlive resolved ones when the cap is reached.
func TestEventEvictionKeepsActive(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) { c.MaxEvents = 3 })
	f := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	s.Apply([]Item{drivrEvent(f, "s1", "old-active", "ERROR", "RANGED", `"ACTIVE"`, "2025-05-01T10:00:00Z")})
	for i := 0; i < 10; i++ {
		clk.advance(time.Second)
		s.Apply([]Item{drivrEvent(f, "s1", fmt.Sprint("r", i), "INFO", "RANGED", `"RESOLVED"`, "2025-05-02T10:00:00Z")})
	}
	if s.Event(platform.DRIVR, "acme", "old-active") == nil {
		t.Error("the active event was evicted before resolved ones")
	}
	if got := s.Totals().Evicted.Events; got != 8 {
		t.Errorf("evicted %d, want 8", got)
	}
	checkInvariants(t, s)
}

// The raw log: newest first, filter by topic filter and text (payload
// too), incremental across batches, payload budget, secrets never kept.
func TestLogWindow(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) { c.MaxLog = 5; c.MaxLogBytes = 3000 })
	g := newFeeder(t, platform.Generic, platform.Params{}, clk)
	for i := 0; i < 4; i++ {
		s.Apply([]Item{g.item(fmt.Sprintf("site/%d/temp", i), fmt.Sprintf(`{"v":%d,"tag":"Boiler"}`, i))})
	}
	rows, total := s.LogWindow(LogFilter{}, 0, 10, nil)
	if total != 4 || rows[0].Item.Msg.Topic != "site/3/temp" {
		t.Fatalf("log %d newest %q", total, rows[0].Item.Msg.Topic)
	}
	rows, total = s.LogWindow(LogFilter{Topic: "site/+/temp", Text: "boiler"}, 1, 10, nil)
	if total != 4 || len(rows) != 3 || rows[0].Item.Msg.Topic != "site/2/temp" {
		t.Errorf("topic+text from offset 1: %d rows of %d", len(rows), total)
	}
	rows, total = s.LogWindow(LogFilter{Topic: "site/2/#"}, 0, 10, nil)
	if total != 1 || rows[0].Item.Msg.Topic != "site/2/temp" {
		t.Errorf("site/2/#: %d", total)
	}
	// New messages extend the cached result; old ones leave with the ring.
	s.Apply([]Item{g.item("site/2/temp", `{}`), g.item("other", "x"), g.item("site/2/hum", "boiler")})
	rows, total = s.LogWindow(LogFilter{Topic: "site/2/#"}, 0, 10, nil)
	if total != 3 || rows[0].Item.Msg.Topic != "site/2/hum" {
		t.Errorf("site/2/# after more: %d", total)
	}
	s.Apply([]Item{g.item("x", ""), g.item("y", ""), g.item("z", "")})
	rows, total = s.LogWindow(LogFilter{Topic: "site/2/#"}, 0, 10, nil)
	if total != 1 || rows[0].Item.Msg.Topic != "site/2/hum" {
		t.Errorf("site/2/# after eviction: %d %v", total, rows)
	}
	if _, total = s.LogWindow(LogFilter{Topic: "a/#/b"}, 0, 10, nil); total != 0 {
		t.Errorf("invalid filter matched %d", total)
	}
	// Payload budget: a large payload drops older payloads, entries stay.
	big := strings.Repeat("p", 1000)
	s.Apply([]Item{g.item("big/1", big), g.item("big/2", big)})
	rows, _ = s.LogWindow(LogFilter{}, 0, 10, nil)
	if rows[0].Dropped || len(rows[0].Item.Msg.Payload) != 1000 {
		t.Error("the newest payload must be kept")
	}
	if !rows[1].Dropped || rows[1].Item.Msg.Payload != nil || s.Totals().Evicted.LogPayloads == 0 {
		t.Errorf("older payload kept past the budget: dropped %v", rows[1].Dropped)
	}
	if s.logBytes > s.cfg.MaxLogBytes {
		t.Errorf("log bytes %d over %d", s.logBytes, s.cfg.MaxLogBytes)
	}
	// Credentials: the entry stays, the payload and properties do not.
	dr := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	secret := dr.msg("drivr/v1/acme/authorization/localApiTokens/s1", `[{"token":"CLOUD-secret"}]`, true,
		&mqttconn.Props{User: []mqttconn.UserProperty{{Key: "access_key", Value: "k"}}})
	s.Apply([]Item{secret})
	rows, _ = s.LogWindow(LogFilter{}, 0, 1, nil)
	if !rows[0].Redacted || rows[0].Item.Msg.Payload != nil || rows[0].Item.Msg.Props != nil || rows[0].Item.Value.Data.Kind != 0 {
		t.Errorf("secret entry kept payload: %+v", rows[0])
	}
	if _, total := s.LogWindow(LogFilter{Text: "cloud-secret"}, 0, 1, nil); total != 0 {
		t.Error("text search found a redacted payload")
	}
	if len(s.systems) != 0 {
		t.Error("a secret topic created a system")
	}
	checkInvariants(t, s)
}

// AddError fills time and sequence, coalesces repeats, and decode
// warnings arrive by themselves.
func TestErrors(t *testing.T) {
	clk := &clock{now: t0}
	s := newTestStore(clk, func(c *Config) { c.MaxErrors = 3 })
	v0 := s.Version()
	s.AddError(ErrorReport{Source: ErrSubscribe, Topic: "drivr/v1/acme/#", Message: "not authorized"})
	if s.Version() == v0 {
		t.Error("AddError must bump the version")
	}
	clk.advance(time.Second)
	s.AddError(ErrorReport{Source: ErrSubscribe, Topic: "drivr/v1/acme/#", Message: "not authorized"})
	rows, total := s.ErrorsWindow(0, 10, nil)
	if total != 1 || rows[0].Count != 2 || !rows[0].Time.Equal(clk.now) || rows[0].Seq != 1 {
		t.Fatalf("coalesced: %d %+v", total, rows)
	}
	s.AddError(ErrorReport{Source: ErrPublish, Topic: "a", Message: "timeout"})
	// A msgpack hint on JSON-less bytes: the decoder falls back and warns.
	f := newFeeder(t, platform.DRIVR, platform.Params{Slug: "acme"}, clk)
	s.Apply([]Item{f.item("drivr/v1/acme/input/event/s/s1/msgpack/error", `{"code":"X"}`)})
	rows, total = s.ErrorsWindow(0, 10, nil)
	if total != 3 {
		t.Fatalf("errors %d", total)
	}
	var sources []string
	for _, r := range rows {
		sources = append(sources, string(r.Source))
	}
	// Newest first; the coalesced subscribe report left at the cap.
	if strings.Join(sources, ",") != "platform,decode,publish" || s.Totals().Evicted.Errors != 1 {
		t.Errorf("sources %v, evicted %d", sources, s.Totals().Evicted.Errors)
	}
	if rows[1].Topic != "drivr/v1/acme/input/event/s/s1/msgpack/error" || rows[1].Message == "" {
		t.Errorf("decode warning report %+v", rows[1])
	}
	if rows[0].Code != "X" {
		t.Errorf("platform report code %q", rows[0].Code)
	}
	checkInvariants(t, s)
}
