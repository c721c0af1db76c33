package views

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

const (
	tSlug   = "company-example"
	tSys    = "792b6149-1daa-488f-b07a-f684503b0586"
	tInput  = "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json"
	tSecret = "AK-do-not-show-0042"
)

var tNow = time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)

func press(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: ' ', Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func typeText(f *ActionForm, s string) {
	for _, r := range s {
		f.Update(press(string(r)))
	}
}

// run executes a command and returns its message (nil for none).
func run(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

func drivrBuilder() *actions.Builder {
	return &actions.Builder{Platform: platform.DRIVR, Unit: platforms.Actions(platform.DRIVR), Params: platform.Params{Slug: tSlug},
		Now: func() time.Time { return tNow }, NewID: func() string { return "a1b2c3d4" }}
}

func drivrForm(t *testing.T) (*actions.Builder, *ActionForm) {
	t.Helper()
	b := drivrBuilder()
	f, err := b.NewForm(actions.KindTriggerEvent, actions.Selection{
		Target: actions.Target{Fleet: tSlug, System: tSys},
		Models: []string{"energy-overload-model", "smart-meter-malfunction-event"},
	})
	if err != nil {
		t.Fatal(err)
	}
	af := NewActionForm(themes.New(themes.Dark), f)
	af.SetSize(80, 16)
	af.Focus()
	return b, af
}

func focusField(t *testing.T, f *ActionForm, key string) {
	t.Helper()
	for range len(f.Form().Fields) {
		if f.FocusedKey() == key {
			return
		}
		f.Update(press("tab"))
	}
	t.Fatalf("field %s not reached", key)
}

func TestFormFlowTriggerEvent(t *testing.T) {
	b, f := drivrForm(t)
	if f.FocusedKey() != actions.FSystem {
		t.Fatalf("first field %s", f.FocusedKey())
	}
	// Replace the prefilled model with a suggestion: type a prefix, tab completes.
	focusField(t, f, actions.FModel)
	f.Update(press("ctrl+u"))
	typeText(f, "sm")
	f.Update(press("tab"))
	if got := f.Form().Value(actions.FModel); got != "smart-meter-malfunction-event" {
		t.Fatalf("suggestion not accepted: %q", got)
	}
	if f.FocusedKey() != actions.FModel {
		t.Fatal("tab completing must not move on")
	}
	f.Update(press("tab"))
	if f.FocusedKey() != actions.FTime {
		t.Fatalf("tab after completion moves on, at %s", f.FocusedKey())
	}
	// Cycle the encoding choice; typing into a choice does nothing.
	focusField(t, f, actions.FEncoding)
	f.Update(press("space"))
	typeText(f, "xyz")
	if got := f.Form().Value(actions.FEncoding); got != "msgpack" {
		t.Fatalf("encoding %q", got)
	}
	msg := run(f.Update(press("enter")))
	sub, ok := msg.(FormSubmitMsg)
	if !ok {
		t.Fatalf("enter gave %T", msg)
	}
	a, err := b.Build(sub.Form)
	if err != nil {
		t.Fatal(err)
	}
	if a.Request.Topic != "drivr/v1/company-example/input/event/s/"+tSys+"/msgpack" || a.Name != "smart-meter-malfunction-event" {
		t.Errorf("built %s %s", a.Request.Topic, a.Name)
	}
	// Until the root answers the submit, keys are not the form's: they were
	// typed for the confirmation.
	typeText(f, "y")
	if run(f.Update(press("esc"))) != nil || f.Form().Value(actions.FModel) != "smart-meter-malfunction-event" {
		t.Errorf("keys after enter reached the form: model %q", f.Form().Value(actions.FModel))
	}
	f.Focus() // shown again (e on the confirmation)
	// Typed input: esc asks first, a second esc cancels.
	if msg := run(f.Update(press("esc"))); msg != nil || !f.Discarding() {
		t.Fatalf("esc on typed input gave %T without asking", msg)
	}
	if _, ok := run(f.Update(press("esc"))).(FormCancelMsg); !ok {
		t.Error("esc twice does not cancel")
	}
}

func TestFormShowsBuildErrorAtField(t *testing.T) {
	b, f := drivrForm(t)
	focusField(t, f, actions.FMetadata)
	typeText(f, `{"a": 1,}`)
	sub := run(f.Update(press("enter"))).(FormSubmitMsg)
	_, err := b.Build(sub.Form)
	var fe *actions.FieldError
	if !errors.As(err, &fe) || fe.Field != actions.FMetadata {
		t.Fatalf("want metadata error, got %v", err)
	}
	f.SetError(err) // the form stays open and takes keys again
	focusField(t, f, actions.FSystem)
	f.SetError(err)
	if f.FocusedKey() != actions.FMetadata {
		t.Errorf("focus not moved to the bad field: %s", f.FocusedKey())
	}
	view := ansi.Strip(f.View())
	if !strings.Contains(view, "✗ json: offset 8") {
		t.Errorf("error not shown:\n%s", view)
	}
	// Editing the field clears its error.
	f.Update(press("backspace"))
	f.Update(press("backspace"))
	typeText(f, "}")
	if strings.Contains(ansi.Strip(f.View()), "✗") {
		t.Error("error kept after editing")
	}
	f.SetError(errors.New("read-only: publishing is disabled"))
	if !strings.Contains(ansi.Strip(f.View()), "read-only") {
		t.Error("general error not shown")
	}
}

func confirmAction(t *testing.T) actions.Action {
	t.Helper()
	t.Setenv("MQDECK_VIEWS_TEST_KEY", tSecret)
	b := &actions.Builder{Platform: platform.DevAPI, Unit: platforms.Actions(platform.DevAPI), AccessKey: actions.Secret{Env: "MQDECK_VIEWS_TEST_KEY"},
		Now: func() time.Time { return tNow }, NewID: func() string { return "a1b2c3d4" },
		NewUUID: func() string { return "0f8fad5b-d9cb-469f-a165-70867728950e" }}
	f, err := b.NewForm(actions.KindSendCommand, actions.Selection{Target: actions.Target{System: "dev-1"}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(actions.FName, "update_firmware")
	f.Set(actions.FPayload, `{"url": "https://example.com/fw.zip", "version": "1.3.4"}`)
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestConfirmShowsExactRequestAndMasksSecrets(t *testing.T) {
	a := confirmAction(t)
	c := NewConfirm(themes.New(themes.Dark), testConfirmModel(a), tNow)
	c.SetSize(80, 24)
	c.Focus()
	view := c.View()
	plain := ansi.Strip(view)
	for _, must := range []string{"v1/device/dev-1/commands", "QoS", "1 · retain no", "application/json",
		"v1/device/dev-1/commands/update", "device_id=dev-1", "access_key=" + actions.Mask, `"name": "update_firmware"`,
		`"version": "1.3.4"`, "y send · e edit · esc cancel"} {
		if !strings.Contains(plain, must) {
			t.Errorf("%q missing:\n%s", must, plain)
		}
	}
	if strings.Contains(view, tSecret) {
		t.Fatal("the access key reached the screen")
	}
	for i, l := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("line %d is %d wide", i, w)
		}
	}
	if run(c.Update(press("x"))) != nil {
		t.Error("other keys must do nothing")
	}
	if m, ok := run(c.Update(press("y"))).(ConfirmSendMsg); !ok || m.ID != a.ID {
		t.Errorf("y: %#v", m)
	}
	c.Focus()
	if m, ok := run(c.Update(press("e"))).(ConfirmEditMsg); !ok || m.ID != a.ID {
		t.Errorf("e: %#v", m)
	}
	c.Focus()
	if _, ok := run(c.Update(press("esc"))).(ConfirmCancelMsg); !ok {
		t.Error("esc")
	}
}

// A decision is final: a key pressed after y (esc, n, e, y again) must not
// overtake the send while its message is on its way, nor send twice. Each
// key's message runs on its own goroutine, so a cancel could land first.
func TestConfirmDecidesOnce(t *testing.T) {
	a := confirmAction(t)
	for _, later := range []string{"esc", "n", "e", "y"} {
		c := NewConfirm(themes.New(themes.Dark), testConfirmModel(a), tNow)
		c.SetSize(80, 24)
		c.Focus()
		if _, ok := run(c.Update(press("y"))).(ConfirmSendMsg); !ok {
			t.Fatal("y does not send")
		}
		if msg := run(c.Update(press(later))); msg != nil {
			t.Errorf("%s after y gave %T", later, msg)
		}
	}
}

// The form starts where the operator has to type: on the empty command
// name when the device is prefilled, not at the end of the device id.
func TestFormStartsAtTheFieldToFill(t *testing.T) {
	b := &actions.Builder{Platform: platform.DevAPI, Unit: platforms.Actions(platform.DevAPI), Now: func() time.Time { return tNow }, NewID: func() string { return "a1b2c3d4" },
		NewUUID: func() string { return "0f8fad5b-d9cb-469f-a165-70867728950e" }}
	f, err := b.NewForm(actions.KindSendCommand, actions.Selection{Target: actions.Target{System: "dev-1"}})
	if err != nil {
		t.Fatal(err)
	}
	af := NewActionForm(themes.New(themes.Dark), f)
	af.SetSize(80, 16)
	af.Focus()
	if af.FocusedKey() != actions.FName {
		t.Fatalf("form opens on %s, want the empty command name", af.FocusedKey())
	}
	typeText(af, "reboot")
	got := af.Form()
	if got.Value(actions.FSystem) != "dev-1" || got.Value(actions.FName) != "reboot" {
		t.Errorf("typed into the wrong field: device %q name %q", got.Value(actions.FSystem), got.Value(actions.FName))
	}
	// Everything prefilled (a name seen before): the name, which is what
	// changes from one command to the next; the device stays as selected.
	f.Set(actions.FName, "reboot")
	af = NewActionForm(themes.New(themes.Dark), f)
	af.Focus()
	if af.FocusedKey() != actions.FName {
		t.Errorf("prefilled form opens on %s", af.FocusedKey())
	}
	af.Update(press("ctrl+u"))
	typeText(af, "identify")
	if got := af.Form(); got.Value(actions.FSystem) != "dev-1" || got.Value(actions.FName) != "identify" {
		t.Errorf("typed into the wrong field: device %q name %q", got.Value(actions.FSystem), got.Value(actions.FName))
	}
}

func TestConfirmWrapsLongTopicAndSanitizes(t *testing.T) {
	b := &actions.Builder{Platform: platform.Generic, Unit: platforms.Actions(platform.Generic), Now: func() time.Time { return tNow }, NewID: func() string { return "id" }}
	f, _ := b.NewForm(actions.KindPublish, actions.Selection{})
	long := "lab/" + strings.Repeat("segment/", 20) + "end"
	f.Set(actions.FTopic, long)
	f.Set(actions.FPayload, "text with \x1b]2;title\x07 escape")
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	c := NewConfirm(themes.New(themes.Dark), testConfirmModel(a), tNow)
	c.SetSize(60, 20)
	view := c.View()
	if strings.Contains(ansi.Strip(view), "\x1b") {
		t.Fatal("payload escape reached the screen")
	}
	joined := strings.ReplaceAll(ansi.Strip(view), " ", "")
	joined = strings.ReplaceAll(joined, "│", "")
	joined = strings.ReplaceAll(strings.ReplaceAll(joined, "┃", ""), "\n", "")
	if !strings.Contains(joined, strings.ReplaceAll(long, " ", "")) {
		t.Errorf("topic not shown in full:\n%s", ansi.Strip(view))
	}
}

func trackerWithHistory(t *testing.T) *actions.Tracker {
	t.Helper()
	tr := actions.NewTracker(0)
	b := drivrBuilder()
	mk := func(model string, at time.Time) actions.Action {
		f, err := b.NewForm(actions.KindTriggerEvent, actions.Selection{Target: actions.Target{Fleet: tSlug, System: tSys}, Models: []string{model}})
		if err != nil {
			t.Fatal(err)
		}
		f.Set(actions.FTime, at.Format(time.RFC3339Nano))
		a, err := b.Build(f)
		if err != nil {
			t.Fatal(err)
		}
		a.ID = model
		return a
	}
	ok := tr.Add(mk("energy-overload-model", tNow), tNow)
	tr.Result(ok.Action.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, tNow)
	_ = ok
	bad := tr.Add(mk("en", tNow.Add(time.Second)), tNow.Add(time.Second))
	tr.Result(bad.Action.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, tNow.Add(time.Second))
	tr.ObserveMessage(mqttconn.Message{Topic: tInput + "/error", Received: tNow.Add(2 * time.Second)},
		platform.Route{Platform: platform.DRIVR, Kind: platform.KindError, Input: tInput},
		decodeJSON(t, `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "event_model_does_not_exist", "message": "An event model with the code en does not exist" }] } }`))
	off := tr.Add(mk("offline-model", tNow.Add(3*time.Second)), tNow.Add(3*time.Second))
	tr.Result(off.Action.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeOffline}, tNow.Add(3*time.Second))
	ref := tr.Add(mk("refused-model", tNow.Add(4*time.Second)), tNow.Add(4*time.Second))
	tr.Result(ref.Action.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87, Reason: "Not authorized"}, tNow.Add(4*time.Second))
	tr.Add(mk("pending-model", tNow.Add(5*time.Second)), tNow.Add(5*time.Second))
	return tr
}

func TestActionsPaneShowsLifecycleInWords(t *testing.T) {
	tr := trackerWithHistory(t)
	p := NewActionsPane(themes.New(themes.Mono), DefaultKeys(), tr)
	p.SetSize(100, 14)
	p.Focus()
	plain := ansi.Strip(p.View())
	for _, must := range []string{"◌ sending", "✗ refused 0x87", "Not authorized", "⊘ offline, not sent",
		"✗ error SOME_DATA_INVALID", "0: event_model_does_not_exist: An event model with the code en", "✓ acked", "energy-overload-model on 792b6149…"} {
		if !strings.Contains(plain, must) {
			t.Errorf("%q missing:\n%s", must, plain)
		}
	}
	// Newest first: the pending action is the first row.
	if i, j := strings.Index(plain, "pending-model"), strings.Index(plain, "energy-overload-model"); i < 0 || j < i {
		t.Error("not newest first")
	}
	sel, _ := p.Selected()
	if sel.Action.ID != "pending-model" {
		t.Errorf("selected %s", sel.Action.ID)
	}
	p.Update(press("G"))
	p.Update(press("enter"))
	sel, _ = p.Selected()
	if sel.Action.ID != "energy-overload-model" || !strings.Contains(ansi.Strip(p.View()), "topic "+tInput) {
		t.Errorf("expanded %s:\n%s", sel.Action.ID, ansi.Strip(p.View()))
	}
}

func decodeJSON(t *testing.T, s string) decode.Value {
	t.Helper()
	v := decode.Decode([]byte(s), decode.Hints{Encoding: "json"}, decode.DefaultLimits())
	if v.Format != decode.FormatJSON {
		t.Fatalf("test payload is not JSON: %v", v.Warnings)
	}
	return v
}

// A hostile event model code (seen on the wire) offered as a completion
// must not reach the screen raw: the input draws suggestions as given.
func TestFormSuggestionsAreTerminalSafe(t *testing.T) {
	b := drivrBuilder()
	hostile := "energy\x1b]2;pwned\x07\u202e-model"
	f, err := b.NewForm(actions.KindTriggerEvent, actions.Selection{Target: actions.Target{Fleet: tSlug, System: tSys},
		Models: []string{hostile}})
	if err != nil {
		t.Fatal(err)
	}
	af := NewActionForm(themes.New(themes.Dark), f)
	af.SetSize(100, 20)
	af.Focus()
	focusField(t, af, actions.FModel)
	for _, typed := range []string{"", "ener"} { // prefilled, then completing
		if typed != "" {
			af.Update(press("ctrl+u"))
			typeText(af, typed)
		}
		v := af.View()
		if strings.ContainsAny(v, "\x07\u202e") || strings.Contains(v, "\x1b]") {
			t.Fatalf("typed %q: raw control on screen: %q", typed, v)
		}
		if !strings.Contains(ansi.Strip(v), "␛]2;pwned␇") {
			t.Errorf("typed %q: the code is not shown defanged:\n%s", typed, ansi.Strip(v))
		}
	}
	af.Update(press("tab")) // accept the completion: what is sent is what was shown
	if got := af.Form().Value(actions.FModel); got != safe(hostile) {
		t.Errorf("accepted %q", got)
	}
}

// While a completion is offered the field's line keeps its width and shows
// no overflow mark: the input draws the completion past its own width.
func TestFormCompletionDrawsNoOverflowMark(t *testing.T) {
	b := drivrBuilder()
	f, err := b.NewForm(actions.KindTriggerEvent, actions.Selection{Target: actions.Target{Fleet: tSlug, System: tSys},
		Models: []string{"energy-overload-model"}})
	if err != nil {
		t.Fatal(err)
	}
	af := NewActionForm(themes.New(themes.Dark), f)
	af.SetSize(100, 20)
	af.Focus()
	focusField(t, af, actions.FModel)
	af.Update(press("ctrl+u"))
	typeText(af, "ener")
	for _, l := range strings.Split(af.View(), "\n") {
		if w := ansi.StringWidth(l); w != 100 {
			t.Errorf("line %d cells wide: %q", w, ansi.Strip(l))
		}
		if plain := ansi.Strip(l); strings.Contains(plain, "Event model") && strings.Contains(plain, "…") {
			t.Errorf("overflow mark on the completed field: %q", plain)
		}
	}
}

// The setpoint value follows the name while the operator has not touched
// it: another setpoint's last value is never sent to this one unnoticed.
func TestSetpointValueFollowsTheName(t *testing.T) {
	b := &actions.Builder{Platform: platform.SmartWorks, Unit: platforms.Actions(platform.SmartWorks), Params: platform.Params{Account: "acct"},
		Now: func() time.Time { return tNow }, NewID: func() string { return "a1b2c3d4" }}
	f, err := b.NewForm(actions.KindSetSetpoint, actions.Selection{Target: actions.Target{Fleet: "acct", System: "01T"},
		Settables: []string{"setpoint", "power"}, Values: map[string]string{"setpoint": "21.5", "power": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	af := NewActionForm(themes.New(themes.Dark), f)
	af.SetSize(80, 16)
	af.Focus()
	if af.FocusedKey() != actions.FName || af.Form().Value(actions.FPayload) != "21.5" {
		t.Fatalf("starts on %s with value %q", af.FocusedKey(), af.Form().Value(actions.FPayload))
	}
	af.Update(press("ctrl+u"))
	typeText(af, "power")
	if got := af.Form().Value(actions.FPayload); got != "true" {
		t.Errorf("value after naming power: %q, want its last value", got)
	}
	af.Update(press("ctrl+u"))
	typeText(af, "fan")
	if got := af.Form().Value(actions.FPayload); got != "" {
		t.Errorf("value for a setpoint never seen: %q, want empty", got)
	}
	// A value the operator typed stays whatever the name.
	focusField(t, af, actions.FPayload)
	typeText(af, "3")
	focusField(t, af, actions.FName)
	af.Update(press("ctrl+u"))
	typeText(af, "setpoint")
	if got := af.Form().Value(actions.FPayload); got != "3" {
		t.Errorf("typed value replaced: %q", got)
	}
}

// testConfirmModel is what the root's builder (console.confirmModel) makes
// of an action, for drawing the confirmation here.
func testConfirmModel(a actions.Action) ConfirmModel {
	r := a.Request
	cm := ConfirmModel{ID: a.ID, Title: "Confirm " + strings.ToLower(a.Kind.Title()), Topic: r.Topic, QoS: r.QoS,
		Retain: r.Retain, Payload: r.Payload, Encoding: a.Encoding}
	if e := a.Target.Entity(); e != "" {
		cm.Target = a.Target.Platform + " " + e
	}
	if p := r.Props; p != nil {
		cm.Props, cm.ContentType, cm.ResponseTopic, cm.Correlation = true, p.ContentType, p.ResponseTopic, p.CorrelationData
		for _, u := range a.DisplayProps() {
			cm.User = append(cm.User, [2]string{u.Key, u.Value})
		}
	}
	return cm
}

// Esc on a form with typed input asks first: a second esc discards, any
// other key goes back to editing and is not typed. An untouched form
// closes at once.
func TestFormEscAsksBeforeDiscardingTyping(t *testing.T) {
	_, f := drivrForm(t)
	if _, ok := run(f.Update(press("esc"))).(FormCancelMsg); !ok {
		t.Fatal("esc on an untouched form must cancel at once")
	}
	_, f = drivrForm(t)
	focusField(t, f, actions.FMetadata)
	typeText(f, `{"a": 1}`)
	if msg := run(f.Update(press("esc"))); msg != nil {
		t.Fatalf("esc with typed input closed the form (%T)", msg)
	}
	if !f.Discarding() || !strings.Contains(ansi.Strip(f.View()), "Discard what you typed?") {
		t.Fatalf("no question shown:\n%s", ansi.Strip(f.View()))
	}
	if msg := run(f.Update(press("x"))); msg != nil || f.Discarding() {
		t.Fatal("another key must go back to editing")
	}
	if got := f.Form().Value(actions.FMetadata); got != `{"a": 1}` {
		t.Fatalf("the key that answered was typed: %q", got)
	}
	f.Update(press("esc"))
	if _, ok := run(f.Update(press("esc"))).(FormCancelMsg); !ok {
		t.Fatal("esc, esc does not discard")
	}
}

// A prefilled value is selected: typing replaces it (it appended before:
// {} + typed gave {}{"brightness": 50}; reboot + selfdestruct gave
// rebootselfdestruct). Backspace clears it; an arrow keeps it for editing.
func TestFormPrefillIsReplacedByTyping(t *testing.T) {
	b := &actions.Builder{Platform: platform.DevAPI, Unit: platforms.Actions(platform.DevAPI), Now: func() time.Time { return tNow }, NewID: func() string { return "a1b2c3d4" }}
	form, err := b.NewForm(actions.KindSendCommand, actions.Selection{Target: actions.Target{System: "dev-1"}, Names: []string{"reboot"}})
	if err != nil {
		t.Fatal(err)
	}
	f := NewActionForm(themes.New(themes.Mono), form)
	f.SetSize(80, 16)
	f.Focus()
	if f.FocusedKey() != actions.FName {
		t.Fatalf("opens on %s", f.FocusedKey())
	}
	// The selection shows without colour: reverse video in mono.
	if !strings.Contains(f.View(), themes.New(themes.Mono).Selected.Render("reboot")) {
		t.Errorf("the prefilled name is not drawn selected:\n%q", f.View())
	}
	typeText(f, "selfdestruct")
	focusField(t, f, actions.FPayload)
	typeText(f, `{"brightness": 50}`)
	got := f.Form()
	if got.Value(actions.FName) != "selfdestruct" || got.Value(actions.FPayload) != `{"brightness": 50}` {
		t.Errorf("typing appended to the prefill: name %q payload %q", got.Value(actions.FName), got.Value(actions.FPayload))
	}
	if got.Value(actions.FSystem) != "dev-1" {
		t.Errorf("device changed: %q", got.Value(actions.FSystem))
	}
	// Backspace on a selection clears it; an arrow keeps it and edits.
	f = NewActionForm(themes.New(themes.Dark), form)
	f.Focus()
	f.Update(press("backspace"))
	if v := f.Form().Value(actions.FName); v != "" {
		t.Errorf("backspace on the selection left %q", v)
	}
	f = NewActionForm(themes.New(themes.Dark), form)
	f.Focus()
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	typeText(f, "-now")
	if v := f.Form().Value(actions.FName); v != "reboot-now" {
		t.Errorf("end then typing: %q, want reboot-now", v)
	}
}

// sgrAttrs lists the attributes of every SGR in s that are not colours:
// what is left on a terminal without colour.
func sgrAttrs(seq string) map[string]bool {
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(seq, -1) {
		ps := strings.Split(m[1], ";")
		for i := 0; i < len(ps); i++ {
			switch ps[i] {
			case "38", "48", "58":
				if i+1 < len(ps) && ps[i+1] == "5" {
					i += 2
				} else if i+1 < len(ps) && ps[i+1] == "2" {
					i += 4
				}
				continue
			case "", "0", "39", "49":
				continue
			}
			if n, err := strconv.Atoi(ps[i]); err == nil && (n >= 30 && n <= 37 || n >= 40 && n <= 47 || n >= 90 && n <= 107) {
				continue
			}
			out[ps[i]] = true
		}
	}
	return out
}

// attrsBefore is the non-colour attributes in force where text starts.
func attrsBefore(view, text string) map[string]bool {
	i := strings.Index(view, text)
	if i < 0 {
		return nil
	}
	head := view[:i]
	if j := strings.LastIndex(head, "\x1b[m"); j >= 0 {
		head = head[j:]
	}
	return sgrAttrs(head)
}

// Ghost text (a completion, a placeholder, "(optional)") differs from typed
// text without colour, in every theme: typing "sy" once rendered
// sy[s]tem-restarted in mono, the completion like typed text.
func TestGhostTextDiffersWithoutColour(t *testing.T) {
	for _, theme := range themes.Names() {
		t.Run(theme, func(t *testing.T) {
			b := drivrBuilder()
			form, err := b.NewForm(actions.KindTriggerEvent, actions.Selection{
				Target: actions.Target{Fleet: tSlug, System: tSys}, Models: []string{"system-restarted"}})
			if err != nil {
				t.Fatal(err)
			}
			f := NewActionForm(themes.New(theme), form)
			f.SetSize(100, 20)
			f.Focus()
			focusField(t, f, actions.FModel)
			typeText(f, "sy")
			view := f.View()
			typed := attrsBefore(view, "sy")
			ghost := attrsBefore(view, "tem-restarted")
			if ghost == nil || fmt.Sprint(ghost) == fmt.Sprint(typed) {
				t.Errorf("completion attrs %v, typed %v: the same without colour", ghost, typed)
			}
			if opt := attrsBefore(view, "(optional)"); len(opt) == 0 {
				t.Errorf("(optional) carries no attribute but colour: %v", opt)
			}
			focusField(t, f, actions.FMetadata)
			if ph := attrsBefore(f.View(), `"key": "value"}`); len(ph) == 0 { // the first cell is the cursor
				t.Errorf("placeholder carries no attribute but colour: %v", ph)
			}
		})
	}
}
