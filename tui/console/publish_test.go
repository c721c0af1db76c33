package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// recordingPublisher records publishes and answers with res; the real
// transport is exercised end to end in tui/actions and act_e2e_test.go.
type recordingPublisher struct {
	got []mqttconn.PublishRequest
	res mqttconn.PublishResult
}

func (c *recordingPublisher) Publish(_ context.Context, r mqttconn.PublishRequest) mqttconn.PublishResult {
	c.got = append(c.got, r)
	return c.res
}

func TestPublishCmdCarriesResult(t *testing.T) {
	a := actions.Action{ID: "a1", Request: mqttconn.PublishRequest{Topic: "drivr/v1/acme/input/event/s/x/json", Payload: []byte("{}")}}
	c := &recordingPublisher{res: mqttconn.PublishResult{Outcome: mqttconn.OutcomeRefused, ReasonCode: 0x87}}
	msg, ok := publishCmd(c, a, time.Second)().(PublishedMsg)
	if !ok || msg.ID != a.ID || msg.Result.ReasonCode != 0x87 || len(c.got) != 1 || c.got[0].Topic != a.Request.Topic {
		t.Fatalf("%#v %v", msg, c.got)
	}
	if m := publishCmd(nil, a, time.Second)().(PublishedMsg); m.Result.Outcome != mqttconn.OutcomeOffline {
		t.Errorf("nil client: %+v", m.Result)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"ackEvent":{"ok":true}}}`))
	}))
	defer srv.Close()
	ack := ackCmd(actions.AckClient{Endpoint: srv.URL, Token: "t"}, "a707aa3a-b44f-42e0-9ab8-b8efe13409c8")().(AckedMsg)
	if !ack.Result.OK {
		t.Errorf("ack %+v", ack.Result)
	}
}
