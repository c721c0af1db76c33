package console

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

// clockModel is the console on the fixed fleet with a clock the test moves.
func clockModel(t *testing.T, w, h int, cfg Config) (*Model, *time.Time) {
	t.Helper()
	now := fixture.Clock()
	cfg.Theme = themes.Mono
	cfg.Now = func() time.Time { return now }
	if cfg.Conn.Broker == "" {
		cfg.Conn = views.ConnInfo{Broker: "mqtt://127.0.0.1:1883", Platform: "drivr", Protocol: "5"}
	}
	m := New(cfg)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	send(m, ingest.Batch{Items: fixture.FleetItems()})
	return m, &now
}

// The reconnect countdown follows the clock on every tick (it showed "in
// 7s" for seven seconds, then the next delay), and R retries at once.
func TestReconnectCountdownAndRetryKey(t *testing.T) {
	retries := 0
	m, now := clockModel(t, 120, 40, Config{RetryNow: func() bool { retries++; return true }})
	st := mqttconn.State{Kind: mqttconn.StateReconnecting, RetryIn: 7 * time.Second, Attempt: 3, Err: errors.New("EOF")}
	send(m, ingest.Batch{State: &st})
	for i, want := range []string{"reconnecting in 7s", "reconnecting in 6s", "reconnecting in 5s"} {
		if got := plain(m); !strings.Contains(got, want+" (R retries now): EOF") {
			t.Fatalf("after %ds the bar lacks %q:\n%s", i, want, strings.SplitN(got, "\n", 2)[0])
		}
		*now = now.Add(time.Second)
		send(m, tickMsg(*now))
	}
	send(m, press("R"))
	if retries != 1 || !strings.Contains(plain(m), "reconnecting now") {
		t.Errorf("R: %d retries, footer:\n%s", retries, plain(m))
	}
	send(m, press("?"))
	if !strings.Contains(plain(m), "reconnect now") {
		t.Errorf("help does not list R:\n%s", plain(m))
	}
}

// Without a live client (replay) R is off: not in help, and it does nothing.
func TestRetryKeyOffWithoutClient(t *testing.T) {
	m, _ := clockModel(t, 120, 40, Config{})
	send(m, press("?"))
	if strings.Contains(plain(m), "reconnect now") {
		t.Errorf("help lists R without a client:\n%s", plain(m))
	}
}

// DRIVR's event time is taken at review, and the confirmation says how old
// it is as the clock moves (the form used to carry the time it opened).
func TestConfirmShowsAgeOfEventTime(t *testing.T) {
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	m, now := clockModel(t, 120, 40, Config{Actions: Actions{Publisher: pub, Params: platform.Params{Slug: fixture.Slug}}})
	openTrigger(t, m)
	*now = now.Add(2 * time.Minute) // the operator thinks before pressing enter
	send(m, exec(t, send(m, press("enter"))))
	reviewed := now.UTC().Format("15:04:05")
	if got := plain(m); !strings.Contains(got, reviewed+" UTC · taken just now") {
		t.Fatalf("confirmation lacks the review time %s:\n%s", reviewed, got)
	}
	if a := m.Confirming(); !strings.Contains(string(a.Request.Payload), now.UTC().Format("2006-01-02T15:04:05")) {
		t.Errorf("payload %s does not carry the review time", a.Request.Payload)
	}
	*now = now.Add(40 * time.Second)
	send(m, tickMsg(*now))
	if got := plain(m); !strings.Contains(got, "taken 40s ago") {
		t.Errorf("age does not follow the clock:\n%s", got)
	}
}

// The confirmation's model masks secrets: the root builds it, so the view
// never holds the access key.
func TestConfirmModelMasksSecrets(t *testing.T) {
	b := &actions.Builder{Platform: platform.DevAPI, Unit: platforms.Actions(platform.DevAPI), Now: fixture.Clock, NewID: func() string { return "a1b2c3d4" },
		AccessKey: actions.Secret{Public: "AK-secret-0042"}}
	f, err := b.NewForm(actions.KindRequestSnapshot, actions.Selection{Target: actions.Target{System: "dev-1"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	cm := confirmModel(a)
	found := false
	for _, u := range cm.User {
		if u[1] == "AK-secret-0042" {
			t.Fatalf("secret in the model: %v", cm.User)
		}
		found = found || u[0] == "access_key" && u[1] == actions.Mask
	}
	if !found || cm.Topic != a.Request.Topic || cm.ID != a.ID {
		t.Errorf("model %+v", cm)
	}
}

// A new error while another pane is focused badges the Errors tab with the
// unseen count until the pane is shown (it only flashed on the bottom line).
func TestErrorsTabBadgeUntilSeen(t *testing.T) {
	m, _ := clockModel(t, 80, 24, Config{})
	send(m, press("4"), press("1")) // the fixture's errors: seen
	tabs := func() string { return strings.Split(plain(m), "\n")[1] }
	if strings.Contains(tabs(), "✖") {
		t.Fatalf("badge with nothing unseen: %q", tabs())
	}
	for range 3 {
		m.store.AddError(fleet.ErrorReport{Code: "X", Message: "boom"})
	}
	send(m, tickMsg(fixture.Clock()))
	if !strings.Contains(tabs(), " ✖3") || !regexp.MustCompile(`4 Err[a-z]* ✖3`).MatchString(tabs()) {
		t.Fatalf("no badge for 3 new errors: %q", tabs())
	}
	send(m, press("2"))
	if !strings.Contains(tabs(), "✖3") {
		t.Fatalf("badge gone before the pane was seen: %q", tabs())
	}
	send(m, press("4"), press("1"))
	if strings.Contains(tabs(), "✖") {
		t.Fatalf("badge stays after the pane was seen: %q", tabs())
	}
}

// In the grid (120x40) the Errors pane is always on screen and there is no
// tab strip: its title counts the errors that arrived since the operator
// last went to it (focus), and going there is what makes them seen.
func TestErrorsPaneTitleCountsUnseenInGrid(t *testing.T) {
	m, _ := clockModel(t, 120, 40, Config{})
	title := func() string {
		for _, l := range strings.Split(plain(m), "\n") {
			if i := strings.Index(l, "4 Errors"); i >= 0 {
				return l[i:]
			}
		}
		t.Fatalf("no Errors pane in the grid:\n%s", plain(m))
		return ""
	}
	send(m, press("4"), press("1")) // the fixture's errors: seen
	if strings.Contains(title(), "unseen") {
		t.Fatalf("unseen with nothing new: %q", title())
	}
	for range 3 {
		m.store.AddError(fleet.ErrorReport{Code: "X", Message: "boom"})
	}
	send(m, tickMsg(fixture.Clock()))
	if !strings.Contains(title(), "✖3 unseen") {
		t.Fatalf("3 new errors while Fleet has focus, the pane's title says %q", title())
	}
	send(m, press("2"), press("z"), press("z"))
	if !strings.Contains(title(), "✖3 unseen") {
		t.Fatalf("unseen count gone before the pane was visited: %q", title())
	}
	send(m, press("4"))
	if strings.Contains(title(), "unseen") {
		t.Fatalf("still unseen with the Errors pane focused: %q", title())
	}
	send(m, press("1"))
	if strings.Contains(title(), "unseen") {
		t.Fatalf("unseen again after the visit: %q", title())
	}
}

// The empty Actions pane offers only the keys the platform enables: DRIVR
// refuses commands and snapshots, so c and r are not offered there.
func TestActionsEmptyTextOffersEnabledKeysOnly(t *testing.T) {
	m, _, _ := actionModel(t, 80, 24, Actions{})
	send(m, press("7"))
	out := plain(m)
	if !strings.Contains(out, "no actions yet: t trigger event · s set value · P publish") {
		t.Fatalf("empty Actions text:\n%s", out)
	}
	for _, bad := range []string{"c command", "r snapshot", "r request snapshot", "c send command"} {
		if strings.Contains(out, bad) {
			t.Errorf("offers %q, which DRIVR refuses", bad)
		}
	}
}

// On a generic broker t, c and s opened one raw publish form titled as an
// event, a command, a setpoint: they are off there, P publishes, and the
// fleet says where the data is instead of waiting for messages forever.
func TestGenericKeysAndFleetSayWhatTheyDo(t *testing.T) {
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	m := newGenericModel(t, 80, 24, pub, nil, false)
	for _, k := range []string{"t", "c", "s"} {
		send(m, press(k))
		if m.Modal() != nil {
			t.Fatalf("%s opened %T on a generic broker", k, m.Modal())
		}
	}
	send(m, press("1"))
	if out := plain(m); !strings.Contains(out, "generic: no systems; see 8 Topics, 5 Log") || strings.Contains(out, "waiting for messages") {
		t.Errorf("generic fleet:\n%s", out)
	}
	send(m, press("P"))
	if _, ok := m.Modal().(*views.ActionForm); !ok || !strings.Contains(plain(m), "Publish") {
		t.Fatalf("P opened %T:\n%s", m.Modal(), plain(m))
	}
	send(m, exec(t, send(m, press("esc"))))
	send(m, press("?"))
	if out := plain(m); strings.Contains(out, "trigger event") || !strings.Contains(out, "publish") {
		t.Errorf("help on generic:\n%s", out)
	}
}
