package console

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/views"
)

// fakePub records what the console publishes and answers with res.
type fakePub struct {
	mu   sync.Mutex
	reqs []mqttconn.PublishRequest
	res  mqttconn.PublishResult
}

func (f *fakePub) Publish(_ context.Context, r mqttconn.PublishRequest) mqttconn.PublishResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r)
	return f.res
}

func (f *fakePub) sent() []mqttconn.PublishRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mqttconn.PublishRequest(nil), f.reqs...)
}

// lockedBuf is an audit sink read while the model writes.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records parses the audit lines written so far.
func (l *lockedBuf) records(t *testing.T) []actions.AuditRecord {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []actions.AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var r actions.AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

const (
	sysInput   = "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json"
	createdEvt = "0e8f6a52-3c1d-4b7a-9e2f-5d4c3b2a1f00"
)

// actionModel is the console on the fixed fleet with actions on (a fake
// publisher acking everything) and an audit in memory.
func actionModel(t *testing.T, w, h int, a Actions) (*Model, *fakePub, *lockedBuf) {
	t.Helper()
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	audit := &lockedBuf{}
	if a.Publisher == nil && a.Off == "" {
		a.Publisher = pub
	}
	if a.Params.Slug == "" {
		a.Params.Slug = fixture.Slug
	}
	a.Audit = actions.NewAudit(audit, "tester", fixture.Clock)
	m := New(Config{Theme: themes.Dark, Now: fixture.Clock, Actions: a, Conn: views.ConnInfo{
		Broker: "mqtts://broker.example.com:8883", Platform: platform.DRIVR, Protocol: "5"}})
	send(m, tea.WindowSizeMsg{Width: w, Height: h}, ingest.Batch{Items: fixture.FleetItems()})
	return m, pub, audit
}

// exec runs a command; it fails on none.
func exec(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	return cmd()
}

func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// openTrigger selects the EMS in the fleet and presses t.
func openTrigger(t *testing.T, m *Model) *views.ActionForm {
	t.Helper()
	send(m, press("1"), press("g"), press("down"), press("t"))
	f, ok := m.Modal().(*views.ActionForm)
	if !ok {
		t.Fatalf("t opened %T, want the form:\n%s", m.Modal(), plain(m))
	}
	return f
}

// confirmAndSend goes form -> confirmation -> y -> publish, returning the
// PublishedMsg already delivered.
func confirmAndSend(t *testing.T, m *Model) PublishedMsg {
	t.Helper()
	send(m, exec(t, send(m, press("enter"))))
	if _, ok := m.Modal().(*views.Confirm); !ok {
		t.Fatalf("enter did not open the confirmation:\n%s", plain(m))
	}
	pubCmd := send(m, exec(t, send(m, press("y"))))
	if m.Modal() != nil {
		t.Fatal("the confirmation stayed open after y")
	}
	pm, ok := exec(t, pubCmd).(PublishedMsg)
	if !ok {
		t.Fatal("y did not lead to a publish")
	}
	// An acked action is looked at again when its answer window ends.
	if wait := send(m, pm); (wait != nil) != (pm.Result.Outcome == mqttconn.OutcomeAcked) {
		t.Fatalf("outcome %v: answer-window timer %v", pm.Result.Outcome, wait != nil)
	}
	return pm
}

// feed delivers messages received ago before the fixed clock (negative:
// after it) as one pump batch.
func feed(m *Model, ago time.Duration, topicPayload ...string) {
	f := fixture.NewFeeder()
	for i := 0; i+1 < len(topicPayload); i += 2 {
		f.Add(platform.DRIVR, topicPayload[i], topicPayload[i+1], ago, false, nil)
	}
	send(m, ingest.Batch{Items: f.Items()})
}

func createdEvent(model, at string) (topic, payload string) {
	return "drivr/v1/company-example/systems/" + fixture.System + "/events/" + createdEvt,
		`{"uuid":"` + createdEvt + `","entityUuid":"` + fixture.System + `","time":"` + at +
			`","endTime":null,"status":"ACTIVE","acknowledged":false,"eventModel":{"uuid":"c867ee9d-52f1-4819-9bfc-b64d6321a04b",` +
			`"entityType":"SYSTEM","eventType":"SINGLE_POINT","eventLevel":"ERROR","code":"` + model + `"},"metadata":{}}`
}

// The whole flow of a good trigger: t on the selected system opens the
// form prefilled; enter shows the exact topic and payload; y publishes
// exactly that; the PUBACK and then the created event move the lifecycle;
// every step is an audit line.
func TestTriggerEventFlow(t *testing.T) {
	m, pub, audit := actionModel(t, 120, 40, Actions{})
	f := openTrigger(t, m)
	form := f.Form()
	if form.Value(actions.FSystem) != fixture.System || form.Value(actions.FModel) != "energy-overload-model" {
		t.Fatalf("form not prefilled from the selection: system %q model %q", form.Value(actions.FSystem), form.Value(actions.FModel))
	}
	send(m, press("down"), press("down")) // to the event model: the models seen are offered
	out := plain(m)
	for _, want := range []string{"Trigger event · drivr", fixture.System, "seen: energy-overload-model, hvac-filter-clogged"} {
		if !strings.Contains(out, want) {
			t.Errorf("form screen lacks %q:\n%s", want, out)
		}
	}
	checkScreen(t, m.View().Content, 120, 40)

	send(m, exec(t, send(m, press("enter"))))
	_, ok := m.Modal().(*views.Confirm)
	if !ok {
		t.Fatalf("enter opened %T", m.Modal())
	}
	out = plain(m)
	for _, want := range []string{"Confirm trigger event", "y send · e edit · esc cancel", sysInput, `"eventModelCode": "energy-overload-model"`, "QoS       1 · retain no"} {
		if !strings.Contains(out, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, out)
		}
	}
	if len(pub.sent()) != 0 {
		t.Fatal("something was published before y")
	}
	a := m.Confirming()

	pubCmd := send(m, exec(t, send(m, press("y"))))
	if m.Modal() != nil || m.Tracker().Len() != 1 {
		t.Fatalf("after y: modal %T, %d tracked", m.Modal(), m.Tracker().Len())
	}
	if !strings.Contains(plain(m), "◌ sending") {
		t.Errorf("actions pane does not say sending:\n%s", plain(m))
	}
	pm := exec(t, pubCmd).(PublishedMsg)
	sent := pub.sent()
	if len(sent) != 1 || sent[0].Topic != sysInput || !bytes.Equal(sent[0].Payload, a.Request.Payload) || sent[0].QoS != 1 {
		t.Fatalf("published %+v, confirmed %+v", sent, a.Request)
	}
	send(m, pm)
	if out := plain(m); !strings.Contains(out, "✓ acked") || !strings.Contains(out, "#1 ✓ acked") {
		t.Errorf("PUBACK not shown:\n%s", out)
	}

	// The platform creates the event: matched to the action by entity,
	// model and time.
	topic, payload := createdEvent("energy-overload-model", fixture.Now.UTC().Format(time.RFC3339Nano))
	feed(m, -time.Second, topic, payload)
	e, _ := m.Tracker().Get(a.ID)
	if e.EventUUID != createdEvt {
		t.Fatalf("created event not matched: %+v", e.Answers)
	}
	if out := plain(m); !strings.Contains(out, "● event created, ACTIVE") {
		t.Errorf("actions pane does not show the event's state:\n%s", out)
	}
	var outcomes []string
	for _, r := range audit.records(t) {
		if r.Topic != sysInput || r.Operator != "tester" || r.PayloadSHA256 != a.Digest() {
			t.Errorf("audit line %+v", r)
		}
		outcomes = append(outcomes, r.Outcome)
	}
	if strings.Join(outcomes, ",") != "sending,acked,event" {
		t.Errorf("audit outcomes %v", outcomes)
	}
}

// A wrong event model: the platform's error reply on the /error twin is
// shown beside the action, and in the Errors pane.
func TestTriggerEventPlatformErrorBesideTheAction(t *testing.T) {
	m, pub, audit := actionModel(t, 120, 40, Actions{})
	f := openTrigger(t, m)
	for f.FocusedKey() != actions.FModel {
		send(m, press("down"))
	}
	send(m, ctrl('u'))
	send(m, typeText("en")...)
	confirmAndSend(t, m)
	if got := string(pub.sent()[0].Payload); !strings.Contains(got, `"eventModelCode":"en"`) {
		t.Fatalf("payload %s", got)
	}
	_, before := m.Store().ErrorsWindow(0, 1, nil)
	feed(m, -2*time.Second, sysInput+"/error", `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "event_model_does_not_exist", "message": "An event model with the code en does not exist" }] } }`)
	out := plain(m)
	for _, want := range []string{"✗ error SOME_DATA_INVALID", "↳ 0: event_model_does_not_exist: An event model with the code en", "  does not exist (Some Events couldn't be imported/updated.)"} {
		if !strings.Contains(out, want) {
			t.Errorf("actions pane lacks %q:\n%s", want, out)
		}
	}
	if _, n := m.Store().ErrorsWindow(0, 1, nil); n != before+1 {
		t.Errorf("errors pane: %d reports, want %d", n, before+1)
	}
	recs := audit.records(t)
	if last := recs[len(recs)-1]; last.Outcome != "platform_error:SOME_DATA_INVALID" || last.Code != "SOME_DATA_INVALID" {
		t.Errorf("audit %+v", last)
	}
	// enter in the Actions pane expands the answers (it does not leave
	// for the detail), wrapped, with the exact topic.
	send(m, press("7"), press("enter"))
	out = plain(m)
	if m.Focused() != PaneActions || !strings.Contains(out, "↳ topic "+sysInput[:50]) || !strings.Contains(out, "event_model_does_not_exist: An event model with the code en") {
		t.Errorf("expanded answers:\n%s", out)
	}
	if send(m, press("z")); !strings.Contains(plain(m), "with the code en does not exist") || !strings.Contains(plain(m), "(Some Events couldn't be imported/updated.)") {
		t.Errorf("zoomed answers:\n%s", plain(m))
	}
}

// e returns to the same form with what was typed; esc cancels and nothing
// is published; a second y (pressed before the first was handled) does not
// send twice.
func TestConfirmEditCancelAndNoDoubleSend(t *testing.T) {
	m, pub, audit := actionModel(t, 80, 24, Actions{})
	f := openTrigger(t, m)
	for f.FocusedKey() != actions.FMetadata {
		send(m, press("down"))
	}
	send(m, typeText(`{"note":"x"}`)...)
	send(m, exec(t, send(m, press("enter"))))
	send(m, exec(t, send(m, press("e"))))
	if m.Modal() != views.Modal(f) || f.Form().Value(actions.FMetadata) != `{"note":"x"}` {
		t.Fatalf("e did not return to the form as typed: %T", m.Modal())
	}
	send(m, exec(t, send(m, press("enter"))))
	send(m, exec(t, send(m, press("esc"))))
	if m.Modal() != nil || len(pub.sent()) != 0 || m.Tracker().Len() != 0 {
		t.Fatal("esc on the confirmation did not cancel")
	}
	if !strings.Contains(plain(m), "cancelled, nothing sent") {
		t.Error("cancel not said")
	}
	// esc on the form cancels too.
	openTrigger(t, m)
	send(m, exec(t, send(m, press("esc"))))
	if m.Modal() != nil {
		t.Fatal("esc on the form did not close it")
	}

	openTrigger(t, m)
	send(m, exec(t, send(m, press("enter"))))
	y1 := exec(t, send(m, press("y")))
	// The confirmation has decided: a second y or an esc pressed before
	// the first y was handled gives nothing.
	if c1, c2 := send(m, press("y")), send(m, press("esc")); c1 != nil || c2 != nil {
		t.Fatal("keys after y produced a command")
	}
	// The same message twice (however it came) sends once.
	cmd1, cmd2 := send(m, y1), send(m, y1)
	if cmd1 == nil || cmd2 != nil || m.Tracker().Len() != 1 {
		t.Fatalf("double y: %v %v, %d tracked", cmd1 != nil, cmd2 != nil, m.Tracker().Len())
	}
	send(m, exec(t, cmd1))
	if len(pub.sent()) != 1 || len(audit.records(t)) != 2 {
		t.Fatalf("%d published, %d audit lines", len(pub.sent()), len(audit.records(t)))
	}
}

// A form that does not build stays open with the error beside the field.
func TestFormErrorKeepsTheFormOpen(t *testing.T) {
	m, pub, _ := actionModel(t, 120, 40, Actions{})
	f := openTrigger(t, m)
	for f.FocusedKey() != actions.FModel {
		send(m, press("down"))
	}
	send(m, ctrl('u'))
	send(m, exec(t, send(m, press("enter"))))
	if m.Modal() != views.Modal(f) {
		t.Fatalf("a bad form went on to %T", m.Modal())
	}
	if out := plain(m); !strings.Contains(out, "✗ event model code or uuid") {
		t.Errorf("no error beside the field:\n%s", out)
	}
	if len(pub.sent()) != 0 {
		t.Fatal("published a bad form")
	}
}

// The broker refusing shows the reason code beside the action and in the
// Errors pane.
func TestRefusedPublishShown(t *testing.T) {
	m, pub, audit := actionModel(t, 120, 40, Actions{})
	pub.res = mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87, Reason: "not authorized"}
	openTrigger(t, m)
	confirmAndSend(t, m)
	out := plain(m)
	if !strings.Contains(out, "✗ refused 0x87") || !strings.Contains(out, "↳ not authorized") {
		t.Errorf("refusal not beside the action:\n%s", out)
	}
	if errs, _ := m.Store().ErrorsWindow(0, 1, nil); errs[0].Code != "REFUSED" || !strings.Contains(errs[0].Message, "not authorized") {
		t.Errorf("refusal not in the errors pane: %+v", errs[0])
	}
	recs := audit.records(t)
	if last := recs[len(recs)-1]; last.Outcome != "refused" || last.ReasonCode != 0x87 {
		t.Errorf("audit %+v", last)
	}
}

// Read-only: the action keys are off, leave the help, and pressing them
// opens nothing and publishes nothing.
func TestReadOnlyActionsOff(t *testing.T) {
	pub := &fakePub{}
	m := New(Config{Theme: themes.Dark, Now: fixture.Clock,
		Conn:    views.ConnInfo{Broker: "mqtt://x", Platform: platform.DRIVR, ReadOnly: true},
		Actions: Actions{Publisher: pub, Params: platform.Params{Slug: fixture.Slug}}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, ingest.Batch{Items: fixture.FleetItems()})
	for _, k := range []string{"t", "c", "s", "r", "P", "a"} {
		if cmd := send(m, press("down"), press(k)); cmd != nil || m.Modal() != nil {
			t.Fatalf("%s in read-only: modal %T", k, m.Modal())
		}
	}
	if len(pub.sent()) != 0 || m.Tracker().Len() != 0 {
		t.Fatal("read-only published")
	}
	out := plain(m)
	if !strings.Contains(out, "READ-ONLY") || !strings.Contains(out, "actions are off: read-only") {
		t.Errorf("read-only not said:\n%s", out)
	}
	send(m, press("?"))
	out = plain(m)
	out = out[strings.Index(out, "\n"):] // the status line may hold a notice
	for _, hidden := range []string{"trigger event", "send command", "set value", "request snapshot", "publish", "acknowledge"} {
		if strings.Contains(out, hidden) {
			t.Errorf("read-only help shows %q:\n%s", hidden, out)
		}
	}
}

// Without a publisher (replay) the keys are off and the pane says why.
func TestReplayActionsOff(t *testing.T) {
	m, _, _ := actionModel(t, 120, 40, Actions{Off: "replay, no broker"})
	send(m, press("down"), press("t"))
	if m.Modal() != nil {
		t.Fatal("t opened a form in a replay")
	}
	if out := plain(m); !strings.Contains(out, "actions are off: replay, no broker") {
		t.Errorf("pane does not say why:\n%s", out)
	}
}

// The keys follow the platform: DRIVR has no command or snapshot topic,
// so c and r leave the help and say why when pressed.
func TestActionKeysFollowThePlatform(t *testing.T) {
	m, _, _ := actionModel(t, 120, 40, Actions{})
	send(m, press("?"))
	out := plain(m)
	for _, want := range []string{"trigger event", "set value", "publish", "acknowledge"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, hidden := range []string{"send command", "request snapshot"} {
		if strings.Contains(out, hidden) {
			t.Errorf("help shows %q, which DRIVR has not", hidden)
		}
	}
	send(m, press("esc"), press("c"))
	if m.Modal() != nil || !strings.Contains(plain(m), "DRIVR has no command topic") {
		t.Errorf("c on DRIVR:\n%s", plain(m))
	}
	// P is a free publish on any platform.
	send(m, press("P"))
	if f, ok := m.Modal().(*views.ActionForm); !ok || f.Form().Kind != actions.KindPublish {
		t.Fatalf("P opened %T", m.Modal())
	}
}

// A template key resolves for the selection and goes to the confirmation;
// the help lists it from the same key map.
func TestTemplateKey(t *testing.T) {
	tpl := actions.Template{Key: "F1", Platform: platform.DRIVR, Kind: actions.KindTriggerEvent, Name: "energy-overload-model"}
	other := actions.Template{Key: "f2", Platform: platform.Drogue, Name: "setTemperature", Payload: `{"value":21}`}
	m, pub, _ := actionModel(t, 120, 40, Actions{Templates: actions.Templates{tpl, other}})
	send(m, press("?"))
	out := plain(m)
	if !strings.Contains(out, "Templates") || !strings.Contains(out, "f1  energy-overload-model") || strings.Contains(out, "setTemperature") {
		t.Errorf("help templates:\n%s", out)
	}
	send(m, press("esc"), press("down"), tea.KeyPressMsg{Code: tea.KeyF1})
	_, ok := m.Modal().(*views.Confirm)
	if !ok {
		t.Fatalf("f1 opened %T:\n%s", m.Modal(), plain(m))
	}
	if m.Confirming().Request.Topic != sysInput {
		t.Errorf("template topic %q", m.Confirming().Request.Topic)
	}
	send(m, exec(t, send(m, press("e"))))
	if _, ok := m.Modal().(*views.ActionForm); !ok {
		t.Fatalf("e on a template opened %T", m.Modal())
	}
	confirmAndSend(t, m)
	if len(pub.sent()) != 1 {
		t.Fatal("template not published")
	}
}

// a on an event without GraphQL settings explains them; with them it calls
// ackEvent with the bearer token and audits the answer.
func TestAckSelectedEvent(t *testing.T) {
	m, _, _ := actionModel(t, 120, 40, Actions{})
	send(m, press("2"), press("down"), press("a"))
	if _, ok := m.Modal().(*views.Info); !ok {
		t.Fatalf("a without GraphQL opened %T", m.Modal())
	}
	if out := plain(m); !strings.Contains(out, "graphql_endpoint") || !strings.Contains(out, "graphql_token_env") {
		t.Errorf("no how-to:\n%s", out)
	}
	send(m, exec(t, send(m, press("esc"))))
	if m.Modal() != nil {
		t.Fatal("esc did not close the how-to")
	}

	var gotAuth, gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		gotQuery = string(b)
		_, _ = w.Write([]byte(`{"data":{"ackEvent":{"ok":true}}}`))
	}))
	defer srv.Close()
	m, _, audit := actionModel(t, 120, 40, Actions{Ack: actions.AckClient{Endpoint: srv.URL, Token: "tok-secret-1"}})
	// The first event is acknowledged already: nothing to call.
	if cmd := send(m, press("2"), press("g"), press("a")); cmd != nil || !strings.Contains(plain(m), "already acknowledged") {
		t.Fatalf("acked event:\n%s", plain(m))
	}
	send(m, press("down"))
	sel := m.Selection()
	send(m, exec(t, send(m, press("a"))))
	if gotAuth != "Bearer tok-secret-1" || !strings.Contains(gotQuery, "ackEvent(uuid: \\\""+sel.EventID) {
		t.Fatalf("request: auth %q query %s", gotAuth, gotQuery)
	}
	if !strings.Contains(plain(m), "acknowledged (GraphQL ok)") {
		t.Errorf("result not shown:\n%s", plain(m))
	}
	recs := audit.records(t)
	if len(recs) != 1 || recs[0].Kind != actions.KindAckEvent || recs[0].Target != sel.EventID || recs[0].Outcome != "acked" {
		t.Errorf("audit %+v", recs)
	}
	for _, r := range recs {
		if b, _ := json.Marshal(r); strings.Contains(string(b), "tok-secret-1") {
			t.Fatal("token in the audit")
		}
	}
}

// Seven tabs fit from the minimum width up, narrower labels as needed.
func TestTabsNameEveryPane(t *testing.T) {
	for _, sz := range [][2]int{{60, 16}, {80, 24}, {100, 30}} {
		m := newTestModel(t, sz[0], sz[1], themes.Dark)
		tabs := strings.Split(plain(m), "\n")[1]
		for p := Pane(0); p < paneCount; p++ {
			if b := m.badges(); !strings.Contains(tabs, tabLabel(p, tabNarrowing(sz[0], b), b[p])) {
				t.Errorf("%dx%d: tab %s missing in %q", sz[0], sz[1], p, tabs)
			}
		}
		send(m, tea.MouseClickMsg{X: ansi.StringWidth(tabs[:strings.Index(tabs, "7")]), Y: 1, Button: tea.MouseLeft})
		if m.Focused() != PaneActions {
			t.Errorf("%dx%d: click on the 7 tab focused %s", sz[0], sz[1], m.Focused())
		}
	}
}

// TestActionScreenGoldens: the confirmation of a trigger, and the screen
// after a good and a bad trigger (the created event's state and the
// platform's error beside their actions), at both sizes. Update with
// -update after checking the diff.
func TestActionScreenGoldens(t *testing.T) {
	connected := mqttconn.State{Kind: mqttconn.StateConnected, Protocol: "5"}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		w, h := sz[0], sz[1]
		m, _, _ := actionModel(t, w, h, Actions{})
		send(m, ingest.Batch{State: &connected})
		openTrigger(t, m)
		send(m, exec(t, send(m, press("enter"))))
		t.Run(fmt.Sprintf("%dx%d_confirm", w, h), func(t *testing.T) {
			out := m.View().Content
			checkScreen(t, out, w, h)
			golden.RequireEqual(t, out)
		})
		send(m, exec(t, send(m, press("esc"))))
		openTrigger(t, m)
		confirmAndSend(t, m)
		topic, payload := createdEvent("energy-overload-model", fixture.Now.UTC().Format(time.RFC3339Nano))
		feed(m, -time.Second, topic, payload)
		f := openTrigger(t, m)
		for f.FocusedKey() != actions.FModel {
			send(m, press("down"))
		}
		send(m, ctrl('u'))
		send(m, typeText("en")...)
		confirmAndSend(t, m)
		feed(m, -2*time.Second, sysInput+"/error", fixture.CompErrorJSON)
		send(m, press("7"))
		t.Run(fmt.Sprintf("%dx%d_actions", w, h), func(t *testing.T) {
			out := m.View().Content
			checkScreen(t, out, w, h)
			golden.RequireEqual(t, out)
		})
	}
}

// devapiModel is the console on the fixed fleet as a device API console,
// with the device dev-0042 selected in the fleet.
func devapiModel(t *testing.T, a Actions) (*Model, *fakePub) {
	t.Helper()
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	a.Publisher = pub
	m := New(Config{Theme: themes.Dark, Now: fixture.Clock, Actions: a, Conn: views.ConnInfo{
		Broker: "mqtt://127.0.0.1:1883", Platform: platform.DevAPI, Protocol: "5"}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, ingest.Batch{Items: fixture.FleetItems()}, press("1"), press("g"))
	for range 10 {
		if m.fleetP.Selection().Ref.System == "dev-0042" {
			return m, pub
		}
		send(m, press("down"))
	}
	t.Fatalf("dev-0042 not in the fleet:\n%s", plain(m))
	return nil, nil
}

// What an operator types after c on a device API device: the command
// name, enter, y. The name goes to the command name, not onto the end of
// the prefilled device id, and the device gets that command.
func TestSendCommandTypedNameReachesTheDevice(t *testing.T) {
	m, pub := devapiModel(t, Actions{})
	send(m, press("c"))
	f, ok := m.Modal().(*views.ActionForm)
	if !ok {
		t.Fatalf("c opened %T:\n%s", m.Modal(), plain(m))
	}
	if got := f.Form().Value(actions.FSystem); got != "dev-0042" {
		t.Fatalf("device not prefilled: %q", got)
	}
	send(m, ctrl('u'))
	send(m, typeText("identify")...)
	confirmAndSend(t, m)
	sent := pub.sent()
	if len(sent) != 1 || sent[0].Topic != "v1/device/dev-0042/commands" || !strings.Contains(string(sent[0].Payload), `"name":"identify"`) {
		t.Fatalf("published %+v", sent)
	}
}

// Two templates on one key, one for any platform and one for this one:
// the key runs the platform's own (as Templates.For decides) and help
// lists the key once.
func TestTemplateKeyPrefersThePlatformsOwn(t *testing.T) {
	anyTpl := actions.Template{Key: "f1", Kind: actions.KindPublish, Name: "ping", Topic: "lab/ping", Payload: "1"}
	own := actions.Template{Key: "F1", Platform: platform.DevAPI, Name: "reboot", Payload: `{"delay": 5}`}
	m, _ := devapiModel(t, Actions{Templates: actions.Templates{anyTpl, own}})
	send(m, press("?"))
	out := plain(m)
	if strings.Count(out, "f1 ") != 1 || !strings.Contains(out, "reboot") || strings.Contains(out, "ping") {
		t.Errorf("help templates:\n%s", out)
	}
	send(m, press("esc"), tea.KeyPressMsg{Code: tea.KeyF1})
	_, ok := m.Modal().(*views.Confirm)
	if !ok {
		t.Fatalf("f1 opened %T:\n%s", m.Modal(), plain(m))
	}
	if got := m.Confirming().Request.Topic; got != "v1/device/dev-0042/commands" {
		t.Errorf("f1 ran %q, want the device API template", got)
	}
}

// drogueItem is one message of the Drogue application stream, routed and
// decoded as the pump does.
func drogueItem(t *testing.T, at time.Time, user []mqttconn.UserProperty, payload string) fleet.Item {
	t.Helper()
	s, err := platform.New(platform.Drogue, platform.Params{Apps: []string{"demo-app"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := mqttconn.Message{Topic: "app/demo-app", Payload: []byte(payload), Received: at, QoS: 0,
		Props: &mqttconn.Props{ContentType: "application/json", User: user}}
	r := s.Route(msg.Topic, msg.Props)
	v := decode.NewDecoder(decode.DefaultLimits()).Decode(msg.Payload, ingest.Hints(&msg, r.Encoding))
	return fleet.Item{Msg: msg, Route: platform.Refine(r, &v), Value: v}
}

func drogueAttrs(dev, typ string) []mqttconn.UserProperty {
	return []mqttconn.UserProperty{{Key: "specversion", Value: "1.0"}, {Key: "id", Value: dev + "-1"},
		{Key: "source", Value: "drogue://demo-app/" + dev}, {Key: "type", Value: typ}, {Key: "subject", Value: "state"},
		{Key: "application", Value: "demo-app"}, {Key: "device", Value: dev}, {Key: "sender", Value: dev}}
}

// A Drogue command: the device's next event is linked to it and shown
// beside it; a command nobody answers says so once its window has passed
// instead of staying "acked" for ever.
func TestDrogueCommandOutcomeShown(t *testing.T) {
	now := fixture.Now
	pub := &fakePub{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}}
	m := New(Config{Theme: themes.Dark, Now: func() time.Time { return now }, Actions: Actions{Publisher: pub,
		Params: platform.Params{Apps: []string{"demo-app"}}},
		Conn: views.ConnInfo{Broker: "mqtt://127.0.0.1:1883", Platform: platform.Drogue, Protocol: "5"}})
	send(m, tea.WindowSizeMsg{Width: 120, Height: 40}, ingest.Batch{Items: []fleet.Item{
		drogueItem(t, now.Add(-time.Minute), drogueAttrs("thermostat-01", "io.drogue.event.v1"), `{"temperature": 20.5}`),
		drogueItem(t, now.Add(-time.Minute), drogueAttrs("thermostat-02", "io.drogue.event.v1"), `{"temperature": 19.0}`),
	}})
	command := func(dev string) {
		t.Helper()
		send(m, press("1"), press("g"))
		for range 5 {
			if m.fleetP.Selection().Ref.System == dev {
				break
			}
			send(m, press("down"))
		}
		send(m, press("c"))
		f, ok := m.Modal().(*views.ActionForm)
		if !ok || f.Form().Value(actions.FSystem) != dev {
			t.Fatalf("c on %s opened %T:\n%s", dev, m.Modal(), plain(m))
		}
		send(m, ctrl('u'))
		send(m, typeText("setTemperature")...)
		for f.FocusedKey() != actions.FPayload {
			send(m, press("down"))
		}
		send(m, ctrl('u'))
		send(m, typeText(`{"value": 22}`)...)
		confirmAndSend(t, m)
	}
	command("thermostat-01")
	command("thermostat-02")
	send(m, press("7"))
	now = now.Add(300 * time.Millisecond)
	send(m, ingest.Batch{Items: []fleet.Item{
		drogueItem(t, now, drogueAttrs("thermostat-01", "io.drogue.event.v1"), `{"temperature": 20.6, "targetTemperature": 22}`),
	}})
	out := plain(m)
	for _, want := range []string{"↩ device event", "↳ temperature: 20.6, targetTemperature: 22"} {
		if !strings.Contains(out, want) {
			t.Errorf("actions pane lacks %q:\n%s", want, out)
		}
	}
	// thermostat-02 never answers: when the window's timer fires (no
	// traffic needed) the pane says so.
	now = now.Add(2*time.Minute + time.Second)
	send(m, answerWindowMsg{})
	out = plain(m)
	for _, want := range []string{"⧗ no device event in 2m", "Drogue keeps no command status"} {
		if !strings.Contains(out, want) {
			t.Errorf("actions pane lacks %q:\n%s", want, out)
		}
	}
}

// The platform's unit decides which action keys are on: DRIVR triggers
// events and acknowledges them, the device API sends commands and asks
// for snapshots but acknowledges nothing from here.
func TestActionKeysFollowThePlatformUnit(t *testing.T) {
	for _, c := range []struct {
		plat                            string
		trigger, command, snapshot, ack bool
	}{
		{platform.DRIVR, true, false, false, true},
		{platform.DevAPI, false, true, true, false},
	} {
		m, _, _ := actionModel(t, 120, 40, Actions{Platform: c.plat})
		k := m.Keys()
		got := [4]bool{k.Trigger.Enabled(), k.Command.Enabled(), k.Snapshot.Enabled(), k.Pane.Ack.Enabled()}
		if want := [4]bool{c.trigger, c.command, c.snapshot, c.ack}; got != want {
			t.Errorf("%s: trigger, command, snapshot, ack enabled %v, want %v", c.plat, got, want)
		}
	}
}

// The device API's s key updates a device's configuration: its form and
// its confirmation say so, not "setpoint" (DRIVR's word).
func TestDeviceAPIConfigurationIsCalledSo(t *testing.T) {
	m, _ := devapiModel(t, Actions{})
	send(m, press("s"))
	if _, ok := m.Modal().(*views.ActionForm); !ok {
		t.Fatalf("s opened %T:\n%s", m.Modal(), plain(m))
	}
	if s := plain(m); !strings.Contains(s, "Update configuration · devapi") || strings.Contains(s, "etpoint ·") {
		t.Fatalf("form title:\n%s", s)
	}
	send(m, exec(t, send(m, press("enter")))) // the empty version takes the focus
	send(m, typeText("7")...)
	send(m, exec(t, send(m, press("enter"))))
	if _, ok := m.Modal().(*views.Confirm); !ok {
		t.Fatalf("enter did not open the confirmation:\n%s", plain(m))
	}
	if s := plain(m); !strings.Contains(s, "Confirm update configuration") {
		t.Fatalf("confirmation title:\n%s", s)
	}
	dm, _, _ := actionModel(t, 120, 40, Actions{})
	send(dm, press("s"))
	if s := plain(dm); !strings.Contains(s, "Set setpoint ·") {
		t.Fatalf("DRIVR's form title:\n%s", s)
	}
}
