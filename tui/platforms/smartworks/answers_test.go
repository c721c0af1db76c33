package smartworks_test

import (
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/smartworks"
)

// An invoked action is answered by the thing's status of that action on
// the status/ side; the request echoed on set/, another thing's status and
// another action's say nothing.
func TestActionStatusAnswersTheInvokedAction(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := platform.Params{Account: "acct"}
	b := &actions.Builder{Platform: smartworks.Name, Unit: smartworks.Actions{}, Params: p,
		Now: func() time.Time { return at }, NewID: func() string { return "act-1" }}
	f, err := b.NewForm(actions.KindSendCommand, actions.Selection{Target: actions.Target{Platform: smartworks.Name, Fleet: "acct", System: "oven-1"}})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(actions.FName, "preheat")
	a, err := b.Build(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := actions.NewTracker(0)
	tr.Add(a, at)
	tr.Result(a.ID, mqttconn.PublishResult{Outcome: mqttconn.OutcomeAcked}, at)

	sc, err := smartworks.Scheme(p)
	if err != nil {
		t.Fatal(err)
	}
	stage := ingest.NewStage(sc, decode.DefaultLimits())
	observe := func(topic, payload string) []actions.Change {
		it := stage.Item(mqttconn.Message{Topic: topic, Payload: []byte(payload), Received: at.Add(time.Second)})
		return tr.ObserveMessage(it.Msg, it.Route, it.Value)
	}
	status := `{"preheat": {"status": "completed"}}`
	for _, noise := range [][2]string{
		{"set/acct/things/oven-1/actions/preheat", status},
		{"status/acct/things/oven-2/actions/preheat", status},
		{"status/acct/things/oven-1/actions/defrost", `{"defrost": {"status": "completed"}}`},
	} {
		if ch := observe(noise[0], noise[1]); len(ch) != 0 {
			t.Errorf("%s answered the action: %+v", noise[0], ch)
		}
	}
	ch := observe("status/acct/things/oven-1/actions/preheat", status)
	if len(ch) != 1 || ch[0].ID != a.ID || ch[0].Outcome != "action-status:completed" {
		t.Fatalf("status: %+v", ch)
	}
}
